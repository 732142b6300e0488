"""Invitations and memberships through the API, with the pages' rules (accounts/access.py) and
services: lab admins manage their lab's district and partner people, reviewers their state's
reviewers, superusers everyone. Outsiders get 404; a membership the user sees but may not change
(a fellow lab admin's) gets 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import access, services
from accounts.models import ROLE_TARGET, TARGET_FIELDS, Invitation, InvitationStatus, Membership, Role
from districts import access as access_registry

ORGANISATIONS = ("district", "partner", "state_agency", "collaborative")


class InvitableField(serializers.PrimaryKeyRelatedField):
    """An organisation the user may invite people to (other ids are "does not exist")."""

    def __init__(self, *, target: str, **kwargs: Any) -> None:
        self.target = target
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("queryset", access.invitable_targets(AnonymousUser(), target))  # none
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return access.invitable_targets(request.user, self.target) if request else self.queryset


def _target_name(obj: Invitation | Membership) -> str:
    target = obj.target
    return "National" if target is None else str(target)


class InvitationSerializer(serializers.ModelSerializer):
    district = InvitableField(target="district", help_text="For a district manager or viewer")
    partner = InvitableField(target="partner", help_text="For partner staff")
    state_agency = InvitableField(target="state_agency", help_text="For a state agency reviewer")
    collaborative = InvitableField(target="collaborative", help_text="For a collaborative admin (superusers)")
    target = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    invited_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", *ORGANISATIONS, "target", "status", "invited_by", "created_at",
                  "sent_at", "expires_at", "accepted_at", "revoked_at"]  # fmt: skip
        read_only_fields = ["created_at", "sent_at", "expires_at", "accepted_at", "revoked_at"]

    def get_target(self, invitation: Invitation) -> str:
        return _target_name(invitation)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """The organisation field of the role, and no other (the one-target rule)."""
        wanted = ROLE_TARGET[Role(data["role"])]
        extra = [name for name in TARGET_FIELDS if name != wanted and data.get(name) is not None]
        if extra:
            raise serializers.ValidationError(
                {name: [f"A {Role(data['role']).label} has no {name}."] for name in extra}
            )
        if wanted is not None and data.get(wanted) is None:
            raise serializers.ValidationError({wanted: [f"A {Role(data['role']).label} needs a {wanted}."]})
        data["target"] = data.get(wanted) if wanted else None
        return data


class PeoplePermission(permissions.IsAuthenticated):
    """Only those who administer organisations invite; reads are scoped by the queryset."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or bool(access.invitable_roles(request.user))


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", enum=InvitationStatus.values, description="Only these invitations")
        ]
    )
)
class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Invitations to the organisations you administer. ``POST`` invites (the email with the link
    goes out at once); ``resend`` sends a fresh link (the old one stops working), ``revoke``
    withdraws it. ``?status=pending|expired|accepted|revoked`` filters."""

    serializer_class = InvitationSerializer
    permission_classes = [PeoplePermission]

    def get_queryset(self) -> QuerySet[Invitation]:
        queryset = Invitation.objects.for_user(self.request.user).select_related("invited_by", *ORGANISATIONS)
        wanted = self.request.query_params.get("status")
        if wanted == InvitationStatus.PENDING:
            queryset = queryset.pending()
        elif wanted == InvitationStatus.EXPIRED:
            queryset = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True).exclude(
                pk__in=Invitation.objects.pending().values("pk")
            )
        elif wanted == InvitationStatus.ACCEPTED:
            queryset = queryset.filter(accepted_at__isnull=False)
        elif wanted == InvitationStatus.REVOKED:
            queryset = queryset.filter(revoked_at__isnull=False)
        return queryset

    def perform_create(self, serializer: InvitationSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.invitation_create(
            by=self.request.user, email=data["email"], role=data["role"], target=data["target"],
            base_url=_base_url(self.request),
        )  # fmt: skip

    def _managed(self, pk: str | None) -> Invitation:
        return access_registry.get_for_user(Invitation.objects.all(), self.request.user, pk, write=True)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        """A fresh link, valid for 14 more days, sent to the invited address."""
        invitation = services.invitation_resend(by=request.user, invitation=self._managed(pk),
                                                base_url=_base_url(request))  # fmt: skip
        return Response(self.get_serializer(self.get_queryset().get(pk=invitation.pk)).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the invitation: its link stops working."""
        invitation = services.invitation_revoke(by=request.user, invitation=self._managed(pk))
        return Response(self.get_serializer(self.get_queryset().get(pk=invitation.pk)).data)


class PersonMembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    target = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "name", "role", *ORGANISATIONS, "target", "created_at"]
        read_only_fields = ["user", *ORGANISATIONS, "created_at"]

    def get_target(self, membership: Membership) -> str:
        return _target_name(membership)


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """The memberships of the organisations you administer. ``PATCH`` with ``role`` changes the
    role within the same organisation (a district's manager or viewer); ``DELETE`` ends the
    membership (its history is kept)."""

    serializer_class = PersonMembershipSerializer
    permission_classes = [PeoplePermission]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        return access.people_memberships(self.request.user).select_related("user", *ORGANISATIONS)

    def get_object(self) -> Membership:
        write = self.request.method not in permissions.SAFE_METHODS
        return access.get_membership_for_user(self.request.user, self.kwargs["pk"], write=write)

    def perform_update(self, serializer: PersonMembershipSerializer) -> None:
        role = serializer.validated_data.get("role", serializer.instance.role)
        serializer.instance = services.membership_change_role(
            by=self.request.user, membership=serializer.instance, role=role
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.membership_end(by=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
