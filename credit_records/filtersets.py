import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.selectors import agency_search_condition
from integrity_portal.filters import IdFilter

from .choices import Kind, ObjectionStatus, Polarity, RecordStatus, Severity, Source
from .models import CreditRecord, Objection


class CreditRecordFilterSet(django_filters.FilterSet):
    agency = IdFilter(field_name="agency_id", label=_("主体"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类别"))
    polarity = django_filters.ChoiceFilter(choices=Polarity.choices, label=_("性质"))
    status = django_filters.MultipleChoiceFilter(choices=RecordStatus.choices, label=_("状态"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("失信程度"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("来源"))
    decided_after = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="gte", label=_("认定日期起")
    )
    decided_before = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="lte", label=_("认定日期止")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("主体名称或统一社会信用代码"))
    # Incremental pull: rows changed after this instant (ISO 8601), in the updated_at index.
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gt", label=_("更新时间晚于")
    )

    class Meta:
        model = CreditRecord
        fields = [
            "agency",
            "kind",
            "polarity",
            "status",
            "severity",
            "source",
            "decided_after",
            "decided_before",
            "q",
            "updated_after",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(agency__in=Agency.objects.filter(agency_search_condition(value)))


class ObjectionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices)
    agency = IdFilter(field_name="agency_id")
    record = IdFilter(field_name="record_id")

    class Meta:
        model = Objection
        fields = ["status", "agency", "record"]
