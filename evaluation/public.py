"""The rates of the public statistics page (/stats/, DESIGN section 8): 按时办结率, 整改率 and
满意率 for the city and per domain, this year, from the evaluation's own counts
(``evaluation.figures``) — the public reads the same definitions the credit office does.

- 按时办结率 (``on_time_rate``): workflow stages (acceptance, verification) finished by their
  due date ÷ those that finished or fell overdue;
- 整改率 (``rectification_rate``): complaints rectified or settled ÷ complaints found founded;
- 满意率 (``satisfaction_rate``): (satisfied + neutral) ÷ rated.

Fresh within ten minutes in every run mode: with a broker, beat recomputes every ten minutes
(``evaluation.tasks.public_rates_refresh``); without one (embedded mode has no beat) a read
that finds the figures older than ten minutes recomputes them.
"""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from complaints.choices import Domain

from .figures import Period, Tally, count_tallies, rate

CACHE_KEY = "evaluation:public-rates"
FRESH_SECONDS = 600
CACHE_SECONDS = 1800


def _rates(tally) -> dict:
    c = tally.counts
    return {
        "received": c["received"],
        "on_time_rate": rate(
            c["accepted_on_time"] + c["verified_on_time"],
            c["acceptance_due"] + c["verification_due"],
        ),
        "rectification_rate": rate(c["rectified"] + c["settled"], c["founded"]),
        "satisfaction_rate": rate(c["satisfied_or_neutral"], c["rated"]),
    }


def compute_public_rates(now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    period = Period(dt.date(today.year, 1, 1), today)
    city = count_tallies(period=period, group_by="all", now=now)
    by_domain = count_tallies(period=period, group_by="domain", now=now)
    by_respondent = count_tallies(period=period, group_by="respondent", now=now)
    from agencies.models import Agency

    minimum = settings.STATS_MIN_CASES
    eligible = {k: t for k, t in by_respondent.items() if t.counts["received"] >= minimum}
    names = dict(Agency.objects.filter(pk__in=list(eligible)).values_list("pk", "name"))
    ranking = sorted(
        ({"agency": names.get(k, ""), **_rates(t)} for k, t in eligible.items()),
        key=lambda r: (-(float(r["on_time_rate"] or 0)), r["agency"]),
    )
    empty = _rates(Tally())
    return {
        "computed_at": now,
        "from": period.start,
        "to": period.end,
        "city": _rates(city["all"]) if "all" in city else empty,
        "domains": [
            {
                "domain": d.value,
                "label": d.label,
                **(_rates(by_domain[d.value]) if d.value in by_domain else empty),
            }
            for d in Domain
        ],
        "ranking": ranking[:20],
        "ranking_minimum": minimum,
    }


def is_stale(entry, now=None) -> bool:
    now = now or timezone.now()
    return (now - entry["computed_at"]).total_seconds() > FRESH_SECONDS


def public_rates(*, refresh: bool = False) -> dict:
    """From the cache, recomputed when asked (beat), missing, or — without a broker, hence
    without beat — older than ten minutes."""
    entry = None if refresh else cache.get(CACHE_KEY)
    if entry is None or (not settings.CELERY_BROKER_URL and is_stale(entry)):
        entry = compute_public_rates()
        cache.set(CACHE_KEY, entry, CACHE_SECONDS)
    return entry
