"""Public credit pages (/credit/): the publicity list and agency profiles."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from agencies.models import Agency
from agencies.selectors import agency_search_condition

from .choices import Polarity, RecordStatus
from .providers import profile_extras
from .selectors import published_records
from .services.scoring import agency_score, score_weights

PAGE_SIZE = 25


def publicity_list(request):
    """政务失信信息公示: general and serious records inside their publicity window."""
    q = (request.GET.get("q") or "").strip()[:100]
    records = published_records().order_by("-decided_on", "-id")
    if q:
        records = records.filter(agency__in=Agency.objects.filter(agency_search_condition(q)))
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": q}) if q else ""
    return render(
        request, "credit_records/public/list.html", {"page": page, "q": q, "query": query}
    )


def agency_profile(request, pk: int):
    agency = get_object_or_404(Agency.objects.select_related("region"), pk=pk)
    score, grade, negatives = agency_score(agency.pk)
    records = published_records().filter(agency=agency).order_by("-decided_on", "-id")
    positives = agency.credit_records.aggregate(
        n=Count("id", filter=Q(polarity=Polarity.POSITIVE, status=RecordStatus.ACTIVE))
    )["n"]
    return render(
        request,
        "credit_records/public/agency.html",
        {
            "agency": agency,
            "score": score,
            "grade": grade,
            "active_negative_records": negatives,
            "records": records,
            "positive_records": positives,
            "weights": score_weights(),
            **profile_extras(agency.pk),
        },
    )
