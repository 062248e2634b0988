"""Public intake (POST /api/v1/complaints/) and complainant tracking (/api/v1/track/...)."""

import threading

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    NotFound,
    ParseError,
    PermissionDenied,
    Throttled,
    UnsupportedMediaType,
)
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.formatting import lazy_format
from rest_framework.utils.serializer_helpers import BindingDict

from agencies.choices import StaffRole
from agencies.models import Agency
from agencies.validators import validate_uscc

from ..choices import Channel, ComplainantType, Domain, Satisfaction
from ..files import MAX_FILES, evidence_check
from ..services.intake import complaint_submit, respondent_for_intake
from ..services.tracking import (
    TrackingThrottled,
    complainant_message_add,
    complaint_for_complainant,
    complaint_public_view,
    complaint_withdraw,
    feedback_submit,
)
from ..validators import normalize_phone, validate_amount, validate_not_future

PARSERS = [JSONParser, MultiPartParser, FormParser]


class IntakeThrottle(SimpleRateThrottle):
    """Anonymous intake per client address at ``settings.INTAKE_RATE_LIMIT`` (empty = off).

    The rate is read on every request (not frozen at import like DRF's scoped throttle), so
    an overridden setting applies immediately. Staff registering complaints are not limited.
    """

    scope = "intake"

    def __init__(self):
        # Deliberately skip SimpleRateThrottle.__init__, which reads the rate at construction.
        pass

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        self.rate = getattr(settings, "INTAKE_RATE_LIMIT", None) or None
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class RespondentField(serializers.PrimaryKeyRelatedField):
    """An active agency by id, with its supervisor: ``PrimaryKeyRelatedField`` (same errors,
    same queryset for choices and schema) with the lookup done by ``respondent_for_intake``."""

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            agency = respondent_for_intake(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if agency is None:
            self.fail("does_not_exist", pk_value=data)
        return agency


class _FormatEachTime(lazy_format):
    """DRF's ``lazy_format`` keeps its first result, so a message first shown in English would
    stay English; fields that outlive a request format theirs in each request's language."""

    __slots__ = ()

    def __str__(self):
        return self.format_string.format(*self.args, **self.kwargs)


def _messages_per_request(field) -> None:
    for validator in field.validators:
        message = getattr(validator, "message", None)
        if type(message) is lazy_format:
            validator.message = _FormatEachTime(
                message.format_string, *message.args, **message.kwargs
            )


# One bound copy of the submit serializer's fields per thread (see ``fields`` below).
_submit_fields = threading.local()


class ComplaintSubmitSerializer(serializers.Serializer):
    """The contract of DESIGN section 9; errors name the field, in the request's language.

    DRF deep-copies every declared field on each instantiation (about a millisecond of CPU
    for these fifteen fields, on every submission). These fields keep no per-request state —
    values and errors live on the serializer, messages are lazy and translated when raised
    (``_FormatEachTime`` for the formatted ones), the agency queryset is cloned per lookup —
    so each thread builds them once and rebinds them to the serializer in use. A thread
    validates one submission at a time.
    """

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
    respondent_agency = RespondentField(
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

    @cached_property
    def fields(self):
        fields = getattr(_submit_fields, "fields", None)
        if fields is None:
            fields = BindingDict(self)
            for key, value in self.get_fields().items():
                _messages_per_request(value)
                fields[key] = value
            _submit_fields.fields = fields
        else:
            fields.serializer = self
            for field in fields.values():
                field.parent = self
        return fields

    def validate_contact_phone(self, value):
        return normalize_phone(value)

    def validate(self, attrs):
        uscc = (attrs.get("complainant_uscc") or "").strip()
        if attrs["complainant_type"] == ComplainantType.ENTERPRISE and not uscc:
            raise DRFValidationError(
                {"complainant_uscc": [_("企业投诉须填写统一社会信用代码。")]}, code="required"
            )
        if uscc:
            try:
                attrs["complainant_uscc"] = validate_uscc(uscc)
            except DjangoValidationError as exc:
                raise DRFValidationError({"complainant_uscc": exc.messages}) from None
        return attrs


def can_register(user) -> bool:
    """Intake clerks (and the credit office) register complaints from other channels."""
    return bool(
        user
        and user.is_authenticated
        and user.has_role(StaffRole.INTAKE_CLERK, StaffRole.CREDIT_OFFICER)
    )


def _request_data(request):
    """``request.data``, with malformed JSON and a wrong content type both answered 400."""
    try:
        return request.data
    except UnsupportedMediaType as exc:
        raise DRFValidationError(
            {
                "detail": _(
                    "不支持的请求格式“%(type)s”，请使用 application/json 或 multipart/form-data。"
                )
                % {"type": request.content_type or ""}
            },
            code="unsupported_media_type",
        ) from exc
    except ParseError as exc:
        raise DRFValidationError(
            {"detail": _("请求内容不是有效的JSON。")}, code="parse_error"
        ) from exc


def _request_files(request) -> list:
    files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
    if len(files) > MAX_FILES:
        raise DRFValidationError(
            {"files": [_("最多上传%(max)d个文件。") % {"max": MAX_FILES}]}, code="too_many_files"
        )
    try:
        return evidence_check(files)
    except DjangoValidationError as exc:
        raise DRFValidationError({"files": exc.messages}) from None


class ComplaintIntakeMixin:
    """Provides ``create`` (POST /api/v1/complaints/) for the combined complaint viewset.

    Overrides permissions, throttles, parsers and serializer only when ``self.action ==
    "create"``; every other action is the workflow viewset's.
    """

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.action == "create":
            return [IntakeThrottle()]
        return super().get_throttles()

    def get_parsers(self):
        # ``self.action`` is not known yet when parsers are chosen: decide by method.
        if self.request is not None and self.request.method == "POST" and not self.kwargs:
            return [parser() for parser in PARSERS]
        return super().get_parsers()

    def get_serializer_class(self):
        if getattr(self, "action", None) == "create":
            return ComplaintSubmitSerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.role == StaffRole.AUDITOR and not user.is_superuser:
            raise PermissionDenied(_("审计人员只能查阅，不能提交或登记投诉。"))
        data = _request_data(request)
        serializer = ComplaintSubmitSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        files = _request_files(request)
        values = dict(serializer.validated_data)
        channel = values.pop("channel", Channel.WEB)
        actor = request.user if can_register(request.user) else None
        try:
            complaint, code = complaint_submit(
                data=values, files=files, actor=actor, channel=channel
            )
        except DjangoValidationError as exc:
            raise DRFValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from None
        body = {
            "reference": complaint.reference,
            "access_code": code,
            "status": complaint.status,
            "handling_agency": complaint.handling_agency_id,
            "respondent_agency": complaint.respondent_agency_id,
            "channel": complaint.channel,
            "submitted_at": complaint.submitted_at,
            "attachments": len(files),
            "track_url": f"/track/?reference={complaint.reference}",
        }
        return Response(body, status=status.HTTP_201_CREATED)


class TrackMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class TrackWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TrackFeedbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TrackViewSet(viewsets.ViewSet):
    """The complainant's view, with header ``X-Access-Code``: status, timeline, messages,
    withdrawal and feedback. Unknown reference and wrong code give the same 404."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = PARSERS
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"

    def _complaint(self, request, reference):
        try:
            complaint = complaint_for_complainant(
                request=request,
                reference=reference,
                access_code=request.headers.get("X-Access-Code", ""),
            )
        except TrackingThrottled as exc:
            raise Throttled(wait=exc.wait) from None
        if complaint is None:
            raise NotFound(_("未找到该投诉，或查询码不正确。"))
        return complaint

    def retrieve(self, request, reference=None):
        complaint = self._complaint(request, reference)
        return Response(complaint_public_view(complaint))

    @action(detail=True, methods=["post"])
    def messages(self, request, reference=None):
        complaint = self._complaint(request, reference)
        serializer = TrackMessageSerializer(data=_request_data(request))
        serializer.is_valid(raise_exception=True)
        files = _request_files(request)
        body = serializer.validated_data["body"]
        if not body and not files:
            raise DRFValidationError({"body": [_("请填写留言内容或上传材料。")]})
        message = complainant_message_add(complaint=complaint, body=body, files=files)
        return Response(
            {
                "id": message.pk,
                "body": message.body,
                "at": message.created_at,
                "attachments": len(files),
            },
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        complaint = self._complaint(request, reference)
        serializer = TrackWithdrawSerializer(data=_request_data(request))
        serializer.is_valid(raise_exception=True)
        complaint = complaint_withdraw(
            complaint=complaint, reason=serializer.validated_data["reason"]
        )
        return Response(complaint_public_view(complaint))

    @action(detail=True, methods=["post"])
    def feedback(self, request, reference=None):
        complaint = self._complaint(request, reference)
        serializer = TrackFeedbackSerializer(data=_request_data(request))
        serializer.is_valid(raise_exception=True)
        feedback_submit(complaint=complaint, **serializer.validated_data)
        complaint.refresh_from_db()
        return Response(complaint_public_view(complaint), status=status.HTTP_201_CREATED)
