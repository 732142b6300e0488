"""The letters API: templates (editing one makes a new version), letters with their evidence
trail, and the steps issue, send, sign, countersign, decline, withdraw and renew. Reads are scoped
like the pages (outsiders 404); a step the user's role may not take is 403; a step the letter's
state refuses is 400."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agreements import access as letter_access
from agreements import services
from agreements.api import serializers as s
from agreements.models import Letter, LetterTemplate
from agreements.services.letters import lab_parties
from agreements.views.common import client_info
from districts import access
from focus_lab.api import ScopedViewSetMixin


class LetterTemplateViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):  # fmt: skip
    """Letter templates of the labs you administer, each with its current version."""

    queryset_model = LetterTemplate
    serializer_class = s.LetterTemplateSerializer
    select = ("collaborative",)
    # Reads are scoped by the queryset; creating and revising check the lab's admins themselves.
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.TemplateCreateSerializer, responses={201: s.LetterTemplateSerializer})
    def create(self, request: Request) -> Response:
        if not letter_access.administers(request.user):
            raise PermissionDenied("Only a learning lab's admins write letter templates.")
        data = s.TemplateCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        content = dict(data.validated_data)
        lab, name = content.pop("collaborative"), content.pop("name")
        template = services.template_create(collaborative=lab, name=name, content=content, user=request.user)
        return Response(s.LetterTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TemplateContentSerializer, responses=s.LetterTemplateSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        """Save new content as the template's next version (unchanged content saves nothing)."""
        template = access.get_for_user(self.get_queryset(), request.user, pk, write=True)
        data = s.TemplateContentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.template_revise(template=template, content=dict(data.validated_data), user=request.user)
        return Response(s.LetterTemplateSerializer(template).data)

    @extend_schema(responses=s.TemplateVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        template = access.get_for_user(self.get_queryset(), request.user, pk)
        return Response(s.TemplateVersionSerializer(template.versions.order_by("-number"), many=True).data)


class LetterViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Letters of agreement you may see; ``GET /letters/{id}/`` includes the text and the evidence
    trail (signatures with IP, user agent, time zone and hashes; every event)."""

    queryset_model = Letter
    serializer_class = s.LetterSerializer
    select = ("district", "partner", "version")
    filterset_fields = ["state", "school_year", "party_kind", "district", "partner", "collaborative"]
    ordering_fields = ["school_year", "issued_at"]

    def get_serializer_class(self) -> type:
        return s.LetterDetailSerializer if self.action == "retrieve" else s.LetterSerializer

    def get_queryset(self):  # noqa: ANN201
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("signatures", "events")
        return queryset

    def _letter(self, pk: str | None) -> Letter:
        return access.get_for_user(
            Letter.objects.select_related("version", "collaborative"), self.request.user, pk
        )

    def _answer(self, letter: Letter) -> Response:
        fresh = self.get_queryset().prefetch_related("signatures", "events").get(pk=letter.pk)
        return Response(s.LetterDetailSerializer(fresh).data)

    @extend_schema(request=s.IssueSerializer, responses={201: s.IssueResultSerializer})
    @action(detail=False, methods=["post"])
    def issue(self, request: Request) -> Response:
        """Issue letters from a template version to chosen districts and partners (or everyone);
        parties that already have a live letter for the year are skipped."""
        if not letter_access.administers(request.user):
            raise PermissionDenied(services.letters.NOT_ADMIN)
        data = s.IssueSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        version = v["version"]
        if not letter_access.administers_lab(request.user, version.template.collaborative_id):
            raise PermissionDenied(services.letters.NOT_ADMIN)
        districts, partners = (lab_parties(version.template.collaborative_id) if v["everyone"]
                               else (v["districts"], v["partners"]))  # fmt: skip
        result = services.letters_issue(version=version, school_year=v["school_year"], user=request.user,
                                        districts=districts, partners=partners, send=v["send"])  # fmt: skip
        body = {"issued": s.LetterSerializer(result.issued, many=True).data, "skipped": result.skipped}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RenewSerializer, responses={201: s.IssueResultSerializer})
    @action(detail=False, methods=["post"])
    def renew(self, request: Request) -> Response:
        """Next school year: issue the letters completed in ``from_year`` again for ``to_year``."""
        if not letter_access.administers(request.user):
            raise PermissionDenied(services.letters.NOT_ADMIN)
        data = s.RenewSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = services.letters_renew(lab_id=v["collaborative"].pk, from_year=v["from_year"], to_year=v["to_year"],
                                        user=request.user, send=v["send"])  # fmt: skip
        body = {"issued": s.LetterSerializer(result.issued, many=True).data, "skipped": result.skipped}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Send a draft: its party's signatories get an email with the link (admins)."""
        letter = services.letter_send(letter=self._letter(pk), user=request.user, client=client_info(request))
        return self._answer(letter)

    def _signing(self, request: Request, pk: str | None, service: object) -> Response:
        letter = self._letter(pk)
        allowed = (
            letter_access.can_administer if service is services.letter_countersign else letter_access.can_sign
        )
        if not allowed(request.user, letter):
            raise PermissionDenied(services.letters.NOT_ADMIN if service is services.letter_countersign
                                   else services.letters.NOT_SIGNATORY)  # fmt: skip
        data = s.SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(letter=letter, user=request.user, client=client_info(request), **data.validated_data)  # type: ignore[operator]
        return self._answer(letter)

    @extend_schema(request=s.SignSerializer, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """Sign for the party (a manager of the district, staff of the partner): consent, typed
        full name and title, and the hash of the text read."""
        return self._signing(request, pk, services.letter_sign)

    @extend_schema(request=s.SignSerializer, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def countersign(self, request: Request, pk: str | None = None) -> Response:
        """Countersign for the lab (its admins): the letter is complete and its PDF stored."""
        return self._signing(request, pk, services.letter_countersign)

    @extend_schema(request=None, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def update_text(self, request: Request, pk: str | None = None) -> Response:
        """Rebuild a draft's text from its template's current version (admins). Refused once the
        letter is sent: a signed letter's text never changes (withdraw it and issue a new one)."""
        letter = self._letter(pk)
        if not letter_access.can_administer(request.user, letter):
            raise PermissionDenied(services.letters.NOT_ADMIN)
        services.letter_update(letter=letter, version=letter.version.template.current, user=request.user)
        return self._answer(letter)

    def _with_reason(
        self, request: Request, pk: str | None, service: object, allowed: object, refusal: str
    ) -> Response:
        letter = self._letter(pk)
        if not allowed(request.user, letter):  # type: ignore[operator]
            raise PermissionDenied(refusal)
        data = s.LetterReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(
            letter=letter,
            user=request.user,
            reason=data.validated_data["reason"],
            client=client_info(request),
        )  # type: ignore[operator]
        return self._answer(letter)

    @extend_schema(request=s.LetterReasonSerializer, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline for the party, with a reason."""
        return self._with_reason(request, pk, services.letter_decline, letter_access.can_sign,
                                 services.letters.NOT_SIGNATORY)  # fmt: skip

    @extend_schema(request=s.LetterReasonSerializer, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw a letter not yet complete (admins)."""
        return self._with_reason(request, pk, services.letter_withdraw, letter_access.can_administer,
                                 services.letters.NOT_ADMIN)  # fmt: skip
