"""Staff-facing complaint representations and the bodies of the workflow actions (DESIGN 9)."""

from django.utils import timezone
from rest_framework import serializers

from agencies.models import Agency

from ..choices import ComplainantType, JudgmentOutcome, Severity
from ..models import Complaint
from ..selectors import contact_visible_to

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


class ComplaintListSerializer(serializers.ModelSerializer):
    respondent_agency_name = serializers.CharField(source="respondent_agency.name")
    handling_agency_name = serializers.CharField(
        source="handling_agency.name", default=None, allow_null=True
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "reference",
            "status",
            "domain",
            "title",
            "complainant_type",
            "complainant_name",
            "respondent_agency",
            "respondent_agency_name",
            "handling_agency",
            "handling_agency_name",
            "channel",
            "submitted_at",
            "due_at",
            "overdue",
            "supervised_at",
            "escalated_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return bool(
            obj.due_at
            and obj.closed_at is None
            and obj.clock_paused_at is None
            and obj.due_at < timezone.now()
        )


class ComplaintDetailSerializer(ComplaintListSerializer):
    duplicate_of = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ComplaintListSerializer.Meta):
        fields = [
            *ComplaintListSerializer.Meta.fields,
            "description",
            "complainant_uscc",
            "contact_name",
            "contact_phone",
            "contact_email",
            "consent_to_share_contact",
            "contract_title",
            "contract_signed_on",
            "amount_involved",
            "remedy_sought",
            "duplicate_of",
            "severity",
            "rectification_due",
            "explanation",
            "stage_started_at",
            "clock_paused_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        from ..services.workflow import actions_allowed

        request = self.context.get("request")
        if request is None:
            return []
        return actions_allowed(actor=request.user, complaint=obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not contact_visible_to(request.user, instance):
            for name in CONTACT_FIELDS:
                data[name] = None
            # An individual's (个体工商户) code identifies the person as much as a phone does.
            if instance.complainant_type == ComplainantType.INDIVIDUAL:
                data["complainant_uscc"] = None
        return data


class _Versioned(serializers.Serializer):
    # The version the client saw; a different current version → 409 stale.
    version = serializers.IntegerField(required=False, min_value=1)


class EmptyActionSerializer(_Versioned):
    pass


class ReasonSerializer(_Versioned):
    reason = serializers.CharField(max_length=5000)


class ExplanationSerializer(_Versioned):
    explanation = serializers.CharField(max_length=10000)


class NoteSerializer(_Versioned):
    note = serializers.CharField(max_length=10000)


class RerouteSerializer(ReasonSerializer):
    handling_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())


class FindFoundedSerializer(NoteSerializer):
    rectification_due = serializers.DateField(required=False, allow_null=True)


class JudgmentSerializer(FindFoundedSerializer):
    outcome = serializers.ChoiceField(choices=JudgmentOutcome.choices)


class BreachSerializer(_Versioned):
    severity = serializers.ChoiceField(choices=Severity.choices)
    facts = serializers.CharField(max_length=10000)


class ExtendSerializer(ReasonSerializer):
    amount = serializers.IntegerField(min_value=1, max_value=365)
    approver = serializers.CharField(max_length=100)
