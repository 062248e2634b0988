"""Filter fields shared by the apps' filtersets."""

import django_filters
from django import forms

# PostgreSQL's bigint, the widest key column here: a larger value cannot name a row, and the
# database driver refuses to even send it (OverflowError, a 500 before the query runs).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A row id: a whole number from 1 to the bigint maximum; "1.5", "1e0" are refused."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.Filter):
    """Filter on a foreign key's id column; an impossible id is a 400 naming the parameter."""

    field_class = IdField
