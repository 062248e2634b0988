"""Agencies' credit scores: the current score and grade, and the history of their changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .record import AppendOnly


class AgencyCreditScore(models.Model):
    """The current score and grade of an agency, reconciled from its records by a task."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.PROTECT, related_name="credit_score", primary_key=True
    )
    score = models.DecimalField(_("信用分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("信用等级"), max_length=1)
    active_negative_records = models.PositiveIntegerField(_("有效失信记录数"), default=0)
    active_positive_records = models.PositiveIntegerField(_("有效守信记录数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("机构信用分")
        verbose_name_plural = _("机构信用分")
        indexes = [models.Index(fields=["grade", "score"], name="credit_score_grade_idx")]

    def __str__(self):
        return f"{self.agency_id} {self.score} {self.grade}"


class AgencyCreditScoreHistory(AppendOnly):
    """A row whenever an agency's score or grade changes: the trend chart's data."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="credit_score_history"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2)
    grade = models.CharField(max_length=1)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("信用分变化")
        verbose_name_plural = _("信用分变化")
        ordering = ["agency_id", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["agency", "recorded_at"], name="credit_score_hist_idx"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.score} @ {self.recorded_at:%Y-%m-%d}"
