from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency
from integrity_portal.api import EvidenceFilesField

from ..choices import Kind, Severity, Source
from ..models import CreditRecord, IntegrationClient, Objection
from ..services import record_input_errors


class CreditRecordSerializer(serializers.ModelSerializer):
    """Items of GET /api/v1/credit-records/ (DESIGN section 9) plus a few readable extras."""

    complaint = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "agency",
            "agency_name",
            "kind",
            "polarity",
            "severity",
            "status",
            "facts",
            "amount",
            "decided_on",
            "publicity_ends",
            "repair_eligible_on",
            "complaint",
            "source",
            "source_ref",
            "created_at",
            "perform_due_on",
            "performed_on",
            "perform_supervised_at",
        ]
        read_only_fields = fields


class CreditRecordPushSerializer(serializers.Serializer):
    """POST /api/v1/credit-records/ ``{agency, kind, severity, facts, amount?, decided_on,
    source, source_ref}``."""

    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), label=_("主体"))
    kind = serializers.ChoiceField(choices=Kind.choices, label=_("类别"))
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        label=_("失信程度"),
    )
    facts = serializers.CharField(max_length=10000, label=_("事实"))
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        label=_("涉及金额（元）"),
    )
    decided_on = serializers.DateField(label=_("认定日期"))
    source = serializers.ChoiceField(choices=Source.choices, label=_("来源"))
    source_ref = serializers.CharField(max_length=100, label=_("来源编号"))

    def validate(self, attrs):
        attrs["severity"] = attrs.get("severity") or ""
        errors = record_input_errors(
            kind=attrs["kind"],
            severity=attrs["severity"],
            decided_on=attrs["decided_on"],
            source=attrs["source"],
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EvidenceFileSerializer(serializers.Serializer):
    """An evidence file as listed (downloaded from the console, permission-checked)."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class ObjectionSerializer(serializers.ModelSerializer):
    files = EvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "record",
            "agency",
            "reason",
            "evidence_note",
            "status",
            "filed_by",
            "filed_at",
            "due_on",
            "decided_by",
            "decided_at",
            "decision_note",
            "files",
        ]
        read_only_fields = fields


class ObjectionFileSerializer(serializers.Serializer):
    record = serializers.IntegerField(label=_("信用记录"))
    reason = serializers.CharField(max_length=5000, label=_("异议理由"))
    evidence_note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", label=_("证据说明")
    )
    files = EvidenceFilesField()


class CreditRecordWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, label=_("撤回理由"))


class ObjectionDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", label=_("处理意见")
    )


class IntegrationClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntegrationClient
        fields = [
            "id",
            "name",
            "source",
            "channel",
            "reads_changes",
            "is_active",
            "token_prefix",
            "created_at",
        ]
        read_only_fields = ["id", "is_active", "token_prefix", "created_at"]

    def validate_source(self, value):
        if value in (Source.COMPLAINT, Source.CSV_IMPORT):
            raise serializers.ValidationError(_("该来源不能由对接系统推送。"))
        return value


class AgencyCreditSerializer(serializers.Serializer):
    """GET /api/v1/agencies/{id}/credit/ (schema only; the view builds the dict)."""

    agency = serializers.IntegerField()
    score = serializers.FloatField()
    grade = serializers.CharField()
    active_negative_records = serializers.IntegerField()
    active_sanctions = serializers.ListField(child=serializers.DictField())
    restricted_measures = serializers.ListField(child=serializers.CharField())


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class PerformSerializer(serializers.Serializer):
    """``POST /api/v1/credit-records/{id}/perform/ {performed_on?, note?}`` (today if no date)."""

    performed_on = serializers.DateField(required=False, label=_("履行日期"))
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", label=_("说明")
    )


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
