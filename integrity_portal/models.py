"""Cross-cutting configuration kept in the database: the working-day calendar overrides and
the time-limit policies of the complaint workflow (DESIGN section 5), both editable in the admin.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .ttl_cache import TTLCache


class WorkdayOverride(models.Model):
    """A date whose working-day status the operator sets by hand.

    The holiday package only knows the years the State Council has published (国务院办公厅关于
    节假日安排的通知, usually in November for the next year). Overrides cover the gap and any
    local arrangement; they win over the package.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


# The policies are read on every submission; cached per process, cleared on save/delete
# (integrity_portal.apps), seen by other processes within the TTL.
policies_cache = TTLCache(seconds=60)


class TimeLimitPolicy(models.Model):
    """Time limits of one complaint domain (``domain`` empty = the default for every domain).

    Defaults (DESIGN section 5): acceptance within 2 working days of routing, verification within
    10 working days of acceptance, rectification 30 days. ``payment_arrears`` adds a written
    result within 30 days of routing, extendable with approval to 90 days in total (保障中小企业
    款项支付条例 第二十五条).
    """

    domain = models.CharField(_("领域"), max_length=32, unique=True, blank=True, default="")
    # 保障中小企业款项支付条例 (2025 revision) 第二十五条, the complaint-handling article DESIGN
    # section 5 cites for the 30/90-day result: its first sentence has the accepting department
    # pass a complaint on 自正式受理之日起10个工作日内. The same limit applies here to every
    # domain's routing by the credit office (local practice beyond arrears).
    routing_workdays = models.PositiveSmallIntegerField(
        _("分办时限（工作日）"), default=10, db_default=10
    )
    acceptance_workdays = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=2)
    verification_workdays = models.PositiveSmallIntegerField(_("核实时限（工作日）"), default=10)
    result_days = models.PositiveSmallIntegerField(
        _("书面答复时限（自转办起自然日）"),
        null=True,
        blank=True,
        help_text=_("设置后，核实阶段以自转办之日起的自然日计算，例如拖欠中小企业账款 30 日。"),
    )
    result_max_days = models.PositiveSmallIntegerField(
        _("延期后最长时限（自然日）"), null=True, blank=True
    )
    rectification_days = models.PositiveSmallIntegerField(_("默认整改期限（自然日）"), default=30)
    reminder_workdays = models.PositiveSmallIntegerField(_("到期提醒（提前工作日）"), default=2)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result_max_days__isnull=True)
                | (Q(result_days__isnull=False) & Q(result_max_days__gte=models.F("result_days"))),
                name="%(app_label)s_%(class)s_max_not_below_result",
            )
        ]

    def __str__(self):
        return self.domain or str(_("默认"))

    def clean(self):
        if self.result_max_days is not None and (
            self.result_days is None or self.result_max_days < self.result_days
        ):
            raise ValidationError({"result_max_days": _("最长时限不能短于书面答复时限。")})


class SweepClaim(models.Model):
    """A periodic job's claim on one piece of work (e.g. "reminder for case 17, due 2026-05-08").

    The unique constraint makes a sweep safe to run twice or in two workers at once: only the
    run that inserts the row does the work.
    """

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    # The moment the work is about (e.g. the due date being reminded of); a moved due date is
    # new work. Comparable in SQL, so a sweep can skip claimed work with an anti-join.
    at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "at"], name="%(app_label)s_%(class)s_unique_at"
            )
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id}:{self.at}"


class AccessKind(models.TextChoices):
    """What an ``AccessLog`` row records: a look at protected data or a security act."""

    COMPLAINANT_CONTACT = "complainant_contact", _("查看投诉人联系方式")
    EVIDENCE_DOWNLOAD = "evidence_download", _("下载证据文件")
    ACCOUNT_UNLOCK = "account_unlock", _("解除账号锁定")
    TOTP_ENROL = "totp_enrol", _("绑定动态口令")
    RECOVERY_CODES_RENEW = "recovery_codes_renew", _("更换恢复码")
    TOTP_RESET = "totp_reset", _("重置动态口令")
    EVENT_CHAIN_REHASH = "event_chain_rehash", _("重算事件链")


class AccessVia(models.TextChoices):
    API = "api", _("接口")
    CONSOLE = "console", _("工作台")
    COMMAND = "command", _("管理命令")


class AccessLog(models.Model):
    """Who looked at protected data, when (DESIGN section 11: every view of complainant
    contact data and every evidence download is logged), and the security acts on accounts
    and the event chain. Append-only by convention; read in the admin."""

    user = models.ForeignKey("agencies.User", null=True, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(_("访问事项"), max_length=32, choices=AccessKind.choices)
    object_ref = models.CharField(_("访问对象"), max_length=64)
    via = models.CharField(_("访问途径"), max_length=16, choices=AccessVia.choices, default="api")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("访问日志")
        verbose_name_plural = _("访问日志")
        ordering = ["-at"]
        indexes = [models.Index(fields=["what", "object_ref"], name="ip_accesslog_object_idx")]

    def __str__(self):
        return f"{self.at} {self.user_id} {self.what} {self.object_ref}"
