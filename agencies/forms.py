"""The login form of the console and the admin site (Django's, through the lockout), and the
second factor's forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .services.lockout import LoginRefused, login_attempt, login_settled
from .services.second_factor import second_factor_expected


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("登录失败次数过多，账户已暂时锁定，请 15 分钟后再试或联系信用办解锁。"),
        "throttled": _("来自您所在网络的登录尝试过多，请稍后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if username and password:
            try:
                self.user_cache = login_attempt(
                    self.request, username=username, password=password, settle=False
                )
            except LoginRefused as refused:
                raise forms.ValidationError(
                    self.error_messages[refused.reason], code=refused.reason
                ) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            # With a second factor to come the count waits for the code (second_factor).
            if not second_factor_expected(self.user_cache):
                login_settled(self.user_cache)
        return self.cleaned_data


class SecondFactorForm(forms.Form):
    """The code after the password: six digits from the app, or one recovery code."""

    otp_token = forms.CharField(label=_("动态验证码或恢复码"), max_length=32, strip=True)

    error_messages = {
        "invalid": _("验证码不正确或已过期，请重新输入。"),
        "locked": LockoutAuthenticationForm.error_messages["locked"],
    }


class EnrolmentForm(forms.Form):
    """The first code of a newly scanned app, which confirms it."""

    otp_token = forms.RegexField(
        label=_("应用显示的6位验证码"),
        regex=r"^\s*\d{3}\s*\d{3}\s*$",
        error_messages={"invalid": _("请输入应用显示的6位数字验证码。")},
    )
