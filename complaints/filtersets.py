"""Filters of the staff complaint list (API and console share them)."""

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.selectors import agency_search_condition

from .choices import Domain, Status
from .models import Complaint
from .selectors import overdue_condition


class ComplaintFilterSet(django_filters.FilterSet):
    # distinct=False: one row per complaint already; DISTINCT would defeat the index order.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("状态"), distinct=False
    )
    domain = django_filters.ChoiceFilter(choices=Domain.choices, label=_("领域"))
    respondent_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("被投诉主体")
    )
    handling_agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("承办单位")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    supervised = django_filters.BooleanFilter(method="filter_supervised", label=_("已督办"))
    # Compared as local-day boundaries so the submitted_at index is used.
    submitted_after = django_filters.DateFilter(method="filter_after", label=_("提交日期起"))
    submitted_before = django_filters.DateFilter(method="filter_before", label=_("提交日期止"))
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    # Incremental pull: rows changed after this instant (ISO 8601), in the updated_at index.
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gt", label=_("更新时间晚于")
    )

    class Meta:
        model = Complaint
        fields = ["status", "domain", "respondent_agency", "handling_agency"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(overdue_condition()) if value else queryset.exclude(overdue_condition())
        )

    def filter_supervised(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(supervised_at__isnull=not value)

    def filter_after(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_day_start(value)) if value else queryset

    def filter_before(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(submitted_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        # References are digits and a dash: an exact match uses the unique index.
        return queryset.filter(
            Q(reference=value.upper())
            | Q(title__icontains=value)
            | Q(complainant_name__icontains=value)
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ConsoleFilterSet(ComplaintFilterSet):
    """The console queue's filters: the API's, plus the respondent by name or USCC prefix (the
    agency autocomplete; typed text works without JavaScript too). Not part of the API."""

    respondent_q = django_filters.CharFilter(
        method="filter_respondent_q", label=_("被投诉主体（名称或统一社会信用代码）")
    )

    def filter_respondent_q(self, queryset, name, value):
        value = (value or "").strip()[:100]
        if not value:
            return queryset
        agencies = Agency.objects.filter(agency_search_condition(value)).values("pk")
        return queryset.filter(respondent_agency__in=agencies)
