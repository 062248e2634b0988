"""Cross-cutting API pieces: pagination, and the mapping of errors to HTTP answers (domain
errors → 409, Django's validation errors raised by services → 400, Django's 404 → DRF's)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class FirstRendererNegotiation(BaseContentNegotiation):
    """Always the view's first parser and renderer, whatever the client's ``Accept`` header
    (the pattern of DRF's content-negotiation guide). For machine endpoints that answer JSON
    only: funding and procurement systems send all sorts of ``Accept`` headers, and should get
    the answer, not a 406 or DRF's browsable page."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DomainError(Exception):
    """A request that is well-formed but not allowed in the current state → 409.

    Subclasses set ``code`` (part of the public contract, e.g. ``invalid_transition``).
    """

    code = "conflict"
    default_detail = _("当前状态不允许该操作。")

    def __init__(self, detail=None, **extra):
        self.detail = detail if detail is not None else self.default_detail
        self.extra = extra
        super().__init__(str(self.detail))


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_detail = _("当前状态不允许该操作。")


class NotEligible(DomainError):
    code = "not_eligible"
    default_detail = _("不符合条件。")


class StaleObject(DomainError):
    code = "stale"
    default_detail = _("该记录在您打开页面后已被他人修改，请刷新后重试。")


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("服务暂时不可用，请稍后重试。")


def exception_handler(exc, context):
    """DRF's handler, after translating what services raise: a Django ``ValidationError`` is a
    400 with its field errors, a ``DomainError`` a 409 with its code."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        # ``get_object_or_404`` says "No Agency matches the given query.": English whatever
        # the client's language, and naming a model. Answer DRF's translated "not found".
        exc = NotFound()
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.detail), **exc.extra}
        return Response(body, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


class EvidenceFilesField(serializers.ListField):
    """The ``files`` of a multipart/form-data request: evidence files (checked by content,
    size and count by ``complaints.files.evidence_check``). A value that is not an uploaded
    file (text, a JSON string) is a 400 naming ``files`` with one message, never silently
    dropped; documented in the OpenAPI schema as a list of binary parts."""

    default_error_messages = {
        "not_a_list": _("“files”须为以 multipart/form-data 上传的证据文件。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("label", _("证据文件"))
        kwargs.setdefault(
            "help_text", _("证据文件，可多个（multipart/form-data，重复使用字段名 files）。")
        )
        super().__init__(child=serializers.FileField(), **kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("not_a_list")
