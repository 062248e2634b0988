"""The console's navigation: every staff page a role reaches from the header, each with the
verb of the policy table (``agencies.policy``) that opens it. A user sees exactly the entries
whose verb the table gives one of their roles, so the header never offers a page that would
answer 403."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies import policy


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: object
    verb: str


NAVIGATION = (
    Entry("console:queue", _("待办案件"), "complaint.read"),
    Entry("console:my_cases", _("我的案件"), "complaint.my_cases"),
    Entry("console:register", _("登记投诉"), "complaint.register"),
    Entry("console:routing", _("待分办"), "complaint.routing_queue"),
    Entry("console:supervision", _("超期督办"), "complaint.supervision_queue"),
    Entry("console:follow_up", _("回访"), "complaint.follow_up_queue"),
    Entry("credit_console:records", _("信用记录"), "credit_record.browse"),
    Entry("credit_console:own_records", _("本单位信用记录"), "objection.file"),
    Entry("sanctions_console:check", _("信用核查"), "credit_check.run"),
    Entry("sanctions_console:repairs", _("信用修复"), "repair.read"),
    Entry("sanctions_console:sanctions", _("失信惩戒"), "sanction.browse"),
    Entry("sharing_console:webhooks", _("数据推送"), "webhook.manage"),
    Entry("credit_console:clients", _("对接系统"), "integration_client.read"),
    Entry("evaluation_console:dashboard", _("考核评价"), "evaluation.read"),
    Entry("account_console:locked", _("账户解锁"), "staff.manage"),
    Entry("account_console:second_factors", _("动态验证码重置"), "staff.manage"),
    Entry("account_console:security", _("账户安全"), "account.security"),
)
# A liaison's queue holds the complaints against its own agency: the entry says so.
QUEUE_LABELS = {policy.AGENCY_LIAISON: _("针对本单位的投诉")}


def console_navigation(user) -> list[dict]:
    """The header entries ``user`` may open, in order: ``[{"url", "label"}]``."""
    if not policy.is_staff(user):
        return []
    entries = []
    for entry in NAVIGATION:
        if not policy.may(user, entry.verb):
            continue
        label = entry.label
        if entry.url_name == "console:queue":
            label = QUEUE_LABELS.get(user.role, label)
        entries.append({"url": reverse(entry.url_name), "label": label})
    return entries


def navigation(request) -> dict:
    """Context processor: ``console_nav`` for the console's header (lazy: only pages that
    render the header pay for it)."""
    from django.utils.functional import SimpleLazyObject

    from agencies.services.second_factor import second_factor_satisfied

    def entries():
        # A login that still owes its second-factor code is offered nothing but giving it.
        if not second_factor_satisfied(request):
            return []
        return console_navigation(request.user)

    return {"console_nav": SimpleLazyObject(entries)}
