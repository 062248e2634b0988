"""The Chinese working-day calendar (DESIGN section 5).

Order of authority for a date: a ``WorkdayOverride`` row, then the ``chinese_calendar`` package
(statutory holidays and 调休 working weekends as published by the State Council), then — for
years the package does not cover yet — Monday to Friday.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar

from .ttl_cache import TTLCache

MAX_WORKDAYS = 3660  # a guard against runaway loops on absurd inputs

# Overrides change a few times a year; reading them on every submission cost a query.
# Cleared in this process on save/delete (see integrity_portal.apps); other processes see an
# edit within the TTL.
overrides_cache = TTLCache(seconds=60)


def _overrides_for_year(year: int) -> dict[dt.date, bool]:
    from .models import WorkdayOverride

    def load():
        rows = WorkdayOverride.objects.filter(date__year=year).values_list("date", "is_workday")
        return dict(rows)

    return overrides_cache.get_or_load(year, load)


class Calendar:
    """A calendar snapshot: overrides are read once per year touched (one query per year)."""

    def __init__(self):
        self._years: dict[int, dict[dt.date, bool]] = {}

    def is_workday(self, day: dt.date) -> bool:
        overrides = self._years.get(day.year)
        if overrides is None:
            overrides = self._years[day.year] = _overrides_for_year(day.year)
        if day in overrides:
            return overrides[day]
        return _package_is_workday(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
            if (day - start).days > MAX_WORKDAYS * 2:
                raise ValueError("calendar has no working days")
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


@lru_cache(maxsize=4096)
def _package_is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Year not yet published in the package: weekdays, unless an override says otherwise.
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    return Calendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    return Calendar().add_workdays(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    return Calendar().workdays_between(start, end)
