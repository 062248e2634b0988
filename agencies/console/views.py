"""Account pages of the console: enrolling the second factor, giving its code after the
password, and the credit office's pages for other accounts: unlocking locked accounts and
resetting the second factor of a lost phone."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import EnrolmentForm, LockoutAuthenticationForm, SecondFactorForm
from ..policy import policy_required, require
from ..selectors import accounts_managed_by, locked_accounts, staff_accounts_visible_to
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
    second_factor_reset,
    second_factor_reset_check,
    second_factor_satisfied,
    secret_text,
)

PAGE_SIZE = 50


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
    accounts = locked_accounts(user=request.user)
    return render(request, "agencies/console/locked.html", {"accounts": accounts})


@require_POST
@policy_required("staff.manage")
def unlock(request, pk):
    account = get_object_or_404(accounts_managed_by(request.user), pk=pk)
    account_unlock(actor=request.user, user=account, via="console")
    messages.success(request, _("账户 %(username)s 已解锁。") % {"username": account.username})
    return redirect("account_console:locked")


@policy_required("staff.manage")
def second_factors(request):
    """动态验证码重置: the staff accounts of the office's region and below, each with whether
    it has a second factor, its recovery codes left and whether it is locked; a reset button
    for a lost phone."""
    q = request.GET.get("q", "")[:100]
    page = Paginator(staff_accounts_visible_to(user=request.user, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "agencies/console/second_factors.html",
        {"page": page, "q": q, "now": timezone.now()},
    )


@require_POST
@policy_required("staff.manage")
def reset_second_factor(request, pk):
    """Asks first (it cannot be undone: the person must enrol again), then resets."""
    account = get_object_or_404(staff_accounts_visible_to(user=request.user), pk=pk)
    second_factor_reset_check(actor=request.user, user=account)
    if request.POST.get("confirmed") != "1":
        enrolled = _("已启用") if account.totp_enrolled else _("未启用")
        return render(
            request,
            "console/confirm.html",
            {
                "title": _("重置动态验证码"),
                "subject": f"{account.get_full_name() or account.username}"
                f" · {account.agency.name} · {account.get_role_display()}",
                "details": [
                    (_("用户名"), account.username),
                    (_("动态验证码"), enrolled),
                    (_("剩余恢复码"), account.recovery_codes_left),
                ],
                "consequences": [
                    _("删除该账户的动态验证码绑定和全部恢复码。"),
                    _("该账户在所有设备上退出登录，其接口令牌作废。"),
                    _("该账户下次登录后须重新绑定动态验证码。")
                    if second_factor_required(account)
                    else _("该账户下次登录时不再需要动态验证码，可自行重新绑定。"),
                    _("本次操作记入访问日志。"),
                ],
                "fields": [],
                "action": request.path,
                "cancel": reverse("account_console:second_factors"),
            },
        )
    ended = second_factor_reset(actor=request.user, user=account, via="console")
    if ended is None:
        messages.info(
            request,
            _("账户 %(username)s 没有绑定动态验证码，无需重置。") % {"username": account.username},
        )
    else:
        messages.success(
            request,
            _("已重置账户 %(username)s 的动态验证码，该账户已在所有设备上退出登录。")
            % {"username": account.username},
        )
    return redirect("account_console:second_factors")
