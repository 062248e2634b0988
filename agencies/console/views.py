"""Account pages of the console: enrolling the second factor, giving its code after the
password, and unlocking locked accounts (the credit office)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import EnrolmentForm, LockoutAuthenticationForm, SecondFactorForm
from ..models import User
from ..policy import policy_required, require
from ..selectors import locked_accounts
from ..services.lockout import LoginRefused, account_unlock
from ..services.second_factor import (
    code_check,
    enrolment_confirm,
    enrolment_device,
    qr_svg,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_done,
    second_factor_enrolled,
    second_factor_required,
    second_factor_satisfied,
    secret_text,
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("console:queue")


@login_required
def security(request):
    """账户安全: enrol a TOTP app (QR code, then its first code), or — enrolled — see how many
    recovery codes are left and get new ones. A session that still owes its code may enrol
    (the password alone opened this page), but an enrolled account must give the code first."""
    require(request.user, "account.security")
    user = request.user
    enrolled = second_factor_enrolled(user)
    if enrolled and not second_factor_satisfied(request):
        return redirect(f"{reverse('account_console:verify')}?{urlencode({'next': request.path})}")
    context = {"enrolled": enrolled, "required": second_factor_required(user)}
    if enrolled:
        context["codes_left"] = recovery_codes_left(user)
        return render(request, "agencies/console/security.html", context)
    device = enrolment_device(user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = enrolment_confirm(user=user, device=device, token=form.cleaned_data["otp_token"])
        if codes is not None:
            second_factor_done(request, device)
            context.update(enrolled=True, codes=codes, next=_next_url(request))
            return render(request, "agencies/console/security.html", context)
        form.add_error("otp_token", SecondFactorForm.error_messages["invalid"])
    context.update(
        form=form, qr=qr_svg(device), secret=secret_text(device), next=request.GET.get("next", "")
    )
    return render(request, "agencies/console/security.html", context, status=200)


@require_POST
@policy_required("account.security")
def recovery_codes(request):
    """New recovery codes (the old ones stop working); shown once."""
    user = request.user
    if not second_factor_enrolled(user):
        return redirect("account_console:security")
    codes = recovery_codes_renew(user=user)
    context = {"enrolled": True, "codes": codes, "required": second_factor_required(user)}
    return render(request, "agencies/console/security.html", context)


@login_required
def verify(request):
    """The code after the password. Five wrong codes lock the account like five wrong
    passwords; a locked account is logged out."""
    if second_factor_satisfied(request):
        return redirect(_next_url(request))
    if not second_factor_enrolled(request.user):
        target = urlencode({"next": _next_url(request)})
        return redirect(f"{reverse('account_console:security')}?{target}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = code_check(request, request.user, form.cleaned_data["otp_token"])
        except LoginRefused:
            logout(request)
            messages.error(request, LockoutAuthenticationForm.error_messages["locked"])
            return redirect("console:login")
        if device is not None:
            second_factor_done(request, device)
            return redirect(_next_url(request))
        form.add_error("otp_token", SecondFactorForm.error_messages["invalid"])
    return render(
        request, "agencies/console/verify.html", {"form": form, "next": _next_url(request)}
    )


@policy_required("staff.manage")
def locked(request):
    """账户解锁: the accounts locked now by wrong passwords or codes, each with an unlock
    button (otherwise each unlocks by itself when its time is up)."""
    return render(request, "agencies/console/locked.html", {"accounts": locked_accounts()})


@require_POST
@policy_required("staff.manage")
def unlock(request, pk):
    account = get_object_or_404(User, pk=pk)
    account_unlock(actor=request.user, user=account, via="console")
    messages.success(request, _("账户 %(username)s 已解锁。") % {"username": account.username})
    return redirect("account_console:locked")
