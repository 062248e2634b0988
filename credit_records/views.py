"""Public credit pages (/credit/): the publicity list and agency profiles."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from .providers import profile_extras
from .selectors import agency_public_get, positive_record_count, published_records
from .services.scoring import agency_score, score_weights

PAGE_SIZE = 25


def publicity_list(request):
    """政务失信信息公示: general and serious records inside their publicity window."""
    q = (request.GET.get("q") or "").strip()[:100]
    records = published_records(agency_query=q).order_by("-decided_on", "-id")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": q}) if q else ""
    from .models import ArrearsPublication

    # The annual lists of overdue payments to SMEs the credit office has published (DESIGN
    # section 12): one link per year.
    arrears_years = list(
        ArrearsPublication.objects.filter(status=ArrearsPublication.Status.PUBLISHED)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    return render(
        request,
        "credit_records/public/list.html",
        {"page": page, "q": q, "query": query, "arrears_years": arrears_years},
    )


def agency_profile(request, pk: int):
    agency = agency_public_get(pk)
    score, grade, negatives = agency_score(agency.pk)
    records = published_records().filter(agency=agency).order_by("-decided_on", "-id")
    positives = positive_record_count(agency.pk)
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


def arrears_publication(request, year: int):
    """The published list of a year's overdue payments to SMEs (DESIGN section 12); a year the
    credit office has not published is not there (404)."""
    from django.http import Http404

    from .models import ArrearsPublication
    from .services.publication import arrears_publication_rows

    publication = ArrearsPublication.objects.filter(
        year=year, status=ArrearsPublication.Status.PUBLISHED
    ).first()
    if publication is None:
        raise Http404
    rows = arrears_publication_rows(year=year, published_only=True)
    return render(
        request,
        "credit_records/public/arrears.html",
        {"year": year, "publication": publication, "rows": rows},
    )
