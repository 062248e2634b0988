"""The API's complaint bodies (DESIGN section 9): the submission, the staff representations,
the bodies of the workflow verbs, and the complainant's tracking bodies."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from agencies.models import Agency
from agencies.validators import validate_uscc

from ..choices import Channel, ComplainantType, Domain, JudgmentOutcome, Satisfaction, Severity
from ..models import Complaint
from ..selectors import contact_visible_to
from ..services.arrears import arrears_errors
from ..validators import normalize_phone, validate_amount, validate_not_future


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` that takes an id only as an integer or a string of digits: a
    boolean, a fraction (``1.5`` would otherwise be agency 1) or anything else is the field's
    "incorrect type" error, never a lookup."""

    def to_internal_value(self, data):
        digits = isinstance(data, str) and data.strip().isdigit()
        if isinstance(data, bool) or not (isinstance(data, int) or digits):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class ComplaintSubmitSerializer(serializers.Serializer):
    """The contract of DESIGN section 9; errors name the field, in the request's language."""

    complainant_type = serializers.ChoiceField(choices=ComplainantType.choices)
    complainant_name = serializers.CharField(max_length=200)
    complainant_uscc = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=30)
    contact_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default=""
    )
    respondent_agency = IdRelatedField(
        queryset=Agency.objects.filter(is_active=True).select_related("supervisor"),
        error_messages={
            "does_not_exist": gettext_lazy("被投诉主体不存在或已停用。"),
            "incorrect_type": gettext_lazy("请从机构名录中选择被投诉主体。"),
        },
    )
    domain = serializers.ChoiceField(choices=Domain.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    contract_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    contract_signed_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_not_future]
    )
    amount_involved = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        default=None,
        validators=[validate_amount],
    )
    remedy_sought = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    consent_to_share_contact = serializers.BooleanField(required=False, default=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    # The origin's work-order id (intake clerks and integration clients; DESIGN section 13).
    external_ref = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    # Not in the contract of section 9, optional: the language of the complainant's e-mails and
    # SMS (default: the request's language for a complainant, the product's for a registrant).
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=gettext_lazy(
            "可选：投诉人接收短信和邮件的语言（zh-hans 或 en）。未填写时，"
            "投诉人自行提交的取请求的语言（Accept-Language），"
            "登记员和对接系统代为登记的取简体中文。"
        ),
    )
    # Payment arrears facts (DESIGN sections 9 and 12; checked by complaints.services.arrears).
    contract_amount = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True
    )
    delivered_on = serializers.DateField(required=False, allow_null=True)
    payment_due_on = serializers.DateField(required=False, allow_null=True)
    agreed_daily_rate = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True
    )
    amount_outstanding = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True
    )

    def validate_contact_phone(self, value):
        return normalize_phone(value)

    def validate(self, attrs):
        uscc = (attrs.get("complainant_uscc") or "").strip()
        if attrs["complainant_type"] == ComplainantType.ENTERPRISE and not uscc:
            raise serializers.ValidationError(
                {"complainant_uscc": [_("企业投诉须填写统一社会信用代码。")]}, code="required"
            )
        if uscc:
            try:
                attrs["complainant_uscc"] = validate_uscc(uscc)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"complainant_uscc": exc.messages}) from None
        errors = arrears_errors(attrs)
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs


class ComplaintCreatedSerializer(serializers.Serializer):
    """The 201 answer to a submission: the reference and the access code (shown once)."""

    reference = serializers.CharField()
    access_code = serializers.CharField()
    status = serializers.CharField()
    handling_agency = serializers.IntegerField(allow_null=True)
    respondent_agency = serializers.IntegerField()
    channel = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    attachments = serializers.IntegerField()
    external_ref = serializers.CharField()
    track_url = serializers.CharField()


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
            "external_ref",
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
            "contract_amount",
            "delivered_on",
            "payment_due_on",
            "agreed_daily_rate",
            "amount_outstanding",
            "amount_cleared",
            "payment_term_warning",
            "stage_started_at",
            "clock_paused_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        """The verbs the reader may use now (the view passes them: ``complaints.verbs``)."""
        return list(self.context.get("allowed_actions", []))

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
    handling_agency = IdRelatedField(queryset=Agency.objects.all())


class FindFoundedSerializer(NoteSerializer):
    rectification_due = serializers.DateField(required=False, allow_null=True)


class JudgmentSerializer(FindFoundedSerializer):
    outcome = serializers.ChoiceField(choices=JudgmentOutcome.choices)


class BreachSerializer(_Versioned):
    severity = serializers.ChoiceField(choices=Severity.choices)
    facts = serializers.CharField(max_length=10000)


class DecideReviewSerializer(ReasonSerializer):
    upheld = serializers.BooleanField()


class PaymentSerializer(_Versioned):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=None, decimal_places=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LateInterestQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)


class ExtendSerializer(ReasonSerializer):
    amount = serializers.IntegerField(min_value=1, max_value=365)
    approver = serializers.CharField(max_length=100)


class TrackMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class TrackWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TrackFeedbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
