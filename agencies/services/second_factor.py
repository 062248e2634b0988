"""The staff's second factor: TOTP with recovery codes (DESIGN section 11: "TOTP second factor
available"), kept by django-otp.

- Who must use it: credit officers and superusers, when ``STAFF_REQUIRE_TOTP`` is on (the
  default in production): they hold the keys to the credit records and the staff accounts.
  Any other staff member may enrol; once enrolled, the code is asked at every login.
- Enrolment: an unconfirmed TOTP device is made, shown as a QR code; the first right code
  confirms it, and ten single-use recovery codes (django-otp's static device) are issued.
- Reset (a lost phone): the credit office removes both devices (``second_factor_reset``) and
  the account's logins end; its next login enrols again (when it must) like the first.
- Verification after the password: a six-digit code is checked against the TOTP device,
  anything else against the recovery codes (each used once). A wrong code counts as a failed
  login on the account (``lockout.failure_recorded``), so five wrong codes lock it like five
  wrong passwords; django-otp's own per-device back-off stays on beside it.
"""

import logging
import re
from base64 import b32encode

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from integrity_portal.models import AccessLog

from ..policy import CREDIT_OFFICER, require
from .lockout import LoginRefused, account_locked, failure_recorded, login_settled
from .sessions import user_sessions_end

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"
_TOTP_FORM = re.compile(r"\d{6}")
_CODE_FORM = re.compile(r"[a-z0-9]{1,16}")  # a TOTP code or a recovery code (base32, lower)
OWED_SESSION_KEY = "second_factor_owed"


def second_factor_required(user) -> bool:
    """Credit officers and superusers, while ``STAFF_REQUIRE_TOTP`` is on."""
    if not settings.STAFF_REQUIRE_TOTP or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.role == CREDIT_OFFICER)


def second_factor_enrolled(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def second_factor_expected(user) -> bool:
    """Whether a login by ``user`` is complete only with a code: required of them, or they
    enrolled of their own accord."""
    return second_factor_required(user) or second_factor_enrolled(user)


def login_owes_code(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a password login of an account that gives a code leaves
    the session owing it (``second_factor_satisfied``) until ``second_factor_done``. Kept in
    the session, so requests of everybody else cost no query for the check."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if second_factor_expected(user):
        session[OWED_SESSION_KEY] = True
    else:
        session.pop(OWED_SESSION_KEY, None)


def second_factor_satisfied(request) -> bool:
    """Whether this request's session has given every proof its login asked for."""
    session = getattr(request, "session", None)
    if session is None or not session.get(OWED_SESSION_KEY):
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def second_factor_done(request, device) -> None:
    """The code was right: the session is verified (django-otp's login) and owes nothing."""
    otp_login(request, device)
    request.session.pop(OWED_SESSION_KEY, None)


def _clean(token: str) -> str:
    return re.sub(r"\s+", "", token or "").lower()


def code_check(request, user, token: str):
    """The device that accepts ``token`` for ``user``, else None (counted as a failed login).
    ``LoginRefused("locked")`` when the account is locked: checked first, so the right code
    does not open a locked account either."""
    if account_locked(user.get_username()):
        raise LoginRefused("locked")
    token = _clean(token)
    model = TOTPDevice if _TOTP_FORM.fullmatch(token) else StaticDevice
    device = None
    if _CODE_FORM.fullmatch(token):  # anything else (a NUL, 10 kB) is wrong without a query
        for candidate in model.objects.devices_for_user(user, confirmed=True):
            device = verify_token(user, candidate.persistent_id, token)
            if device is not None:
                break
    if device is None:
        failure_recorded(request, user.get_username())
        return None
    login_settled(user)
    return device


# --- enrolment ---------------------------------------------------------------------------


def enrolment_device(user) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed TOTP device, made on first call (so
    reloading the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice):
    """The ``otpauth://`` address of ``device`` as an inline SVG (no image request, no
    script: the CSP allows it)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="TOTP", svgclass="qr", lineclass=None
    )
    return mark_safe(svg)  # noqa: S308 — segno's own output, from our own address


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def enrolment_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """The first right code confirms ``device``: any other TOTP device of the user is removed,
    and fresh recovery codes are issued (returned, shown once). None for a wrong code."""
    token = _clean(token)
    if not _TOTP_FORM.fullmatch(token) or device.user_id != user.pk or device.confirmed:
        return None
    with transaction.atomic():
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_issue(user)
        AccessLog.objects.create(
            user=user, what="totp_enrol", object_ref=user.get_username()[:64], via="console"
        )
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes in place of the old ones (all of which stop working)."""
    with transaction.atomic():
        codes = _recovery_codes_issue(user)
        AccessLog.objects.create(
            user=user,
            what="recovery_codes_renew",
            object_ref=user.get_username()[:64],
            via="console",
        )
    return codes


def _recovery_codes_issue(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- reset by the credit office ----------------------------------------------------------


def second_factor_reset_check(*, actor, user) -> None:
    """403 unless ``actor`` may reset the second factor of ``user`` (``second_factor_reset``)."""
    require(actor, "staff.manage")
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能重置本人的动态验证码，请由其他信用办人员办理。"))


def second_factor_reset(*, actor, user, via: str = "console") -> int | None:
    """A staff member lost their phone: the credit office removes the account's TOTP and
    recovery-code devices, so its next login enrols again (required of credit officers while
    ``STAFF_REQUIRE_TOTP`` is on; anyone else may). Everything the lost factor opened ends with
    it: the account's console sessions and its API token (both were granted on that code).
    Logged in the access log (``totp_reset``, the account's username) with who did it. Returns
    the number of sessions ended; None when the account had no device (nothing is written).

    Nobody resets their own: a stolen, verified session must not be able to swap the factor
    it was verified with (another officer, or a superuser in the admin, does it).
    ``user`` must already be in ``actor``'s scope (the view's selector answers 404 otherwise).
    """
    second_factor_reset_check(actor=actor, user=user)
    with transaction.atomic():
        # The account's row is locked first: of two resets at once (a double click, two
        # officers), the second waits for the first to commit, then finds no device and
        # writes nothing.
        type(user).objects.select_for_update().get(pk=user.pk)
        removed, _kinds = TOTPDevice.objects.filter(user=user).delete()
        removed += StaticDevice.objects.filter(user=user).delete()[0]  # tokens go too (CASCADE)
        if not removed:
            return None
        Token.objects.filter(user=user).delete()
        AccessLog.objects.create(
            user=actor, what="totp_reset", object_ref=user.get_username()[:64], via=via
        )
    # After the commit: a session that logs in from now on meets the account without a factor,
    # which is the new state; every session opened before it is found and ended.
    ended = user_sessions_end(user=user)
    logger.info("second factor of account %s reset by %s", user.pk, actor.pk)
    return ended
