import django_filters
from django.utils.translation import gettext_lazy as _

from integrity_portal.filters import IdFilter

from .choices import Measure, RepairStatus, SanctionStatus
from .models import Repair, Sanction


class SanctionFilterSet(django_filters.FilterSet):
    agency = IdFilter(field_name="agency_id")
    status = django_filters.ChoiceFilter(choices=SanctionStatus.choices)
    measure = django_filters.ChoiceFilter(field_name="measure_id", choices=Measure.choices)
    rule = IdFilter(field_name="rule_id")
    # Incremental pull: rows changed after this instant (ISO 8601), in the updated_at index.
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gt", label=_("更新时间晚于")
    )

    class Meta:
        model = Sanction
        fields = ["agency", "status", "measure", "rule"]


class RepairFilterSet(django_filters.FilterSet):
    agency = IdFilter(field_name="agency_id")
    record = IdFilter(field_name="record_id")
    status = django_filters.MultipleChoiceFilter(choices=RepairStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Repair
        fields = ["agency", "record", "status"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        from .choices import OPEN_REPAIR_STATUSES

        today = timezone.localdate()
        open_overdue = {"status__in": OPEN_REPAIR_STATUSES, "due_on__lt": today}
        return queryset.filter(**open_overdue) if value else queryset.exclude(**open_overdue)
