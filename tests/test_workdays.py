import datetime as dt

import pytest

from integrity_portal.models import WorkdayOverride
from integrity_portal.workdays import add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 10, 1), False),  # 国庆节
        (D(2026, 10, 7), False),
        (D(2026, 9, 20), True),  # Sunday worked (调休)
        (D(2026, 10, 10), True),  # Saturday worked (调休)
        (D(2026, 9, 26), False),  # ordinary Saturday
        (D(2026, 9, 28), True),
    ],
)
def test_statutory_holidays_and_adjusted_working_days_come_from_the_package(day, expected):
    assert is_workday(day) is expected


def test_two_working_days_after_the_eve_of_national_day_skip_the_golden_week():
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_workdays(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert add_workdays(D(2026, 9, 18), 2) == D(2026, 9, 21)  # Fri → Sun (调休) → Mon


def test_years_the_package_does_not_cover_fall_back_to_weekdays():
    assert is_workday(D(2030, 1, 7)) is True  # a Monday
    assert is_workday(D(2030, 1, 5)) is False  # a Saturday
    assert add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 7)


def test_admin_overrides_win_over_the_package_and_the_fallback():
    WorkdayOverride.objects.create(date=D(2030, 1, 1), is_workday=False, note="元旦")
    WorkdayOverride.objects.create(date=D(2030, 1, 5), is_workday=True, note="调休")
    WorkdayOverride.objects.create(date=D(2026, 9, 28), is_workday=False, note="本地安排")
    assert is_workday(D(2030, 1, 1)) is False
    assert is_workday(D(2030, 1, 5)) is True
    assert is_workday(D(2026, 9, 28)) is False
    assert add_workdays(D(2029, 12, 31), 1) == D(2030, 1, 2)


def test_workdays_between_counts_the_working_days_in_the_interval():
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert workdays_between(D(2026, 9, 28), D(2026, 9, 28)) == 0


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_workdays(D(2026, 1, 5), -1)
