"""The annual publication of overdue payments to SMEs (DESIGN section 12; 保障中小企业款项支付条例:
机关、事业单位应当于每年3月31日前将上一年度逾期尚未支付中小企业款项的合同数量、金额等信息
…公开). Citation: art. 16 of the 2020 text (国务院令第728号; the article public bodies' own
notices cite), kept by the 2025 revision (国务院令第802号), whose article number for it is in
neither the seeds nor DESIGN (the earlier "art. 24 of the 2020 text" was wrong).

What counts as one overdue contract of year Y for an agency:

- a ``payment_arrears`` complaint against it whose agreed payment date (``payment_due_on``)
  falls in Y, unless the case ended without a finding against it (withdrawn, rejected,
  unfounded); its amount is what was owed at the due date (outstanding + paid since);
- a pushed ``arrears`` record (not made from a complaint, so never counted twice) decided in Y
  and not revoked, with its amount.

Until the credit office publishes a year, its figures are computed from those rows (the draft);
publishing freezes them into ``ArrearsPublicationRow``.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import Domain, Status
from complaints.models import Complaint
from integrity_portal.api import InvalidTransition

from ..choices import Kind, RecordStatus
from ..models import ArrearsPublication, ArrearsPublicationRow, CreditRecord

NOT_OVERDUE_OUTCOMES = (Status.WITHDRAWN, Status.REJECTED, Status.UNFOUNDED)
ZERO = Decimal("0.00")


def arrears_figures(year: int) -> dict[int, tuple[int, Decimal]]:
    """``{agency_id: (overdue contracts, overdue amount)}`` of ``year`` from the rows."""
    figures: dict[int, tuple[int, Decimal]] = {}
    complaints = (
        Complaint.objects.filter(
            domain=Domain.PAYMENT_ARREARS,
            payment_due_on__year=year,
            amount_outstanding__isnull=False,
        )
        .exclude(status__in=NOT_OVERDUE_OUTCOMES)
        .values("respondent_agency_id")
        .annotate(n=Count("id"), amount=Sum(F("amount_outstanding") + F("amount_cleared")))
    )
    for row in complaints:
        figures[row["respondent_agency_id"]] = (row["n"], row["amount"] or ZERO)
    records = (
        CreditRecord.objects.filter(
            kind=Kind.ARREARS, complaint__isnull=True, decided_on__year=year
        )
        .exclude(status=RecordStatus.REVOKED)
        .values("agency_id")
        .annotate(n=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
    )
    for row in records:
        n, amount = figures.get(row["agency_id"], (0, ZERO))
        figures[row["agency_id"]] = (n + row["n"], amount + row["amount"])
    return figures


def arrears_publication_draft(*, year: int) -> ArrearsPublication:
    """Build (or rebuild) the draft of ``year``; a published year is left as published."""
    with transaction.atomic():
        publication, _created = ArrearsPublication.objects.select_for_update().get_or_create(
            year=year, defaults={"drafted_at": timezone.now()}
        )
        if publication.status == ArrearsPublication.Status.PUBLISHED:
            return publication
        publication.rows.all().delete()
        ArrearsPublicationRow.objects.bulk_create(
            [
                ArrearsPublicationRow(
                    publication=publication,
                    agency_id=agency_id,
                    overdue_contracts=n,
                    overdue_amount=amount,
                )
                for agency_id, (n, amount) in sorted(arrears_figures(year).items())
            ]
        )
        publication.drafted_at = timezone.now()
        publication.save(update_fields=["drafted_at"])
    return publication


def year_ended(year: int, *, today: dt.date | None = None) -> None:
    """Only a year that has ended is published (the previous year's contracts, by 31 March):
    publishing the current or a future year would freeze an unfinished list and, publishing
    being final, block the real one. 400 naming ``year``."""
    today = today or timezone.localdate()
    if year >= today.year:
        raise ValidationError(
            {"year": _("只能公开已经结束的年度（%(last)s 年及以前）。") % {"last": today.year - 1}}
        )


def arrears_publication_publish(*, year: int, actor) -> ArrearsPublication:
    """The credit office publishes ``year`` after review: the draft is rebuilt from the rows
    one last time and frozen. Publishing twice is 409."""
    from agencies.policy import require

    require(actor, "arrears_publication.publish")
    year_ended(year)
    with transaction.atomic():
        publication = arrears_publication_draft(year=year)
        publication = ArrearsPublication.objects.select_for_update().get(pk=publication.pk)
        if publication.status == ArrearsPublication.Status.PUBLISHED:
            raise InvalidTransition(
                detail=_("%(year)s 年度拖欠账款信息已公开。") % {"year": year},
                status=publication.status,
            )
        publication.status = ArrearsPublication.Status.PUBLISHED
        publication.published_at = timezone.now()
        publication.published_by = actor
        publication.save(update_fields=["status", "published_at", "published_by"])
    return publication


def arrears_publication_rows(*, year: int, published_only: bool = False) -> list[dict]:
    """The lines of ``year``: the frozen rows once published, else the live draft figures
    (``published_only``: nothing until published — the public page)."""
    from agencies.models import Agency

    publication = ArrearsPublication.objects.filter(year=year).first()
    if publication is not None and publication.status == ArrearsPublication.Status.PUBLISHED:
        return [
            {
                "agency": row.agency_id,
                "name": row.agency.name,
                "overdue_contracts": row.overdue_contracts,
                "overdue_amount": str(row.overdue_amount),
            }
            for row in publication.rows.select_related("agency").order_by(
                "-overdue_amount", "agency_id"
            )
        ]
    if published_only:
        return []
    figures = arrears_figures(year)
    names = dict(Agency.objects.filter(pk__in=list(figures)).values_list("pk", "name"))
    rows = [
        {
            "agency": agency_id,
            "name": names.get(agency_id, ""),
            "overdue_contracts": n,
            "overdue_amount": str(Decimal(amount).quantize(Decimal("0.01"))),
        }
        for agency_id, (n, amount) in figures.items()
    ]
    return sorted(rows, key=lambda r: (-Decimal(r["overdue_amount"]), r["agency"]))


def arrears_publication_status(year: int) -> str:
    publication = ArrearsPublication.objects.filter(year=year).first()
    return publication.status if publication else ArrearsPublication.Status.DRAFT


def arrears_publication_sweep(*, today: dt.date | None = None) -> int | None:
    """The beat job: from 1 January the previous year's draft exists (built once; the credit
    office rebuilds it by publishing). Returns the year drafted, or None."""
    today = today or timezone.localdate()
    year = today.year - 1
    if ArrearsPublication.objects.filter(year=year).exists():
        return None
    arrears_publication_draft(year=year)
    return year


# The statutory date (条例, see above): by 31 March of the following year.
PUBLICATION_MONTH = 3
REMINDER_CLAIM = "arrears_publication_reminder"


def arrears_publication_pending(*, today: dt.date | None = None) -> int | None:
    """The year whose publication is due and not yet published (1 January to 31 March), or
    None: the console shows the credit office a notice while it is so."""
    today = today or timezone.localdate()
    if today.month > PUBLICATION_MONTH:
        return None
    year = today.year - 1
    published = ArrearsPublication.objects.filter(
        year=year, status=ArrearsPublication.Status.PUBLISHED
    ).exists()
    return None if published else year


def arrears_publication_reminder(*, today: dt.date | None = None) -> int:
    """The March reminder: while the previous year is unpublished, each credit officer who may
    publish it (one without a region: a deployment-wide act) gets one e-mail a week (1, 8, 15,
    22 and 29 March). Weekly, not daily: the draft has been there since January, a daily mail
    for a month is noise people learn to ignore, and the last one still leaves two days before
    the 31st; the console notice is there every day. The run may
    come any day of the week (a daily beat job): the week is claimed once (``SweepClaim``), so
    a missed day or a second worker sends nothing twice. Returns the e-mails written."""
    from agencies.selectors import credit_officer_emails
    from complaints.choices import NotificationChannel
    from complaints.models import Notification
    from complaints.services.notifications import deliver_on_commit
    from integrity_portal.models import SweepClaim

    today = today or timezone.localdate()
    if today.month != PUBLICATION_MONTH:
        return 0
    year = arrears_publication_pending(today=today)
    if year is None:
        return 0
    week = dt.date(today.year, PUBLICATION_MONTH, 1 + 7 * ((today.day - 1) // 7))
    at = timezone.make_aware(dt.datetime.combine(week, dt.time()))
    with transaction.atomic():
        _claim, created = SweepClaim.objects.get_or_create(
            kind=REMINDER_CLAIM, object_id=year, at=at
        )
        if not created:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(year)s 年度拖欠中小企业账款信息尚未公开") % {"year": year}
            body = _(
                "%(year)s 年度逾期尚未支付中小企业款项的合同数量、金额须于 %(deadline)s 前公开。"
                "草稿已生成，请审核后公开。"
            ) % {"year": year, "deadline": f"{today.year}-03-31"}
        # Those who may publish: the officers without a region (levels, DESIGN section 13).
        emails = credit_officer_emails(deployment_wide=True)
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    channel=NotificationChannel.EMAIL, recipient=e, subject=subject, body=body
                )
                for e in emails
            ]
        )
        deliver_on_commit([row.pk for row in rows])
    return len(rows)
