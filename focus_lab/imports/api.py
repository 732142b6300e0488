"""The import API: upload a file, preview (choose the columns, see every problem), confirm,
follow the progress, undo; and the history. The same pipeline and rules as the pages.

An upload answers the columns guessed from the file's headers; ``preview`` takes the mapping
(field name -> column index) and checks every row; ``confirm`` writes them all, or none. A long
file is checked and written in the background: poll ``progress``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from focus_lab.api import ScopedViewSetMixin
from focus_lab.imports import services
from focus_lab.imports.kinds import FieldType, all_kinds, get_kind, kinds_for
from focus_lab.imports.models import ImportRun
from focus_lab.imports.readers import MAX_FILE_BYTES


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line in the file (the header's line counts)")
    column = serializers.CharField(help_text="The file's column header, or the field's label")
    message = serializers.CharField()


class ImportRunSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="import-detail")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    mapping = serializers.DictField(child=serializers.IntegerField(), help_text="field name -> column index")
    headers = serializers.ListField(child=serializers.CharField(allow_blank=True))
    problems = serializers.SerializerMethodField(help_text="The first 200 problems; see problem_total")
    progress = serializers.SerializerMethodField(help_text="Percent done while checking or importing")

    class Meta:
        model = ImportRun
        fields = ["id", "url", "kind", "source", "filename", "sha256", "size", "sheet", "headers", "header_line",
                  "mapping", "row_count", "status", "status_label", "message", "problem_total", "problem_rows",
                  "problems", "created", "updated", "unchanged", "progress", "created_at", "checked_at",
                  "finished_at", "undone_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, run: ImportRun) -> list[dict[str, Any]]:
        return [
            {"line": line, "column": column, "message": message} for line, column, message in run.problems
        ]

    @extend_schema_field(serializers.IntegerField())
    def get_progress(self, run: ImportRun) -> int:
        if run.job_id is None or run.job is None:
            return 0 if run.is_running else 100
        return run.job.percent


class ImportRunListSerializer(ImportRunSerializer):
    class Meta(ImportRunSerializer.Meta):
        fields = [f for f in ImportRunSerializer.Meta.fields if f not in ("problems", "headers", "mapping")]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[], help_text="An import kind's name (see the kinds list)")
    file = serializers.FileField(
        help_text=f"CSV, XLSX, XLS or ODS; at most {MAX_FILE_BYTES // (1024 * 1024)} MB"
    )
    source = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    sheet = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [k.name for k in all_kinds()]


class ImportPreviewSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.IntegerField(min_value=0, allow_null=True), required=False,
        help_text="field name -> column index (0 = the first column); omitted: the guessed mapping",
    )  # fmt: skip
    remember = serializers.BooleanField(default=False, help_text="Remember these columns for this source")
    options = serializers.DictField(
        child=serializers.BooleanField(), required=False,
        help_text="The kind's options by name (see the kinds list), e.g. {\"replace_overlap\": true}",
    )  # fmt: skip


class FieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=[t.value for t in FieldType])
    required = serializers.BooleanField()
    help = serializers.CharField()
    synonyms = serializers.ListField(child=serializers.CharField())


class OptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    help = serializers.CharField()


class KindSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    fields = FieldSerializer(many=True)
    options = OptionSerializer(many=True)


ProgressSerializer = inline_serializer(
    "ImportProgress",
    {"status": serializers.CharField(), "progress": serializers.IntegerField(help_text="percent"),
     "message": serializers.CharField()},
)  # fmt: skip


class ImportRunViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Your imports, newest first."""

    queryset_model = ImportRun
    select = ("job",)
    serializer_class = ImportRunSerializer
    filterset_fields = ["kind", "status"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ImportRunListSerializer if self.action == "list" else ImportRunSerializer

    def _kind(self, name: str) -> Any:
        kind = get_kind(name)
        if kind is None or not kind.can_import(self.request.user):
            raise PermissionDenied("Your role cannot import this.")
        return kind

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: ImportRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a file: it is kept, hashed (a file already imported is refused, naming that
        import), its header found and its columns guessed. Nothing is checked or written yet."""
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        kind = self._kind(form.validated_data["kind"])
        upload = form.validated_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise serializers.ValidationError({"file": [f"At most {MAX_FILE_BYTES // (1024 * 1024)} MB."]})
        run = services.import_upload(kind=kind, file=upload.file, filename=upload.name,
                                     source=form.validated_data["source"], sheet=form.validated_data["sheet"],
                                     user=request.user)  # fmt: skip
        return Response(
            ImportRunSerializer(run, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "create":
            return [MultiPartParser()]
        return super().get_parsers()

    def _answer(self, run: ImportRun) -> Response:
        run = ImportRun.objects.select_related("job").get(pk=run.pk)
        code = status.HTTP_202_ACCEPTED if run.is_running else status.HTTP_200_OK
        return Response(ImportRunSerializer(run, context={"request": self.request}).data, status=code)

    @extend_schema(
        request=ImportPreviewSerializer, responses={200: ImportRunSerializer, 202: ImportRunSerializer}
    )
    @action(detail=True, methods=["post"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """Set the columns and check every row; nothing is written. Answers the problems (by line
        and column), or 202 while a long file is checked in the background."""
        run = self.get_object()
        self._kind(run.kind)
        form = ImportPreviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        columns = form.validated_data.get("mapping", run.mapping)
        run = services.import_map(run=run, columns=dict(columns), remember=form.validated_data["remember"],
                                  user=request.user, options=form.validated_data.get("options"))  # fmt: skip
        return self._answer(run)

    @extend_schema(request=None, responses={200: ImportRunSerializer, 202: ImportRunSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Write every row of a previewed import in one transaction (or 202 while a long file is
        written in the background)."""
        run = self.get_object()
        self._kind(run.kind)
        return self._answer(services.import_confirm(run=run, user=request.user))

    @extend_schema(request=None, responses={200: ImportRunSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        """Delete what the import created and restore what it changed, while nothing depends on it."""
        run = self.get_object()
        self._kind(run.kind)
        return self._answer(services.import_undo(run=run, user=request.user))

    @extend_schema(responses=ProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Poll this while the import is checked or written in the background."""
        run = self.get_object()
        data = ImportRunSerializer(run, context={"request": request}).data
        return Response(
            {
                "status": run.status,
                "progress": data["progress"],
                "message": run.job.message if run.job else run.message,
            }
        )

    @extend_schema(responses=KindSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def kinds(self, request: Request) -> Response:
        """The imports you may start, with their fields (name, type, required, help, synonyms)."""
        data = [{"name": k.name, "label": k.label, "description": k.description,
                 "fields": [{"name": f.name, "label": f.label, "type": f.type.value, "required": f.required,
                             "help": f.help, "synonyms": list(f.synonyms)} for f in k.fields],
                 "options": [{"name": o.name, "label": o.label, "help": o.help} for o in k.options]}
                for k in kinds_for(request.user)]  # fmt: skip
        return Response(data)
