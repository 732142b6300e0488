"""Trying one field through the page and the API, as the district and partner rights tests do."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from tests.html_forms import as_post_data, form_posting_to


def stored(obj: Model, name: str) -> Any:
    """The field's value as stored now (a set of ids for a many-to-many field)."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return set(getattr(fresh, name).values_list("pk", flat=True))
    return getattr(fresh, field.attname)


def post_page_with(client, url: str, name: str, value: str | list[str]) -> int:
    """Submit the edit page as the browser shows it, with ``name`` set to ``value`` (added even
    when the page shows the field read-only: a hand-made request can send anything)."""
    page = client.get(url)
    data = (
        as_post_data(form_posting_to(page.content.decode(), url).submissions()[0])
        if page.status_code == 200
        else {}
    )
    data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data).status_code


def post_page_unchanged(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(
        url, as_post_data(form_posting_to(page.content.decode(), url).submissions()[0])
    ).status_code
