"""``GET /api/v1/evaluation/`` and ``GET /api/v1/ledger/`` (DESIGN section 9): the credit
office and auditors; JSON, or the same table as ``format=csv|xlsx``.

DRF would read ``format`` as its own renderer switch (an unknown value would be a 404); here
it is our parameter, validated like the others (400 naming it), and files are answered as
plain Django responses.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.policy import Policy, office_region

from .. import exports
from ..figures import evaluate
from ..params import EvaluationParams, PeriodParams
from ..scheme import current_scheme
from ..selectors import ledger_rows
from .serializers import EvaluationSerializer, LedgerItemSerializer


class _OwnFormat:
    """JSON whatever DRF's negotiation would say: ``format`` is validated by the view."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type


def _params(serializer_class, request):
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params


PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="起始日期（含），YYYY-MM-DD"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="截止日期（含），YYYY-MM-DD"),
    OpenApiParameter("format", str, enum=["json", "csv", "xlsx"], description="返回格式"),
]


class EvaluationView(_OwnFormat, APIView):
    permission_classes = [Policy]
    policy = {"get": "evaluation.read"}

    @extend_schema(
        summary="考核数据",
        description=(
            "按被投诉主体、承办单位或行政区划分组的考核数据（DESIGN 第8节）。"
            "投诉按提交时间计入期间；"
            "比率为0至1的小数字符串，无可计数对象时为 null。"
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("group_by", str, enum=["respondent", "handling", "region"]),
            OpenApiParameter("level", str, enum=["province", "city", "county"]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=EvaluationSerializer,
    )
    def get(self, request):
        params = _params(EvaluationParams, request)
        data = params.validated_data
        period = params.period()
        scheme = current_scheme()
        rows = evaluate(
            period=period,
            group_by=data["group_by"],
            level=data["level"],
            scheme=scheme,
            region=office_region(request.user),  # levels (DESIGN section 13)
        )
        name = f"evaluation-{data['group_by']}-{period.start}-{period.end}"
        if data["format"] == "csv":
            return exports.evaluation_csv(rows, f"{name}.csv")
        if data["format"] == "xlsx":
            return exports.evaluation_xlsx(rows, f"{name}.xlsx")
        page, size = data["page"], data["page_size"]
        start = (page - 1) * size
        if rows and start >= len(rows):
            raise ValidationError({"page": [_("页码超出范围。")]})
        url = request.build_absolute_uri()
        from rest_framework.utils.urls import replace_query_param

        return Response(
            {
                "count": len(rows),
                "next": replace_query_param(url, "page", page + 1)
                if start + size < len(rows)
                else None,
                "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
                "from": period.start,
                "to": period.end,
                "scheme_version": scheme.version,
                "group_by": data["group_by"],
                "results": rows[start : start + size],
            }
        )


class LedgerPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class LedgerView(_OwnFormat, APIView):
    permission_classes = [Policy]
    policy = {"get": "ledger.read"}

    @extend_schema(
        summary="投诉台账",
        description=(
            "投诉台账（DESIGN 第8节）：按提交时间筛选（from、to），并支持待办列表的全部筛选条件；"
            "format=csv 或 xlsx 时以流式文件返回全部行。"
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("status", str, many=True),
            OpenApiParameter("domain", str),
            OpenApiParameter("respondent_agency", int),
            OpenApiParameter("handling_agency", int),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("q", str),
        ],
        responses=LedgerItemSerializer(many=True),
    )
    def get(self, request):
        params = _params(PeriodParams, request)
        period = params.period(required=False)
        filterset, rows = ledger_rows(user=request.user, params=request.query_params, period=period)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        fmt = params.validated_data["format"]
        if fmt == "csv":
            return exports.ledger_csv(rows)
        if fmt == "xlsx":
            return exports.ledger_xlsx(rows)
        paginator = LedgerPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        now = timezone.now()
        return paginator.get_paginated_response([exports.ledger_item(c, now) for c in page])
