"""OpenAPI descriptions of the evaluation and the ledger (the views build plain dicts; these
serializers document every field, from the figures' own definitions)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..definitions import COUNTS, FIGURES


def _figure_field(figure):
    parts = [str(figure.label)]
    if figure.unit == "rate":
        parts.append(str(_("比率，0至1的小数字符串；无可计数对象时为 null。")))
    if figure.doc:
        parts.append(str(figure.doc))
    for code in (figure.numerator, figure.denominator):
        if code:
            parts.append(f"{COUNTS[code].label}: {COUNTS[code].doc}")
    help_text = " ".join(parts)
    if figure.unit == "count":
        return serializers.IntegerField(help_text=help_text)
    return serializers.CharField(allow_null=True, help_text=help_text)


class EvaluationRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text=_("分组编号：机构 id，或行政区划代码；null 为未分办/未设区划")
    )
    name = serializers.CharField(help_text=_("分组名称"))
    ranked = serializers.BooleanField(
        help_text=_("期内投诉数不少于 EVALUATION_MIN_CASES 的分组参与排名")
    )
    rank = serializers.IntegerField(allow_null=True, help_text=_("名次（得分相同名次相同）"))

    def get_fields(self):
        fields = super().get_fields()
        for figure in FIGURES:
            fields[figure.code] = _figure_field(figure)
        return fields


class EvaluationSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("分组总数"))
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    to = serializers.DateField(help_text=_("截止日期（含）"))
    scheme_version = serializers.IntegerField(help_text=_("计算得分所用的考核方案版本"))
    results = EvaluationRowSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text=_("起始日期（含）；按投诉提交时间计入"))
        return fields


class LedgerItemSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text=_("受理编号"))
    complainant_name = serializers.CharField(help_text=_("投诉人"))
    respondent_agency = serializers.IntegerField(help_text=_("被投诉主体 id"))
    respondent_agency_name = serializers.CharField(help_text=_("被投诉主体"))
    handling_agency = serializers.IntegerField(allow_null=True, help_text=_("承办单位 id"))
    handling_agency_name = serializers.CharField(allow_null=True, help_text=_("承办单位"))
    domain = serializers.CharField(help_text=_("领域代码"))
    amount_involved = serializers.CharField(allow_null=True, help_text=_("涉及金额（元）"))
    submitted_at = serializers.DateTimeField(help_text=_("受理（提交）时间"))
    routed_at = serializers.DateTimeField(allow_null=True, help_text=_("首次转办时间"))
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("当前阶段办理时限"))
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("办结时间"))
    status = serializers.CharField(help_text=_("当前状态代码"))
    outcome = serializers.CharField(allow_null=True, help_text=_("办理结果（已办结时的状态代码）"))
    satisfaction = serializers.CharField(
        allow_null=True, help_text=_("回访评价：satisfied、neutral 或 dissatisfied")
    )
    overdue = serializers.BooleanField(help_text=_("是否超期（办理中且已过期限、未暂停计时）"))
