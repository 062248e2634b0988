"""Public pages of the sanctions app: the typical-case list (/typical-cases/)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import typical_cases_public


def typical_cases(request):
    """Public list of typical cases: agency, facts, outcome — never the complainant."""
    page = Paginator(typical_cases_public(), 20).get_page(request.GET.get("page"))
    return render(request, "sanctions/public/typical_cases.html", {"page": page})
