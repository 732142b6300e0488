"""Background jobs a user started (a queued shipment preview, a recompute): poll one for its
progress and, when done, its result. Users see their own jobs only; anyone else's is a 404."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from focus_lab.api import ScopedViewSetMixin
from focus_lab.jobs.models import BackgroundJob


class BackgroundJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="job-detail", help_text="Poll this")
    percent = serializers.IntegerField(read_only=True)
    result = serializers.JSONField(
        read_only=True,
        help_text="When done: what the job produced (a preview's plan JSON, as the preview answers it)",
    )

    class Meta:
        model = BackgroundJob
        fields = ["id", "url", "kind", "status", "progress", "total", "percent", "message", "result",
                  "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields


class BackgroundJobListSerializer(BackgroundJobSerializer):
    class Meta(BackgroundJobSerializer.Meta):
        fields = [f for f in BackgroundJobSerializer.Meta.fields if f != "result"]
        read_only_fields = fields


class BackgroundJobViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Your background jobs, newest first; the list leaves out each job's ``result``."""

    queryset_model = BackgroundJob
    serializer_class = BackgroundJobSerializer
    filterset_fields = ["kind", "status"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return BackgroundJobListSerializer if self.action == "list" else BackgroundJobSerializer
