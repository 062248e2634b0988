"""The query parameters of the evaluation and the ledger (API and dashboard share them): bad
input is a 400 naming the parameter, in the reader's language."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .definitions import GROUP_BY, LEVELS
from .figures import Period

MAX_SPAN_DAYS = 5 * 366  # "a range over 5 years" is refused
FORMATS = ("json", "csv", "xlsx")


def quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


class PeriodParams(serializers.Serializer):
    """``from`` and ``to`` (inclusive local dates); without both, the current quarter."""

    # ``from`` is a Python keyword: declared below under its public name.
    to = serializers.DateField(required=False, help_text=_("截止日期（含），YYYY-MM-DD"))
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, default="json", help_text=_("json、csv 或 xlsx")
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text=_("起始日期（含），YYYY-MM-DD")
        )
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            message = _("起始日期不能晚于截止日期。")
            raise serializers.ValidationError({"from": [message], "to": [message]})
        if start and end and (end - start).days > MAX_SPAN_DAYS:
            message = _("日期范围不能超过5年。")
            raise serializers.ValidationError({"from": [message], "to": [message]})
        return attrs

    def period(self, *, required: bool = True) -> Period | None:
        start, end = self.validated_data.get("from"), self.validated_data.get("to")
        if not start and not end and not required:
            return None
        today = timezone.localdate()
        start = start or (quarter_start(end) if end else quarter_start(today))
        end = end or max(today, start)
        if (end - start).days > MAX_SPAN_DAYS:
            message = _("日期范围不能超过5年。")
            raise serializers.ValidationError({"from": [message], "to": [message]})
        return Period(start, end)


class EvaluationParams(PeriodParams):
    group_by = serializers.ChoiceField(
        choices=GROUP_BY,
        required=False,
        default="respondent",
        help_text=_("respondent（被投诉主体）、handling（承办单位）或 region（行政区划）"),
    )
    level = serializers.ChoiceField(
        choices=LEVELS,
        required=False,
        default="county",
        help_text=_("按行政区划分组时的级别：province、city 或 county"),
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=10000, default=1000)
