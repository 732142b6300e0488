from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from focus_lab.imports.kinds import TYPE_HELP, ImportKind
from focus_lab.imports.readers import MAX_FILE_BYTES

NOT_IN_FILE = ""


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=f"CSV (any encoding; comma, semicolon or tab), or an Excel or OpenDocument workbook "
        f"(.xlsx, .xls, .ods); at most {MAX_FILE_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.xlsm,.xls,.ods"}),
    )
    source = forms.CharField(label="From", max_length=120, required=False)
    sheet = forms.CharField(
        label="Sheet",
        max_length=120,
        required=False,
        help_text="For a workbook: the sheet to read (the first if empty).",
    )

    def __init__(self, *args: Any, kind: ImportKind, sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].help_text = (
            kind.source_help + ". The columns you confirm are remembered for it."
        )
        self.fields["source"].widget.attrs["list"] = "import-sources"
        self.sources = sources
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Upload and read the columns"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        return upload


class MappingForm(forms.Form):
    """One choice per field: which of the file's columns holds it."""

    remember = forms.BooleanField(
        label="Remember these columns for files from this source", required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        kind: ImportKind,
        headers: list[str],
        mapping: dict[str, int],
        options: dict[str, bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, "— not in the file —")] + [
            (str(i), h or f"(column {i + 1}, no header)") for i, h in enumerate(headers)
        ]
        fields: dict[str, forms.Field] = {}
        for f in kind.fields:
            fields[f"col_{f.name}"] = forms.ChoiceField(
                label=f.label + ("" if f.required else " (optional)"),
                choices=choices,
                required=False,
                initial=str(mapping[f.name]) if f.name in mapping else NOT_IN_FILE,
                help_text=" · ".join(p for p in (f.help, TYPE_HELP[f.type]) if p),
            )
        chosen = options or {}
        for option in kind.options:
            fields[f"opt_{option.name}"] = forms.BooleanField(
                label=option.label,
                help_text=option.help,
                required=False,
                initial=chosen.get(option.name, False),
            )
        self.fields = {**fields, "remember": self.fields["remember"]}
        self.kind = kind
        self.helper = FormHelper()
        self.helper.form_tag = False

    def options(self) -> dict[str, bool]:
        return {o.name: bool(self.cleaned_data.get(f"opt_{o.name}")) for o in self.kind.options}

    def columns(self) -> dict[str, int | None]:
        result: dict[str, int | None] = {}
        for f in self.kind.fields:
            value = self.cleaned_data.get(f"col_{f.name}") or NOT_IN_FILE
            result[f.name] = None if value == NOT_IN_FILE else int(value)
        return result
