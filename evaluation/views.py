"""The public statistics page /stats/ (DESIGN section 8): the complaint counts
(``complaints.selectors.public_statistics``) and the rates of ``evaluation.public``, with
charts drawn as server-side SVG. Counts only, never a complainant."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from complaints.choices import OPEN_STATUSES, Domain, Satisfaction, Status
from complaints.selectors import public_statistics

from .public import is_stale, public_rates

BAR_WIDTH = 300  # px for a rate of 1


def _bar(value):
    return None if value is None else round(float(value) * BAR_WIDTH, 1)


@require_safe
def stats(request):
    data = public_statistics()
    if not settings.CELERY_BROKER_URL and is_stale(data):
        data = public_statistics(refresh=True)  # embedded mode has no beat to refresh it
    rates = public_rates()
    closed = [
        (Status(status).label, data["by_status"].get(status, 0))
        for status in Status
        if status not in OPEN_STATUSES
    ]
    domain_rates = [
        {
            **row,
            "bars": [
                (i * 18, _bar(row[code]))
                for i, code in enumerate(
                    ("on_time_rate", "rectification_rate", "satisfaction_rate")
                )
            ],
        }
        for row in rates["domains"]
    ]
    return render(
        request,
        "evaluation/public/stats.html",
        {
            "stats": data,
            "rates": rates,
            "domain_rates": domain_rates,
            "closed": closed,
            "closed_total": sum(n for _label, n in closed),
            "domains": [(d.label, data["by_domain"].get(d, 0)) for d in Domain],
            "satisfaction": [(s.label, data["satisfaction"].get(s, 0)) for s in Satisfaction],
            "satisfaction_total": sum(data["satisfaction"].values()),
        },
    )
