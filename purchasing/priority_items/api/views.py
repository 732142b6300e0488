"""The priority-item API: items, specification versions (propose, withdraw, answer, close the
count, revise), endorsements, menu commitments, pooled demand and the documents (spec sheet PDF,
RFI/RFP draft as PDF or DOCX, XLSX bid sheet). Scoped to the lab's members like the pages
(outsiders get 404); every change goes through the services."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from districts import access
from focus_lab.api import ScopedViewSetMixin
from purchasing.priority_items.api.serializers import (
    AnswerSerializer,
    CandidateSerializer,
    CommitmentSerializer,
    DemandSerializer,
    EndorsementSerializer,
    PriorityItemSerializer,
    SpecSerializer,
    SpecVersionSerializer,
    VerdictSerializer,
)
from purchasing.priority_items.documents import (
    DOCX,
    XLSX,
    bid_sheet_xlsx,
    rfp_docx,
    rfp_items,
    rfp_pdf,
    spec_sheet_pdf,
)
from purchasing.priority_items.models import (
    Endorsement,
    MenuCommitment,
    PriorityItem,
    SpecVersion,
    VersionStatus,
)
from purchasing.priority_items.selectors import candidate_suppliers, pooled_demand
from purchasing.priority_items.services import (
    commitment_set,
    endorsement_record,
    item_create,
    version_close_count,
    version_propose,
    version_revise,
    version_update,
    version_withdraw,
)

ITEM_FIELDS = ("name", "why", "unit", "case_net_weight_lb", "reference_price", "supplier_category",
               "supplier_keywords", "max_distance_miles")  # fmt: skip


class FileRenderer(renderers.BaseRenderer):
    """Lets a client ask for the file's type; an error answer is still JSON."""

    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class PDFRenderer(FileRenderer):
    media_type, format = "application/pdf", "pdf"


class DOCXRenderer(FileRenderer):
    media_type, format = DOCX, "docx"


class XLSXRenderer(FileRenderer):
    media_type, format = XLSX, "xlsx"


FILE_RENDERERS = [renderers.JSONRenderer, PDFRenderer, DOCXRenderer, XLSXRenderer]


def _file(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ItemFilter(django_filters.FilterSet):
    class Meta:
        model = PriorityItem
        fields = ["collaborative", "unit"]


class PriorityItemViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Priority items of your learning labs. ``POST`` proposes one with its first specification
    (a draft, version 1); ``revise`` makes a new draft; ``demand`` is its pooled demand."""

    queryset_model = PriorityItem
    serializer_class = PriorityItemSerializer
    filterset_class = ItemFilter

    def get_queryset(self) -> QuerySet[PriorityItem]:
        versions = SpecVersion.objects.filter(item=OuterRef("pk"))
        return super().get_queryset().annotate(
            adopted_id=Subquery(versions.filter(status=VersionStatus.ADOPTED).values("pk")[:1]),
            open_id=Subquery(versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.PROPOSED]).values("pk")[:1]),
        ).order_by("name", "pk")  # fmt: skip

    def perform_create(self, serializer: PriorityItemSerializer) -> None:
        data = dict(serializer.validated_data)
        spec = dict(data.pop("spec"))
        spec["claims"] = [dict(c) for c in spec.get("claims", [])]
        item = item_create(user=self.request.user, collaborative=data.pop("collaborative"), spec=spec,
                           **{k: v for k, v in data.items() if k in ITEM_FIELDS})  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=item.pk)

    @extend_schema(request=None, responses={201: SpecVersionSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        """A new draft version copied from the latest (a proposed one is superseded: endorsement
        restarts with the new version)."""
        item = access.get_for_user(self.get_queryset(), request.user, pk)
        if not access.can_write(request.user, item):
            raise PermissionDenied("You cannot revise this item.")
        version = version_revise(user=request.user, item_id=item.pk)
        return Response(SpecVersionSerializer(version).data, status=201)

    @extend_schema(responses=DemandSerializer)
    @action(detail=True, methods=["get"])
    def demand(self, request: Request, pk: str | None = None) -> Response:
        """Every district's expected annual volume, the total, by month, delivery points and the
        value at the reference price."""
        item = access.get_for_user(self.get_queryset(), request.user, pk)
        return Response(DemandSerializer(pooled_demand(PriorityItem.objects.filter(pk=item.pk))[0]).data)

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def candidates(self, request: Request, pk: str | None = None) -> Response:
        """Candidate suppliers from the lab's directory matching the adopted specification (product,
        practices, certifications valid today, distance), ranked: verified practices first, then
        the nearest. Empty until a version is adopted."""
        item = access.get_for_user(self.get_queryset(), request.user, pk)
        _, found = candidate_suppliers(user=request.user, item=item, today=timezone.localdate())
        return Response(CandidateSerializer(found, many=True).data)

    @extend_schema(responses=DemandSerializer(many=True))
    @action(
        detail=False, methods=["get"], url_path="pooled-demand", filterset_class=None, pagination_class=None
    )
    def pooled_demand(self, request: Request) -> Response:
        """The lab-wide page's figures: every item you can see with its pooled demand."""
        items = PriorityItem.objects.for_user(request.user).order_by("name", "pk")
        return Response(DemandSerializer(pooled_demand(items), many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "item",
                OpenApiTypes.INT,
                many=True,
                required=True,
                description="Items with an adopted specification",
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=["pdf", "docx", "xlsx"],
                required=True,
                description="pdf or docx: the draft; xlsx: the bid sheet",
            ),
        ],  # fmt: skip
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, DOCX): OpenApiTypes.BINARY,
            (200, XLSX): OpenApiTypes.BINARY,
        },  # fmt: skip
    )
    @action(detail=False, methods=["get"], url_path="rfp-draft", renderer_classes=FILE_RENDERERS,
            filterset_class=None, pagination_class=None)  # fmt: skip
    def rfp_draft(self, request: Request) -> HttpResponse:
        """The RFI/RFP draft for the chosen items (PDF or DOCX) or its XLSX bid sheet."""
        kind = request.query_params.get("kind")
        chosen = [pk for pk in request.query_params.getlist("item") if pk.isdigit() and len(pk) < 12]
        if kind not in ("pdf", "docx", "xlsx") or not chosen:
            raise ValidationError({"kind": ["Give kind (pdf, docx or xlsx) and at least one item."]})
        items = rfp_items(PriorityItem.objects.for_user(request.user).filter(pk__in=chosen))
        if not items:
            raise ValidationError({"item": ["None of these items has an adopted specification you can see."]})
        title = "Request for proposals (draft): " + "; ".join(i.version.item.name for i in items)
        if kind == "pdf":
            return _file(rfp_pdf(items, title=title), "application/pdf", "rfp-draft.pdf")
        if kind == "docx":
            return _file(rfp_docx(items, title=title), DOCX, "rfp-draft.docx")
        return _file(bid_sheet_xlsx(items), XLSX, "bid-sheet.xlsx")


class VersionFilter(django_filters.FilterSet):
    class Meta:
        model = SpecVersion
        fields = ["item", "status"]


class SpecVersionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):  # fmt: skip
    """Specification versions. A draft is changed with ``PATCH`` and proposed with ``propose``;
    districts answer with ``answer``; the lab's rule adopts it, and adoption freezes it."""

    queryset_model = SpecVersion
    serializer_class = SpecVersionSerializer
    filterset_class = VersionFilter
    select = ("item", "created_by")

    def _writable(self, pk: str | None) -> SpecVersion:
        version = access.get_for_user(self.get_queryset(), self.request.user, pk)
        if not access.can_write(self.request.user, version):
            raise PermissionDenied("You cannot change this version.")
        return version

    @extend_schema(request=SpecSerializer, responses=SpecVersionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a draft (proposed, adopted, withdrawn and superseded versions are frozen)."""
        version = self._writable(pk)
        data = SpecSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "claims" in values:
            values["claims"] = [dict(c) for c in values["claims"]]
        version_update(user=request.user, version_id=version.pk, **values)
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data)

    def _act(self, pk: str | None, service: Any) -> Response:
        version = self._writable(pk)
        service(user=self.request.user, version_id=version.pk)
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(request=None, responses=SpecVersionSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str | None = None) -> Response:
        """Propose the draft to the lab (emailed); the districts then answer."""
        return self._act(pk, version_propose)

    @extend_schema(request=None, responses=SpecVersionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._act(pk, version_withdraw)

    @extend_schema(request=AnswerSerializer, responses=VerdictSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """A district's manager answers for it: endorse, conditions (comment), abstain or object
        (reason required). The lab's rule is applied at once."""
        version = access.get_for_user(self.get_queryset(), request.user, pk)
        data = AnswerSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        _, verdict = endorsement_record(user=request.user, version_id=version.pk, **data.validated_data)
        version.refresh_from_db(fields=["status"])
        return Response({"outcome": verdict.outcome, "reason": verdict.reason, "status": version.status})

    @extend_schema(request=None, responses=VerdictSerializer)
    @action(detail=True, methods=["post"])
    def count(self, request: Request, pk: str | None = None) -> Response:
        """The lab's admins close the count: the rule applies to the answers so far."""
        version = access.get_for_user(self.get_queryset(), request.user, pk)
        if not access.can_write(request.user, version.item.collaborative):
            raise PermissionDenied("Only the lab's admins close a count.")
        verdict = version_close_count(user=request.user, version_id=version.pk)
        version.refresh_from_db(fields=["status"])
        return Response({"outcome": verdict.outcome, "reason": verdict.reason, "status": version.status})

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="spec-sheet", renderer_classes=FILE_RENDERERS)
    def spec_sheet(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The printable spec sheet of an adopted (or superseded) version."""
        version = access.get_for_user(self.get_queryset(), request.user, pk)
        if version.status not in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED):
            raise Http404("Spec sheets are printed for adopted versions.")
        return _file(spec_sheet_pdf(version), "application/pdf", f"spec-sheet-v{version.number}.pdf")


class EndorsementFilter(django_filters.FilterSet):
    class Meta:
        model = Endorsement
        fields = ["version", "district", "stance"]


class EndorsementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Who said what on which version (kept for every version)."""

    queryset_model = Endorsement
    serializer_class = EndorsementSerializer
    filterset_class = EndorsementFilter
    select = ("district", "answered_by")


class CommitmentFilter(django_filters.FilterSet):
    class Meta:
        model = MenuCommitment
        fields = ["item", "district"]


class MenuCommitmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Districts' menu commitments to adopted items, with the expected annual volume and its
    conversion. ``POST`` records (or changes) your district's commitment to an item."""

    queryset_model = MenuCommitment
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    select = ("district", "item")

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        item = data.pop("item")
        commitment = commitment_set(user=self.request.user, item_id=item.pk, **data)
        serializer.instance = self.get_queryset().get(pk=commitment.pk)
