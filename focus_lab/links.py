"""Building links."""

from __future__ import annotations

from django.http import (
    QueryDict,
)


def with_query(url: str, **params: str) -> str:
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in params.items() if v})
    return f"{url}?{query.urlencode()}" if query else url
