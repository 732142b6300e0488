from __future__ import annotations

from rest_framework import serializers
from rest_framework.authtoken import serializers as authtoken
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, User


class MembershipSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "role", "district", "partner", "state_agency", "collaborative", "target"]

    def get_target(self, membership: Membership) -> str:
        target = membership.target
        return "National" if target is None else str(target)  # a national role has no organisation


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "is_superuser", "memberships"]


class MeView(APIView):
    """The signed-in user and their memberships."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related(
            "memberships__district", "memberships__partner", "memberships__state_agency",
            "memberships__collaborative",
        ).get(pk=request.user.pk)  # fmt: skip
        return Response(MeSerializer(user).data)


# DRF's, with the username (an email address) bounded by the email field: a longer one matches
# nobody, and axes' lock-out record (255 characters) could not store it (a 500 before).
class AuthTokenSerializer(authtoken.AuthTokenSerializer):
    """An email address and password."""

    username = serializers.CharField(
        label="Email address", max_length=User._meta.get_field("email").max_length, write_only=True
    )


class TokenView(ObtainAuthToken):
    """Exchange an email address and password for the user's API token."""

    serializer_class = AuthTokenSerializer
