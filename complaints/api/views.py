"""/api/v1/complaints/ (intake, staff reads and verbs) and /api/v1/track/ (the complainant).

Each verb's route is declared below as its own method, so searching for ``determine_breach``
finds it; the bodies and services come from ``complaints.verbs``. Who may call each is the
policy table's answer (``policy`` below, read by ``agencies.policy.Policy``).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, Throttled, UnsupportedMediaType
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from agencies.policy import Policy
from integrity_portal.models import AccessLog
from integrity_portal.parsers import JSONParser
from integrity_portal.shared_validation import validated_data

from ..choices import TRANSITIONS, Action, Channel
from ..files import MAX_FILES, evidence_check
from ..filtersets import ComplaintFilterSet
from ..selectors import LIST_DEFERRED, complaint_list_visible_to, contact_visible_to
from ..services.arrears import complaint_late_interest
from ..services.conversation import complainant_message_add
from ..services.intake import complaint_submit
from ..services.review import complaint_request_review
from ..services.tracking import (
    TrackingThrottled,
    complaint_for_complainant,
    complaint_public_view,
    complaint_withdraw,
    feedback_submit,
)
from ..services.transitions import authorize, check_transition
from ..verbs import VERBS, verbs_allowed
from . import serializers as s
from .throttles import IntakeThrottle

PARSERS = [JSONParser, MultiPartParser, FormParser]


def request_data(request):
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


def request_files(request) -> list:
    """The evidence files of a multipart request, checked by content (400 naming ``files``).
    A ``files`` value that is not an uploaded file (text, a JSON string or list) is refused
    too, never silently dropped (as ``integrity_portal.api.EvidenceFilesField``)."""
    files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
    data = request.data
    given = data.getlist("files") if hasattr(data, "getlist") else data.get("files", [])
    given = given if isinstance(given, list) else [given]
    if any(not isinstance(value, UploadedFile) and value not in ("", None) for value in given):
        raise DRFValidationError(
            {"files": [_("“files”须为以 multipart/form-data 上传的证据文件。")]}, code="invalid"
        )
    if len(files) > MAX_FILES:
        raise DRFValidationError(
            {"files": [_("最多上传%(max)d个文件。") % {"max": MAX_FILES}]}, code="too_many_files"
        )
    try:
        return evidence_check(files)
    except DjangoValidationError as exc:
        raise DRFValidationError({"files": exc.messages}) from None


VERB_POLICY = {code: f"complaint.{code}" for code in VERBS}


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``POST /api/v1/complaints/`` files a complaint (anonymous allowed); staff list and read
    the complaints in their scope and act on them with ``POST .../{reference}/{verb}/``."""

    lookup_field = "reference"
    filterset_class = ComplaintFilterSet
    permission_classes = [Policy]
    parser_classes = PARSERS
    policy = {
        "create": "complaint.submit",
        "list": "complaint.read",
        "retrieve": "complaint.read",
        "late_interest": "complaint.read",
        **VERB_POLICY,
    }

    def get_queryset(self):
        qs = complaint_list_visible_to(self.request.user)
        return qs.defer(*LIST_DEFERRED) if self.action == "list" else qs

    def get_serializer_class(self):
        if self.action == "list":
            return s.ComplaintListSerializer
        if self.action == "create":
            return s.ComplaintSubmitSerializer
        if self.action in VERBS:
            return VERBS[self.action].serializer
        return s.ComplaintDetailSerializer

    def get_throttles(self):
        if self.action == "create":
            return [IntakeThrottle()]
        return super().get_throttles()

    @extend_schema(
        request=s.ComplaintSubmitSerializer, responses={201: s.ComplaintCreatedSerializer}
    )
    def create(self, request):
        # The serializer's look-up of the respondent and the submission's writes in one
        # transaction: one commit per complaint (DESIGN section 10), not a read-only one before.
        with transaction.atomic():
            values = dict(validated_data(s.ComplaintSubmitSerializer, request_data(request)))
            files = request_files(request)
            channel = values.pop("channel", Channel.WEB)
            external_ref = values.pop("external_ref", "")
            language = values.pop("language", "")
            complaint, code = complaint_submit(
                data=values,
                files=files,
                actor=request.user,
                channel=channel,
                external_ref=external_ref,
                language=language,
            )
        body = {
            "reference": complaint.reference,
            "status": complaint.status,
            "handling_agency": complaint.handling_agency_id,
            "respondent_agency": complaint.respondent_agency_id,
            "channel": complaint.channel,
            "submitted_at": complaint.submitted_at,
            "attachments": len(files),
            "external_ref": complaint.external_ref,
            "track_url": f"/track/?reference={complaint.reference}",
        }
        if code is None:
            # A retried push of the same origin id: the first complaint, no new access code.
            return Response(body, status=status.HTTP_200_OK)
        body["access_code"] = code
        return Response(body, status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    def _detail(self, complaint):
        user = self.request.user
        if complaint.contact_phone and contact_visible_to(user, complaint):
            AccessLog.objects.create(
                user=user, what="complainant_contact", object_ref=complaint.reference
            )
        context = {
            "request": self.request,
            "allowed_actions": verbs_allowed(actor=user, complaint=complaint),
        }
        return s.ComplaintDetailSerializer(complaint, context=context).data

    def _act(self, request, code: str):
        """Checks in contract order — scope 404, role 403, state 409, body 400 — then the
        verb's service (which re-checks all of it under the row lock).

        One transaction for the whole action: the look-up, the service's writes (its own
        atomic block becomes a savepoint), the re-read for the answer and the access log. Each
        of these ran as a transaction of its own before (four commits per action); an error
        anywhere still leaves nothing written."""
        with transaction.atomic():
            complaint = self.get_object()
            authorize(actor=request.user, complaint=complaint, action=code)
            if code in TRANSITIONS:
                check_transition(complaint, code)  # a wrong state is 409 whatever the body says
            verb = VERBS[code]
            body = verb.serializer(data=request_data(request))
            body.is_valid(raise_exception=True)
            kwargs = dict(body.validated_data)
            expected_version = kwargs.pop("version", None)
            verb.service(
                complaint=complaint, actor=request.user, expected_version=expected_version, **kwargs
            )
            return Response(self._detail(self.get_queryset().get(pk=complaint.pk)))

    @action(detail=True, methods=["post"])
    def accept(self, request, reference=None):
        return self._act(request, Action.ACCEPT)

    @action(detail=True, methods=["post"])
    def reroute(self, request, reference=None):
        return self._act(request, Action.REROUTE)

    @action(detail=True, methods=["post"])
    def reject(self, request, reference=None):
        return self._act(request, Action.REJECT)

    @action(detail=True, methods=["post"])
    def find_unfounded(self, request, reference=None):
        return self._act(request, Action.FIND_UNFOUNDED)

    @action(detail=True, methods=["post"])
    def find_founded(self, request, reference=None):
        return self._act(request, Action.FIND_FOUNDED)

    @action(detail=True, methods=["post"])
    def find_disputed(self, request, reference=None):
        return self._act(request, Action.FIND_DISPUTED)

    @action(detail=True, methods=["post"])
    def record_rectified(self, request, reference=None):
        return self._act(request, Action.RECORD_RECTIFIED)

    @action(detail=True, methods=["post"])
    def record_settlement(self, request, reference=None):
        return self._act(request, Action.RECORD_SETTLEMENT)

    @action(detail=True, methods=["post"])
    def refer_to_litigation(self, request, reference=None):
        return self._act(request, Action.REFER_TO_LITIGATION)

    @action(detail=True, methods=["post"])
    def record_judgment(self, request, reference=None):
        return self._act(request, Action.RECORD_JUDGMENT)

    @action(detail=True, methods=["post"])
    def determine_breach(self, request, reference=None):
        return self._act(request, Action.DETERMINE_BREACH)

    @action(detail=True, methods=["post"])
    def reopen(self, request, reference=None):
        return self._act(request, Action.REOPEN)

    @action(detail=True, methods=["post"])
    def pause(self, request, reference=None):
        return self._act(request, Action.PAUSE)

    @action(detail=True, methods=["post"])
    def resume(self, request, reference=None):
        return self._act(request, Action.RESUME)

    @action(detail=True, methods=["post"])
    def extend(self, request, reference=None):
        return self._act(request, Action.EXTEND)

    @action(detail=True, methods=["post"])
    def decide_review(self, request, reference=None):
        return self._act(request, Action.DECIDE_REVIEW)

    @action(detail=True, methods=["post"])
    def record_payment(self, request, reference=None):
        return self._act(request, Action.RECORD_PAYMENT)

    @extend_schema(parameters=[s.LateInterestQuerySerializer])
    @action(detail=True, methods=["get"], url_path="late-interest")
    def late_interest(self, request, reference=None):
        """Late interest of a payment_arrears complaint (DESIGN section 9; 保障中小企业款项支付
        条例 第十七条), computed from its due date, amount and recorded payments."""
        complaint = self.get_object()
        query = s.LateInterestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = complaint_late_interest(
            complaint=complaint, as_of=query.validated_data.get("as_of")
        )
        return Response(result.as_contract())


class TrackViewSet(viewsets.ViewSet):
    """The complainant's view, with header ``X-Access-Code``: status, timeline, messages,
    withdrawal and feedback. Unknown reference and wrong code give the same 404."""

    permission_classes = [AllowAny]  # the access code is checked by the lookup below
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
        serializer = s.TrackMessageSerializer(data=request_data(request))
        serializer.is_valid(raise_exception=True)
        files = request_files(request)
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
        serializer = s.TrackWithdrawSerializer(data=request_data(request))
        serializer.is_valid(raise_exception=True)
        complaint = complaint_withdraw(
            complaint=complaint, reason=serializer.validated_data["reason"]
        )
        return Response(complaint_public_view(complaint))

    @action(detail=True, methods=["post"])
    def review(self, request, reference=None):
        """复核: the complainant asks for a review of an unfounded finding (15 working days)."""
        complaint = self._complaint(request, reference)
        serializer = s.TrackWithdrawSerializer(data=request_data(request))
        serializer.is_valid(raise_exception=True)
        complaint = complaint_request_review(
            complaint=complaint, reason=serializer.validated_data["reason"]
        )
        return Response(complaint_public_view(complaint))

    @action(detail=True, methods=["post"])
    def feedback(self, request, reference=None):
        complaint = self._complaint(request, reference)
        serializer = s.TrackFeedbackSerializer(data=request_data(request))
        serializer.is_valid(raise_exception=True)
        feedback_submit(complaint=complaint, **serializer.validated_data)
        complaint.refresh_from_db()
        return Response(complaint_public_view(complaint), status=status.HTTP_201_CREATED)
