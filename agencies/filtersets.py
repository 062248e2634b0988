import django_filters
from django.utils.translation import gettext_lazy as _

from integrity_portal.filters import IdFilter

from .choices import AgencyKind
from .models import Agency
from .selectors import agency_search_condition


class AgencyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("名称或统一社会信用代码"))
    kind = django_filters.ChoiceFilter(choices=AgencyKind.choices)
    region_code = django_filters.CharFilter(field_name="region__code")
    supervisor = IdFilter(field_name="supervisor_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Agency
        fields = ["q", "kind", "region_code", "supervisor", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(agency_search_condition(value)) if value else queryset
