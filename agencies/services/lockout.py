"""Login lockout per account, and a throttle per client address beside it (DESIGN section 11).

Every login — the console, the admin site, the API's token endpoint — goes through
``login_attempt``. The account's count of consecutive failures is kept on its row: after
``LOCKOUT_FAILURES`` the account is locked for ``LOCKOUT_SECONDS`` (unlocked by time, or at
once by the credit office: ``account_unlock``). Keyed on the account, never on the address:
behind the city's reverse proxy every user shares one address, and one person's typos must
not lock everybody out. Guessing across many accounts from one address is what the
per-address throttle (cache, ``LOGIN_RATE_LIMIT`` failures per window) is for; it fails open
while Redis is down, the per-account count does not.
"""

import datetime as dt
import logging

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from integrity_portal.http import client_address
from integrity_portal.models import AccessLog

from ..policy import require

logger = logging.getLogger(__name__)

LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


class LoginRefused(Exception):
    """The attempt was not even checked: ``reason`` is ``locked`` or ``throttled``."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _address_rate():
    rate = api_settings.DEFAULT_THROTTLE_RATES.get("login")
    return SimpleRateThrottle.parse_rate(None, rate) if rate else None


def _address_key(request) -> str:
    return f"login-fail:a:{client_address(request)}"


def account_locked(username: str, *, now=None) -> bool:
    now = now or timezone.now()
    return get_user_model().objects.filter(username=username, locked_until__gt=now).exists()


def failure_recorded(request, username: str) -> None:
    """Count one failed attempt on ``username`` (a wrong password or a wrong second-factor
    code) and on the client's address."""
    now = timezone.now()
    last = LOCKOUT_FAILURES - 1
    # One UPDATE, so concurrent wrong passwords all count; the count restarts at the lock.
    get_user_model().objects.filter(username=username).update(
        failed_logins=Case(
            When(failed_logins__gte=last, then=Value(0)), default=F("failed_logins") + 1
        ),
        locked_until=Case(
            When(
                failed_logins__gte=last,
                then=Value(now + dt.timedelta(seconds=LOCKOUT_SECONDS)),
            ),
            default=F("locked_until"),
        ),
    )
    rate = _address_rate()
    if rate is not None and request is not None:
        key = _address_key(request)
        cache.add(key, 0, rate[1])
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, rate[1])


def login_attempt(request, *, username: str, password: str, settle: bool = True):
    """The user when the password is right and nothing refuses the attempt; None for a wrong
    username or password (counted); ``LoginRefused`` when the account is locked or the
    address throttled (checked first, so a locked account answers the same whatever the
    password). ``settle=False`` leaves the failure count for ``login_settled`` (a second
    factor still to come)."""
    rate = _address_rate()
    if rate is not None and request is not None:
        if (cache.get(_address_key(request)) or 0) >= rate[0]:
            raise LoginRefused("throttled")
    if account_locked(username):
        raise LoginRefused("locked")
    user = authenticate(request, username=username, password=password)
    if user is None:
        failure_recorded(request, username)
        return None
    if settle:
        login_settled(user)
    return user


def login_settled(user) -> None:
    """The whole login succeeded: the failure count starts again. With a second factor
    expected this waits for the code (``second_factor``): a password alone must not wipe the
    wrong codes counted before it, or the code could be guessed without end."""
    if user.failed_logins or user.locked_until:
        get_user_model().objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None


def account_unlock(*, actor, user, via: str = "api") -> None:
    """The credit office lifts a lockout at once (a locked official who called in). Logged
    in the access log (``account_unlock``, the account's username) with who did it."""
    require(actor, "staff.manage")
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        AccessLog.objects.create(
            user=actor, what="account_unlock", object_ref=user.username[:64], via=via
        )
    logger.info("account %s unlocked by %s", user.pk, actor.pk)
