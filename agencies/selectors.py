"""Reads of the agency directory."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Agency, User
from .validators import normalize_uscc


def agency_list(*, q: str = "", include_inactive: bool = True) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("region", "supervisor")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(agency_search_condition(q))
    return qs.order_by("name", "id")


def agency_search_condition(q: str) -> Q:
    """Name contains ``q``, or the USCC starts with it (spaces and case ignored), or — for
    letters — the name's pinyin initials contain it ("jyj" finds 教育局)."""
    condition = Q(name__icontains=q) | Q(uscc__startswith=normalize_uscc(q))
    letters = q.strip().lower()
    if len(letters) >= 2 and letters.isascii() and letters.isalpha():
        condition |= Q(name_initials__contains=letters)
    return condition


def staff_list() -> QuerySet[User]:
    return User.objects.exclude(role="").select_related("agency").order_by("username")


def locked_accounts(*, now=None) -> QuerySet[User]:
    """Accounts locked now (``services.lockout``), soonest unlocked first: the credit office's
    unlock page."""
    now = now or timezone.now()
    return (
        User.objects.filter(locked_until__gt=now)
        .select_related("agency")
        .order_by("locked_until", "username")
    )


def agency_by_id_or_uscc(*, agency_id: int | None = None, uscc: str | None = None):
    """The agency with this id, else the one with this USCC (any case); None when neither."""
    if agency_id:
        return Agency.objects.filter(pk=agency_id).first()
    if uscc:
        return Agency.objects.filter(uscc=uscc.upper()).first()
    return None


def credit_officer_emails(*, holding_region: str | None = None, deployment_wide: bool = False):
    """The e-mail addresses of the active credit officers (with an address), by level (DESIGN
    section 13; ``policy.office_region``): with ``deployment_wide``, those whose office covers
    the whole deployment — who may publish the annual arrears list (``policy.DEPLOYMENT_WIDE``,
    ``policy.office_is_deployment_wide``); otherwise those whose scope holds an agency of region
    ``holding_region`` (its region under their prefix, and every officer without a region; an
    agency without a region is held only by those)."""
    from .choices import StaffRole
    from .policy import region_holds_deployment, region_of_office

    officers = (
        User.objects.filter(role=StaffRole.CREDIT_OFFICER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", "is_superuser", "agency__region_id")
    )
    emails, holds = [], {}
    for email, is_superuser, code in officers:
        region = region_of_office(region_code=code, is_superuser=is_superuser)
        if region is None:
            emails.append(email)
        elif deployment_wide:
            if region not in holds:  # one query per distinct office region
                holds[region] = region_holds_deployment(region)
            if holds[region]:
                emails.append(email)
        elif holding_region and holding_region.startswith(region):
            emails.append(email)
    return emails
