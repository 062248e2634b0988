"""The login form of the console and the admin site: Django's, through the lockout."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .services.lockout import LoginRefused, login_attempt


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
                self.user_cache = login_attempt(self.request, username=username, password=password)
            except LoginRefused as refused:
                raise forms.ValidationError(
                    self.error_messages[refused.reason], code=refused.reason
                ) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
