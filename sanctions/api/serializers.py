from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credit_records.api.serializers import EvidenceFileSerializer
from credit_records.choices import NEGATIVE_KINDS, Severity
from integrity_portal.api import EvidenceFilesField

from ..choices import OPEN_REPAIR_STATUSES
from ..choices import Measure as MeasureCode
from ..models import Measure, Repair, Sanction, SanctionRule, TypicalCase


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["code", "name", "name_en"]


class SanctionRuleSerializer(serializers.ModelSerializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(NEGATIVE_KINDS)), required=False
    )
    min_severity = serializers.ChoiceField(
        choices=["", *Severity.values], required=False, allow_blank=True
    )
    measures = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Measure.objects.all(), allow_empty=False
    )
    min_count = serializers.IntegerField(min_value=1, max_value=100, required=False)
    window_months = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True
    )

    class Meta:
        model = SanctionRule
        fields = [
            "id",
            "name",
            "kinds",
            "min_severity",
            "min_count",
            "window_months",
            "measures",
            "is_active",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]


class SanctionSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure_id")
    measure_name = serializers.CharField(source="measure.label", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    basis_records = serializers.SerializerMethodField()

    class Meta:
        model = Sanction
        fields = [
            "id",
            "agency",
            "measure",
            "measure_name",
            "rule",
            "rule_name",
            "status",
            "imposed_at",
            "lifted_at",
            "lift_reason",
            "basis_records",
        ]

    def get_basis_records(self, obj) -> list[int]:
        return sorted(r.pk for r in obj.basis_records.all())


class CreditCheckQuerySerializer(serializers.Serializer):
    agency = serializers.IntegerField(required=False, min_value=1)
    uscc = serializers.CharField(required=False, max_length=18)
    measure = serializers.ChoiceField(choices=MeasureCode.values)
    purpose = serializers.CharField(max_length=500, trim_whitespace=True)


class RepairSerializer(serializers.ModelSerializer):
    needs_confirmation = serializers.BooleanField(read_only=True)
    files = EvidenceFileSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Repair
        fields = [
            "id",
            "record",
            "agency",
            "status",
            "statement",
            "commitment",
            "evidence_note",
            "needs_confirmation",
            "confirming_agency",
            "applied_at",
            "due_on",
            "overdue",
            "confirmed_at",
            "confirm_note",
            "decided_at",
            "decision_note",
            "files",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.status in OPEN_REPAIR_STATUSES and obj.due_on < timezone.localdate()


class RepairApplySerializer(serializers.Serializer):
    record = serializers.IntegerField(min_value=1)
    statement = serializers.CharField(max_length=5000)
    commitment = serializers.BooleanField()
    evidence_note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    files = EvidenceFilesField()

    def validate_commitment(self, value):
        if value is not True:
            raise serializers.ValidationError(_("申请信用修复须作出信用承诺。"))
        return value


class RepairNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RepairRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class TypicalCaseSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = TypicalCase
        fields = [
            "id",
            "agency",
            "agency_name",
            "record",
            "title",
            "facts",
            "outcome",
            "ground",
            "concern_reason",
            "published_at",
        ]
        read_only_fields = ["id", "agency", "agency_name", "ground", "published_at"]
