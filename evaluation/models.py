"""The evaluation scheme (考核方案) as versioned data, and the archived periodic reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationScheme(models.Model):
    """One version of the evaluation scheme. Versions are never edited: the credit office
    saves a new version, and a report names the version it used (DESIGN section 8).

    ``indicators``: ``[{"figure": <rate code>, "weight": <points>, "target": "0.95"}]`` — a
    group earns ``weight × min(1, value / target)`` points, full points when there was
    nothing to count. ``deductions``: ``[{"code": <deduction code>, "points": n, "max": m}]``
    — ``points`` per occurrence, at most ``max`` in total (see ``evaluation.scheme``).
    """

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=200)
    indicators = models.JSONField(_("指标"), default=list)
    deductions = models.JSONField(_("直接扣分项"), default=list)
    basis = models.TextField(_("依据"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version} {self.name}"


class EvaluationReport(models.Model):
    """An archived periodic evaluation report: the figures of one quarter or year, built once
    the period has ended, with the scheme version used and the SHA-256 of its content (the
    figures as canonical JSON), so a rebuild from the same data can be compared."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年度")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    scheme_version = models.PositiveIntegerField(_("考核方案版本"))
    content_hash = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    figures = models.JSONField(_("考核数据"))
    # The monthly trend of the period (received / closed / overdue by month of submission), for
    # the printable page's chart; null in reports archived before it was kept.
    trend = models.JSONField(_("月度趋势"), null=True, blank=True)
    xlsx = models.BinaryField(_("XLSX 文件"))
    built_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核报告")
        verbose_name_plural = _("考核报告")
        ordering = ["-period_end", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"], name="%(app_label)s_%(class)s_one_per_period"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.period_start}–{self.period_end}"
