"""API for the supplier directory and the contact log, scoped as the pages are
(partners/access.py): suppliers, origins, people, products, practices, certifications,
interactions and follow-ups. ``GET /suppliers/`` takes the page's search and filters, including
the distance filter (``near`` = a district id, ``within`` = miles; haversine, radius 3,958.8 mi)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from districts.models import District
from focus_lab.api import ScopedPermission, ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from partners import access as partner_access
from partners.contacts import services as contact_services
from partners.contacts.models import FollowUp, Interaction
from partners.suppliers import services
from partners.suppliers.models import (
    Certification,
    Origin,
    Product,
    ProductionPractice,
    Supplier,
    SupplierPerson,
)
from partners.suppliers.search_form import SupplierSearchForm
from partners.suppliers.selectors import supplier_search


class PartnersPermission(ScopedPermission):
    """As ScopedPermission, with this app's creation rules (partners/access.py)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "action", None) == "create":
            return permissions.IsAuthenticated().has_permission(request, view) and partner_access.can_create(
                request.user, view.queryset_model._meta.label
            )
        return super().has_permission(request, view)


class PartnersViewSet(ScopedViewSetMixin):
    permission_classes = [PartnersPermission]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


# --- Suppliers -----------------------------------------------------------------------------------


class SupplierSerializer(serializers.ModelSerializer):
    buying_districts = ScopedPrimaryKeyRelatedField(model=District, write=False, many=True, required=False)
    force = serializers.BooleanField(write_only=True, required=False, default=False,
                                     help_text="Create even if probable duplicates exist.")  # fmt: skip
    distance_miles = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = ["id", "collaborative", "name", "kind", "website", "phone", "email", "street", "city", "state",
                  "postal_code", "description", "buying_districts", "merged_into", "force", "distance_miles"]  # fmt: skip
        read_only_fields = ["collaborative", "merged_into"]

    def get_distance_miles(self, obj: Supplier) -> float | None:
        value = getattr(obj, "distance_miles", None)
        return None if value is None else round(value, 2)


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Full-text search over names, products, people and your notes"),
    OpenApiParameter("kind", str), OpenApiParameter("category", str), OpenApiParameter("practice", str),
    OpenApiParameter("certification_kind", str), OpenApiParameter("certified_on", OpenApiTypes.DATE),
    OpenApiParameter("state", str),
    OpenApiParameter("near", int, description="A district id: distances are measured from its delivery sites"),
    OpenApiParameter("within", OpenApiTypes.DECIMAL, description="Miles (needs ``near``)"),
]  # fmt: skip


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="The supplier kept")


@extend_schema_view(list=extend_schema(parameters=SEARCH_PARAMETERS))
class SupplierViewSet(PartnersViewSet, viewsets.ModelViewSet):
    """Suppliers of the user's learning labs. Creating one whose normalised name, email or phone
    matches, or whose name is similar within its state, answers 400 with ``duplicates`` unless
    ``force`` is true. Suppliers are not deleted: the lab's admins merge duplicates."""

    queryset_model = Supplier
    serializer_class = SupplierSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        if self.action == "list":
            form = SupplierSearchForm(self.request.query_params, user=self.request.user)
            if not form.is_valid():
                raise ValidationError(form.errors)
            queryset, _ = supplier_search(user=self.request.user, search=form.search())
            return queryset.prefetch_related("buying_districts")
        return super().get_queryset().prefetch_related("buying_districts")

    def perform_create(self, serializer: SupplierSerializer) -> None:
        labs = list(
            partner_access.lab_ids_for(self.request.user, write=True).values_list("id", flat=True)[:2]
        )
        if self.request.user.is_superuser and not labs:
            raise ValidationError({"detail": ["Superusers create suppliers from a lab admin's account."]})
        if len(labs) != 1:
            raise ValidationError(
                {"detail": ["You work in several learning labs: create the supplier from its page."]}
            )
        data = dict(serializer.validated_data)
        force = data.pop("force", False)
        districts = data.pop("buying_districts", [])
        try:
            serializer.instance = services.supplier_create(user=self.request.user, collaborative_id=labs[0], data=data,
                                                           force=force, buying_district_ids=[d.pk for d in districts])  # fmt: skip
        except services.DuplicateSupplier as exc:
            raise ValidationError(
                {"name": [exc.message], "duplicates": [m.supplier.pk for m in exc.matches]}
            ) from exc

    def perform_update(self, serializer: SupplierSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("force", None)
        districts = data.pop("buying_districts", None)
        services.supplier_update(supplier=serializer.instance, data=data)
        if districts is not None:
            serializer.instance.buying_districts.set(districts)

    @extend_schema(request=MergeSerializer, responses=SupplierSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Fold this supplier into ``into`` (the lab's admins)."""
        merged = self.get_object()
        if not partner_access.can_merge_suppliers(request.user):
            raise PermissionDenied("Only the learning lab's admins merge suppliers.")
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kept = (
            Supplier.objects.for_user(request.user, write=True).filter(pk=body.validated_data["into"]).first()
        )
        if kept is None:
            raise ValidationError({"into": ["No such supplier in your lab."]})
        merge = services.supplier_merge(kept=kept, merged=merged, user=request.user)
        return Response(SupplierSerializer(merge.kept, context=self.get_serializer_context()).data)


# --- What hangs off a supplier -------------------------------------------------------------------


def _child_serializer(model_: type, fields_: list[str], read_only: tuple[str, ...] = ()) -> type:
    class ChildSerializer(serializers.ModelSerializer):
        supplier = ScopedPrimaryKeyRelatedField(model=Supplier)

        class Meta:
            model = model_
            fields = ["id", "supplier", *fields_]
            read_only_fields = list(read_only)

        def validate_supplier(self, value: Supplier) -> Supplier:
            if self.instance is not None and value.pk != self.instance.supplier_id:
                raise ValidationError("Move it by merging suppliers, not by changing its supplier.")
            if value.merged_into_id:
                raise ValidationError("This supplier was merged into another.")
            return value

    ChildSerializer.__name__ = f"{model_.__name__}Serializer"
    return ChildSerializer


OriginSerializer = _child_serializer(Origin, ["label", "street", "city", "county", "state", "postal_code", "latitude",
                                              "longitude", "coordinates_from"], ("coordinates_from",))  # fmt: skip
SupplierPersonSerializer = _child_serializer(
    SupplierPerson, ["name", "role", "email", "phone", "preferred_channel"]
)
ProductSerializer = _child_serializer(Product, ["name", "category", "forms_and_packs", "months_available",
                                                "minimum_order", "delivery_area", "delivery_mode", "lead_time_days"])  # fmt: skip
ProductionPracticeSerializer = _child_serializer(ProductionPractice, ["practice", "verification", "note"])
CertificationSerializer = _child_serializer(Certification, ["kind", "scope", "audit_date", "expires_on", "certificate"],
                                            ("certificate",))  # fmt: skip


class ChildViewSet(PartnersViewSet, viewsets.ModelViewSet):
    """Filter with ``?supplier=<id>``. Saving applies the rules (ZIP centroid, GAP/GHP expiry)."""

    filterset_fields = ["supplier"]
    select = ("supplier",)

    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        serializer.instance = services.child_save(obj=serializer.Meta.model(**serializer.validated_data))

    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        for key, value in serializer.validated_data.items():
            setattr(serializer.instance, key, value)
        services.child_save(obj=serializer.instance)


class OriginViewSet(ChildViewSet):
    """Where food is grown, raised, caught or processed; latitude and longitude left out are
    filled from the ZIP code's centroid."""

    queryset_model = Origin
    serializer_class = OriginSerializer


class SupplierPersonViewSet(ChildViewSet):
    queryset_model = SupplierPerson
    serializer_class = SupplierPersonSerializer


class ProductViewSet(ChildViewSet):
    queryset_model = Product
    serializer_class = ProductSerializer


class ProductionPracticeViewSet(ChildViewSet):
    queryset_model = ProductionPractice
    serializer_class = ProductionPracticeSerializer


class CertificationViewSet(ChildViewSet):
    """Certifications; ``expires_on`` left out of a GAP/GHP one is a year after ``audit_date``.
    The certificate file is uploaded on the supplier's page."""

    queryset_model = Certification
    serializer_class = CertificationSerializer


# --- The contact log -----------------------------------------------------------------------------


class InteractionSerializer(serializers.ModelSerializer):
    suppliers = serializers.PrimaryKeyRelatedField(many=True, queryset=Supplier.objects.none())
    districts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=District.objects.none(), required=False
    )
    people = serializers.PrimaryKeyRelatedField(
        many=True, queryset=SupplierPerson.objects.none(), required=False
    )
    products = serializers.PrimaryKeyRelatedField(many=True, queryset=Product.objects.none(), required=False)

    class Meta:
        model = Interaction
        fields = ["id", "collaborative", "occurred_on", "kind", "suppliers", "districts", "people", "products", "notes",
                  "private", "author", "author_partner", "author_district", "author_lab", "created_at"]  # fmt: skip
        read_only_fields = [
            "collaborative",
            "author",
            "author_partner",
            "author_district",
            "author_lab",
            "created_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            user = request.user
            fields["suppliers"].child_relation.queryset = Supplier.objects.for_user(user).filter(
                merged_into__isnull=True
            )
            fields["districts"].child_relation.queryset = District.objects.for_user(user)
            fields["people"].child_relation.queryset = SupplierPerson.objects.for_user(user)
            fields["products"].child_relation.queryset = Product.objects.for_user(user)
        return fields


def _ids(values: Any) -> list[int]:
    return [v.pk for v in values or []]


class InteractionViewSet(PartnersViewSet, viewsets.ModelViewSet):
    """Notes: the author's organisation, the districts concerned (unless private) and the lab's
    admins (unless private) read them; the author's organisation changes them. Created on behalf
    of the user's only organisation (a user of several logs from the page)."""

    queryset_model = Interaction
    serializer_class = InteractionSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["occurred_on"]
    prefetch = ("suppliers", "districts", "people", "products")

    def perform_create(self, serializer: InteractionSerializer) -> None:
        orgs = contact_services.author_orgs(self.request.user)
        if len(orgs) != 1:
            raise ValidationError({"detail": ["Log notes for one organisation at a time: use the page."]})
        data = serializer.validated_data
        serializer.instance = contact_services.interaction_log(
            user=self.request.user, org=orgs[0][0], occurred_on=data["occurred_on"], kind=data["kind"],
            notes=data.get("notes", ""), private=data.get("private", False), supplier_ids=_ids(data["suppliers"]),
            district_ids=_ids(data.get("districts")), person_ids=_ids(data.get("people")),
            product_ids=_ids(data.get("products")),
        )  # fmt: skip

    def perform_update(self, serializer: InteractionSerializer) -> None:
        note, data = serializer.instance, serializer.validated_data

        def pick(name: str) -> list[int]:
            return _ids(data[name]) if name in data else _ids(getattr(note, name).all())

        serializer.instance = contact_services.interaction_update(
            interaction=note, occurred_on=data.get("occurred_on", note.occurred_on), kind=data.get("kind", note.kind),
            notes=data.get("notes", note.notes), private=data.get("private", note.private),
            supplier_ids=pick("suppliers"), district_ids=pick("districts"), person_ids=pick("people"),
            product_ids=pick("products"),
        )  # fmt: skip


class FollowUpSerializer(serializers.ModelSerializer):
    interaction = ScopedPrimaryKeyRelatedField(model=Interaction)
    owner = serializers.IntegerField(source="owner_id", help_text="A user of the note's organisation")
    done = serializers.BooleanField(required=False, write_only=True, help_text="true marks it done today")

    class Meta:
        model = FollowUp
        fields = ["id", "interaction", "what", "due_on", "owner", "done_on", "done"]
        read_only_fields = ["done_on"]


class FollowUpViewSet(PartnersViewSet, mixins.CreateModelMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Follow-ups of the notes the user reads. The owner must be of the note's organisation;
    ``done: true`` marks one done today. Filter with ``?owner=`` or ``?interaction=``."""

    queryset_model = FollowUp
    serializer_class = FollowUpSerializer
    filterset_fields = ["owner", "interaction"]
    ordering_fields = ["due_on"]
    select = ("interaction",)

    def perform_create(self, serializer: FollowUpSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = contact_services.follow_up_add(interaction=data["interaction"], what=data["what"],
                                                             due_on=data["due_on"], owner_id=data["owner_id"])  # fmt: skip

    def perform_update(self, serializer: FollowUpSerializer) -> None:
        follow_up, data = serializer.instance, dict(serializer.validated_data)
        done = data.pop("done", None)
        if data.get("interaction", follow_up.interaction) != follow_up.interaction:
            raise ValidationError({"interaction": ["A follow-up stays with its note."]})
        if "owner_id" in data and data["owner_id"] != follow_up.owner_id:
            org = contact_services.AuthorOrg(follow_up.interaction.author_partner_id,
                                             follow_up.interaction.author_district_id, follow_up.interaction.author_lab_id)  # fmt: skip
            if data["owner_id"] not in contact_services.org_members(org):
                raise ValidationError(
                    {"owner": ["A follow-up's owner must be someone of the note's organisation."]}
                )
        for key in ("what", "due_on", "owner_id"):
            if key in data:
                setattr(follow_up, key, data[key])
        follow_up.full_clean()
        follow_up.save()
        if done:
            contact_services.follow_up_complete(follow_up=follow_up, on=timezone.localdate())
