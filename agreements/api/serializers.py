"""Shapes of the letters API. Serializers check shape; the services check the rules."""

from __future__ import annotations

from rest_framework import serializers

from agreements.models import Formality, Letter, LetterEvent, LetterTemplate, Signature, TemplateVersion
from districts.models import Collaborative, District
from focus_lab.api import ScopedPrimaryKeyRelatedField
from partners.models import PartnerOrganisation


class TemplateVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateVersion
        fields = ["id", "number", "title", "introduction", "gives_both", "gives_districts", "gives_partners", "gets",
                  "closing", "formality", "term", "start_date", "end_date", "remind_every_days", "expire_after_days",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class LetterTemplateSerializer(serializers.ModelSerializer):
    current = TemplateVersionSerializer(read_only=True, allow_null=True)
    collaborative_name = serializers.CharField(source="collaborative.name", read_only=True)

    class Meta:
        model = LetterTemplate
        fields = ["id", "collaborative", "collaborative_name", "name", "current", "created_at"]
        read_only_fields = fields


class TemplateContentSerializer(serializers.Serializer):
    """A template's content; saving it on an existing template makes a new version."""

    title = serializers.CharField(max_length=200)
    introduction = serializers.CharField(max_length=10_000)
    gives_both = serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=50, default=list
    )
    gives_districts = serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=50, default=list
    )
    gives_partners = serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=50, default=list
    )
    gets = serializers.ListField(child=serializers.CharField(max_length=1000), min_length=1, max_length=50)
    closing = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    formality = serializers.ChoiceField(choices=Formality.choices, default=Formality.LETTER)
    term = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    remind_every_days = serializers.IntegerField(min_value=0, max_value=365, default=7)
    expire_after_days = serializers.IntegerField(min_value=1, max_value=365, default=45)


class TemplateCreateSerializer(TemplateContentSerializer):
    collaborative = ScopedPrimaryKeyRelatedField(
        model=Collaborative, help_text="A learning lab you administer"
    )
    name = serializers.CharField(max_length=200)


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["role", "user_email", "typed_name", "title", "signed_at", "timezone", "local_time", "ip_address",
                  "user_agent", "consent_text", "consent_sha256", "letter_sha256"]  # fmt: skip
        read_only_fields = fields


class LetterEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterEvent
        fields = ["kind", "at", "actor_email", "ip_address", "user_agent", "step", "detail"]
        read_only_fields = fields


class LetterSerializer(serializers.ModelSerializer):
    party_name = serializers.SerializerMethodField()
    template_version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Letter
        fields = ["id", "collaborative", "party_kind", "district", "partner", "party_name", "school_year",
                  "template_version", "version", "state", "text_sha256", "issued_at", "sent_at", "viewed_at",
                  "signed_at", "completed_at", "closed_at", "expires_at", "reminders_sent", "decline_reason",
                  "withdraw_reason", "renewed_from", "pdf_sha256"]  # fmt: skip
        read_only_fields = fields

    def get_party_name(self, letter: Letter) -> str:
        return str(letter.party)


class LetterDetailSerializer(LetterSerializer):
    """A letter with its text and its evidence trail (signatures and every event)."""

    signatures = SignatureSerializer(many=True, read_only=True)
    events = LetterEventSerializer(many=True, read_only=True)

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "text", "signatures", "events"]
        read_only_fields = fields


class IssueSerializer(serializers.Serializer):
    version = ScopedPrimaryKeyRelatedField(model=TemplateVersion, help_text="A template version of your lab")
    school_year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="2026 for 2026–27")
    districts = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(model=District), default=list, max_length=500
    )
    partners = serializers.ListField(child=ScopedPrimaryKeyRelatedField(model=PartnerOrganisation), default=list,
                                     max_length=500)  # fmt: skip
    everyone = serializers.BooleanField(default=False, help_text="Every district and partner of the lab")
    send = serializers.BooleanField(default=False)


class IssueResultSerializer(serializers.Serializer):
    issued = LetterSerializer(many=True)
    skipped = serializers.ListField(child=serializers.CharField())


class RenewSerializer(serializers.Serializer):
    collaborative = ScopedPrimaryKeyRelatedField(model=Collaborative)
    from_year = serializers.IntegerField(min_value=2000, max_value=2100)
    to_year = serializers.IntegerField(min_value=2000, max_value=2100)
    send = serializers.BooleanField(default=False)


class SignSerializer(serializers.Serializer):
    consent = serializers.BooleanField(
        help_text="True: the signer consents to sign electronically (consent_text)"
    )
    typed_name = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200)
    letter_sha256 = serializers.CharField(max_length=64, help_text="The text_sha256 of the letter read")
    tz = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                               help_text="The signer's IANA time zone, e.g. America/Chicago")  # fmt: skip


class LetterReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
