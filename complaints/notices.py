"""The complainant's e-mails and SMS as text, in the complainant's language.

A notice is written to the outbox (``Notification``) as a text code (``template``) and its
parameters (``params``) with the complaint's language; ``notice_text`` renders it when it is
sent, under ``translation.override(row.language)``, so a complaint filed in English gets its
receipt, status notices, reply notices and one-time codes in English, one filed in Chinese gets
them in Chinese, whatever language the staff member or worker that caused them uses. Rows
without a code (staff e-mails, rows written before codes) are sent as stored.

Parameters are data (reference, title, a status or sender code, an event's action and data),
never a rendered sentence.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import MessageSender, NotificationChannel, Status
from .models import ComplaintEvent, Notification

RECEIPT = "receipt"
STATUS = "status"
REPLY = "reply"
ACCESS_CODE_RESET = "access_code_reset"
RECOVERY_CODE = "recovery_code"
RECORD_REPAIRED = "record_repaired"
REVIEW_DECIDED = "review_decided"


def tracking_url(reference: str) -> str:
    """The complaint's tracking page: it asks for the access code (or offers to recover it)."""
    return settings.SITE_URL + reverse("complaints:track_detail", args=[reference])


def _status(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def _receipt(p: dict) -> tuple[str, str, str]:
    """受理回执: says how to track, never with the access code (a message can be read by
    others; the code is shown once on the receipt page and can be replaced by 找回查询码)."""
    p = {**p, "status": _status(p["status"]), "url": tracking_url(p["reference"])}
    return (
        _("投诉已受理：%(reference)s") % p,
        _(
            "您的投诉“%(title)s”已提交，受理编号 %(reference)s，当前状态：%(status)s。\n"
            "查看办理进度：%(url)s\n"
            "请输入受理编号和提交时获得的查询码。查询码遗失的，可在该页面点击“找回查询码”，"
            "凭受理编号和本邮箱或登记的手机号码重新设置。"
        )
        % p,
        _(
            "【政务诚信投诉】您的投诉已提交，受理编号%(reference)s，当前状态：%(status)s。"
            "凭受理编号和查询码查看进度：%(url)s；查询码遗失可在该页面找回。"
        )
        % p,
    )


def _event_values(p: dict) -> dict:
    """The reference, the status label and the event's public sentence, in the active
    language."""
    from .timeline import public_text

    event = ComplaintEvent(
        action=p.get("action", ""),
        data=p.get("data") or {},
        message=p.get("message", ""),
        is_public=True,
    )
    return {
        "reference": p["reference"],
        "status": _status(p["status"]),
        "message": public_text(event),
    }


def _status_notice(p: dict) -> tuple[str, str, str]:
    values = _event_values(p)
    return (
        _("投诉办理进度更新：%(reference)s") % values,
        _("您的投诉（受理编号 %(reference)s）状态已更新为：%(status)s。\n%(message)s") % values,
        _("【政务诚信投诉】您的投诉%(reference)s状态已更新为：%(status)s。") % values,
    )


def _review_decided(p: dict) -> tuple[str, str, str]:
    """复核 decided: upheld (verifying again) or refused (still unfounded), with the reason."""
    values = _event_values(p)
    return (
        _("投诉复核结果：%(reference)s") % values,
        _(
            "您的投诉（受理编号 %(reference)s）的复核申请已有决定，"
            "当前状态：%(status)s。\n%(message)s"
        )
        % values,
        _(
            "【政务诚信投诉】您的投诉%(reference)s的复核申请已有决定，当前状态：%(status)s。"
            "请凭查询码查看。"
        )
        % values,
    )


def _reply(p: dict) -> tuple[str, str, str]:
    sender = p.get("sender", "")
    values = {
        "reference": p["reference"],
        "sender": str(MessageSender(sender).label) if sender in MessageSender.values else sender,
        "url": tracking_url(p["reference"]),
    }
    return (
        _("投诉有新的回复：%(reference)s") % values,
        _(
            "%(sender)s就您的投诉（受理编号 %(reference)s）给您留言，"
            "请凭受理编号和查询码查看：%(url)s"
        )
        % values,
        _("【政务诚信投诉】%(sender)s就您的投诉%(reference)s给您留言，请凭查询码查看：%(url)s")
        % values,
    )


def _access_code_reset(p: dict) -> tuple[str, str, str]:
    """Tells the contact on file that the access code was replaced (找回查询码), so an
    unexpected reset does not go unnoticed."""
    return (
        _("查询码已重设：%(reference)s") % p,
        _(
            "您的投诉（受理编号 %(reference)s）的查询码已通过找回流程重新设置，原查询码已失效。\n"
            "如非本人操作，请联系信用办。"
        )
        % p,
        _(
            "【政务诚信投诉】您的投诉%(reference)s的查询码已重新设置，原查询码已失效。"
            "如非本人操作，请联系信用办。"
        )
        % p,
    )


def _recovery_code(p: dict) -> tuple[str, str, str]:
    return (
        _("找回查询码验证码：%(reference)s") % p,
        _(
            "您正在找回投诉（受理编号 %(reference)s）的查询码。\n"
            "验证码：%(code)s，%(minutes)s分钟内有效，只能使用一次。\n"
            "如非本人操作，请忽略本邮件，您原来的查询码仍然有效。"
        )
        % p,
        _(
            "【政务诚信投诉】您正在找回投诉%(reference)s的查询码，验证码%(code)s，"
            "%(minutes)s分钟内有效。如非本人操作，请忽略本短信。"
        )
        % p,
    )


def _record_repaired(p: dict) -> tuple[str, str, str]:
    """信用修复 approved for the record the complaint produced (sanctions.notifications)."""
    text = _(
        "您的投诉（受理编号 %(reference)s）所涉失信行为，被投诉主体已纠正并完成履约，"
        "经认定部门确认和信用办审核，相关失信记录已修复。"
    ) % {"reference": p["reference"]}
    return (
        _("投诉所涉失信记录已修复：%(reference)s") % p,
        text,
        _("【政务诚信投诉】") + text,
    )


TEXTS = {
    RECEIPT: _receipt,
    STATUS: _status_notice,
    REPLY: _reply,
    ACCESS_CODE_RESET: _access_code_reset,
    RECOVERY_CODE: _recovery_code,
    RECORD_REPAIRED: _record_repaired,
    REVIEW_DECIDED: _review_decided,
}


# What each text code is, for the admin's outbox list (a code never reaches a page unlabelled).
LABELS = {
    RECEIPT: gettext_lazy("受理回执"),
    STATUS: gettext_lazy("办理进度更新"),
    REPLY: gettext_lazy("新的回复"),
    ACCESS_CODE_RESET: gettext_lazy("查询码已重设"),
    RECOVERY_CODE: gettext_lazy("找回查询码验证码"),
    RECORD_REPAIRED: gettext_lazy("失信记录已修复"),
    REVIEW_DECIDED: gettext_lazy("复核结果"),
}


def notice_language(language: str) -> str:
    """``language`` when the product speaks it, else the product's language."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def notice_text(row: Notification) -> tuple[str, str]:
    """The subject and body to send for ``row``: rendered from its code in its language, or
    as stored for a row without a code."""
    render = TEXTS.get(row.template)
    if render is None:
        return row.subject, row.body
    with translation.override(notice_language(row.language)):
        subject, body, sms = render(row.params or {})
    if row.channel == NotificationChannel.EMAIL:
        return subject[:200], body
    return "", sms
