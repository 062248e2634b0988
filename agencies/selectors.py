"""Reads of the agency directory."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def agencies_managed_by(user) -> QuerySet[Agency]:
    """The agencies the credit office ``user`` registers and edits: those of its region and
    below (DESIGN section 13, levels: an office "sees and acts on that region and below
    only"); every agency for an office without a region or a superuser."""
    from .policy import office_region

    region = office_region(user)
    agencies = Agency.objects.all()
    return agencies if region is None else agencies.filter(region__code__startswith=region)


def accounts_managed_by(user) -> QuerySet[User]:
    """The accounts the credit office ``user`` manages (the staff API, unlocking, the
    second-factor reset): those of agencies in its region and below (``policy.office_scope``).
    Superusers are left to superusers: an office must not take over, unlock or weaken the
    accounts that oversee it."""
    from .policy import office_scope

    accounts = office_scope(user, "agency").filter(User.objects.all())
    if not user.is_superuser:
        accounts = accounts.exclude(is_superuser=True)
    return accounts


def staff_list(*, user) -> QuerySet[User]:
    return accounts_managed_by(user).exclude(role="").select_related("agency").order_by("username")


def locked_accounts(*, user, now=None) -> QuerySet[User]:
    """Accounts that ``user`` manages and that are locked now (``services.lockout``), soonest
    unlocked first: the credit office's unlock page."""
    now = now or timezone.now()
    return (
        accounts_managed_by(user)
        .filter(locked_until__gt=now)
        .select_related("agency")
        .order_by("locked_until", "username")
    )


def staff_accounts_visible_to(*, user, q: str = "") -> QuerySet[User]:
    """The active staff accounts the credit office ``user`` manages (``accounts_managed_by``;
    the second-factor reset page), each annotated with ``totp_enrolled`` (a confirmed TOTP
    device) and ``recovery_codes_left``. ``q`` matches the username or the name."""
    accounts = accounts_managed_by(user).filter(is_active=True).exclude(role="")
    q = (q or "").strip()
    if q:
        accounts = accounts.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    codes_left = (
        StaticToken.objects.filter(device__user=OuterRef("pk"), device__confirmed=True)
        .order_by()
        .values("device__user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        accounts.select_related("agency")
        .annotate(
            totp_enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            recovery_codes_left=Coalesce(Subquery(codes_left, output_field=IntegerField()), 0),
        )
        .order_by("agency__name", "username")
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
