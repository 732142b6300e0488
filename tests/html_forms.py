"""What a browser would submit: the POST forms of a page, parsed with the standard library's HTML
parser, following the HTML rules for form submission (successful controls):

- disabled controls (and controls in a disabled fieldset) are not sent;
- checkboxes and radios are sent only when checked, with ``on`` when they have no value;
- a select sends its selected options, or its first enabled option when none is selected (a
  single select); an option without a value sends its text;
- a textarea sends its text, less the one newline right after the opening tag;
- controls outside a form join it through their ``form`` attribute;
- of the submit buttons only the one clicked is sent, so each named button is one submission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Select:
    name: str
    multiple: bool
    options: list[tuple[str, bool, bool]] = field(default_factory=list)  # value, selected, disabled

    def values(self) -> list[str]:
        chosen = [value for value, selected, disabled in self.options if selected and not disabled]
        if chosen or self.multiple:
            return chosen if self.multiple else chosen[-1:]
        enabled = [value for value, _, disabled in self.options if not disabled]
        return enabled[:1]


@dataclass
class HtmlForm:
    action: str
    form_id: str | None
    controls: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons
    disabled_names: set[str] = field(default_factory=set)

    def submissions(self) -> list[list[tuple[str, str]]]:
        """One list of (name, value) pairs per way of submitting the form."""
        if not self.buttons:
            return [list(self.controls)]
        return [[*self.controls, button] for button in self.buttons]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.by_id: dict[str, HtmlForm] = {}
        self.current: HtmlForm | None = None
        self.pending: list[tuple[str | None, str, object]] = []  # form attr, kind, payload
        self.disabled_fieldsets = 0
        self.fieldset_stack: list[bool] = []
        self.select: tuple[Select, HtmlForm | None, str | None] | None = None
        self.option: list | None = None  # [value or None, selected, disabled, text]
        self.textarea: tuple[str, HtmlForm | None, str | None, list[str]] | None = None

    # The form a control belongs to: its ``form`` attribute, else the enclosing form.
    def _owner(self, attrs: dict[str, str | None]) -> tuple[HtmlForm | None, str | None]:
        if attrs.get("form"):
            return None, attrs["form"]
        return self.current, None

    def _add(self, owner: HtmlForm | None, form_attr: str | None, kind: str, payload: object) -> None:
        if form_attr is not None:
            self.pending.append((form_attr, kind, payload))
        elif owner is not None:
            _apply(owner, kind, payload)

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.current = HtmlForm(action=attrs.get("action") or "", form_id=attrs.get("id"))
            if method == "post":
                self.forms.append(self.current)
                if attrs.get("id"):
                    self.by_id[attrs["id"]] = self.current
            return
        if tag == "fieldset":
            disabled = "disabled" in attrs
            self.fieldset_stack.append(disabled)
            self.disabled_fieldsets += disabled
            return
        disabled = "disabled" in attrs or self.disabled_fieldsets > 0
        owner, form_attr = self._owner(attrs)
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if not name:
                return
            if disabled:
                self._add(owner, form_attr, "disabled", name)
                return
            if kind in ("submit", "image"):
                self._add(owner, form_attr, "button", (name, attrs.get("value") or ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(owner, form_attr, "control", (name, attrs.get("value") or "on"))
            elif kind not in ("button", "reset", "file"):
                self._add(owner, form_attr, "control", (name, attrs.get("value") or ""))
        elif tag == "button":
            if name and not disabled and (attrs.get("type") or "submit").lower() == "submit":
                self._add(owner, form_attr, "button", (name, attrs.get("value") or ""))
        elif tag == "select" and name:
            select = Select(name=name, multiple="multiple" in attrs)
            self.select = (select, owner, form_attr) if not disabled else None
            if disabled:
                self._add(owner, form_attr, "disabled", name)
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs, "disabled" in attrs, ""]
        elif tag == "textarea" and name:
            if disabled:
                self._add(owner, form_attr, "disabled", name)
            else:
                self.textarea = (name, owner, form_attr, [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option[3] += data
        if self.textarea is not None:
            self.textarea[3].append(data)

    def _close_option(self) -> None:
        if self.option is not None and self.select is not None:
            value, selected, disabled, text = self.option
            self.select[0].options.append(
                (value if value is not None else " ".join(text.split()), selected, disabled)
            )
        self.option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "fieldset" and self.fieldset_stack:
            self.disabled_fieldsets -= self.fieldset_stack.pop()
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self.select is not None:
            self._close_option()
            select, owner, form_attr = self.select
            for value in select.values():
                self._add(owner, form_attr, "control", (select.name, value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, owner, form_attr, parts = self.textarea
            text = "".join(parts)
            text = text[1:] if text.startswith("\n") else text
            self._add(owner, form_attr, "control", (name, text.replace("\r\n", "\n")))
            self.textarea = None

    def close(self) -> None:
        super().close()
        for form_attr, kind, payload in self.pending:
            if form_attr in self.by_id:
                _apply(self.by_id[form_attr], kind, payload)


def _apply(form: HtmlForm, kind: str, payload: object) -> None:
    if kind == "control":
        form.controls.append(payload)  # type: ignore[arg-type]
    elif kind == "button":
        form.buttons.append(payload)  # type: ignore[arg-type]
    else:
        form.disabled_names.add(payload)  # type: ignore[arg-type]


def post_forms(html: str) -> list[HtmlForm]:
    """The page's ``method="post"`` forms, in document order."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def as_post_data(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """(name, value) pairs as the dict of lists Django's test client posts."""
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def form_posting_to(html: str, url: str) -> HtmlForm:
    """The one POST form of the page that posts to ``url`` (or to the page itself)."""
    (form,) = [f for f in post_forms(html) if f.action in ("", url)]
    return form
