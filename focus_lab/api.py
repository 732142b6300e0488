"""The API's shared pieces: the scoped viewset mixin, its permission, and scoped FK fields."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import permissions, serializers
from rest_framework.settings import api_settings

from districts import access


class ScopedPermission(permissions.IsAuthenticated):
    """Reads need the object in the user's scope (the queryset does that: outsiders get 404);
    writes need it in the write scope, and creation needs ``access.can_create``."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "create":
            return access.can_create(request.user, view.queryset_model)
        return True

    def has_object_permission(self, request: Any, view: Any, obj: Model) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method in ("PUT", "PATCH"):
            # Updates need a field the user owns; FieldRightsMixin ignores the others.
            return bool(access.writable_fields(request.user, obj, type(obj)))
        return access.can_write(request.user, obj)


class ScopedViewSetMixin:
    """``get_queryset`` returns ``queryset_model.objects.for_user(user)``, plus ``select_related``
    and ``prefetch_related`` named on the view so lists run a constant number of queries."""

    queryset_model: type[Model]
    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    permission_classes = [ScopedPermission]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """The router also answers ``<path>.json``, passing ``format`` to the handler, which our
        ``@action`` methods do not take (a TypeError, so a 500): keep the suffix for content
        negotiation only."""
        self.format_suffix = kwargs.pop(api_settings.FORMAT_SUFFIX_KWARG, None)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_format_suffix(self, **kwargs: Any) -> str | None:
        return getattr(self, "format_suffix", None)

    def get_queryset(self) -> QuerySet:
        queryset = self.queryset_model.objects.for_user(self.request.user)  # type: ignore[attr-defined]
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset


class FieldRightsMixin:
    """For a ModelSerializer: on update, input for the fields the request's user may not change
    (``access.writable_fields``) is dropped, as a form ignores a disabled field, and they are no
    longer required. They stay declared as writable so that the model's unique constraints are
    still checked as a 400 (DRF skips those over read-only fields, leaving them to the database).
    Creation is governed by ``access.can_create`` and the scoped choice fields; lists and the
    schema (no model instance) see the serializer as declared."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        self.ignored_fields: set[str] = set()
        request = self.context.get("request")  # type: ignore[attr-defined]
        instance = self.instance  # type: ignore[attr-defined]
        if request is None or request.method in permissions.SAFE_METHODS or not isinstance(instance, Model):
            return fields
        allowed = access.writable_fields(request.user, instance, type(instance))
        for name, field in fields.items():
            if not field.read_only and (field.source or name).split(".")[0] not in allowed:
                field.required = False
                self.ignored_fields.add(name)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        _ = self.fields  # type: ignore[attr-defined]  # building them works out ignored_fields
        # A JSON object or a form body (QueryDict, also a dict); other shapes get DRF's own 400.
        if self.ignored_fields and isinstance(data, dict):
            data = data.copy()
            for name in self.ignored_fields:
                data.pop(name, None)
        return super().to_internal_value(data)  # type: ignore[misc]


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key a client may only point at objects it may change (``write=True``) or see."""

    def __init__(self, *, model: type[Model], write: bool = True, **kwargs: Any) -> None:
        self.model = model
        self.write = write
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return self.model.objects.for_user(request.user, write=self.write)  # type: ignore[attr-defined]
