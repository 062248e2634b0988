"""The annual publication of overdue payments to SMEs and its frozen rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArrearsPublication(models.Model):
    """The annual publication of overdue payments to SMEs (保障中小企业款项支付条例: by 31
    March, each body's contracts of the previous year still unpaid when due, count and amount;
    art. 16 of the 2020 text, kept by the 2025 revision: see ``services.publication``). A beat
    task drafts it in January; the credit office reviews and publishes it, which freezes its rows
    (``ArrearsPublicationRow``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已公开")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    drafted_at = models.DateTimeField(_("起草时间"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("拖欠账款年度公开")
        verbose_name_plural = _("拖欠账款年度公开")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.status}"


class ArrearsPublicationRow(models.Model):
    """One agency's line of a publication: its overdue contracts and the amount overdue."""

    publication = models.ForeignKey(
        ArrearsPublication, on_delete=models.CASCADE, related_name="rows"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    overdue_contracts = models.PositiveIntegerField(_("逾期合同数"))
    overdue_amount = models.DecimalField(_("逾期金额（元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("拖欠账款公开明细")
        verbose_name_plural = _("拖欠账款公开明细")
        ordering = ["publication_id", "-overdue_amount", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "agency"], name="%(app_label)s_%(class)s_one_per_agency"
            )
        ]

    def __str__(self):
        return f"{self.publication_id} {self.agency_id}"
