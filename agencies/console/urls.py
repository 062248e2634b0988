"""Account pages of the console under /console/account/: one's second factor, the code after
the password, and the credit office's pages for other accounts: unlocking locked accounts and
resetting the second factor of a lost phone."""

from django.urls import path

from . import views

app_name = "account_console"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("verify/", views.verify, name="verify"),
    path("locked/", views.locked, name="locked"),
    path("locked/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("second-factor/", views.second_factors, name="second_factors"),
    path("second-factor/<int:pk>/reset/", views.reset_second_factor, name="second_factor_reset"),
]
