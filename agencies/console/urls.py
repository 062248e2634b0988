"""Account pages of the console under /console/account/: one's second factor, the code after
the password, and the credit office's unlocking of locked accounts."""

from django.urls import path

from . import views

app_name = "account_console"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("verify/", views.verify, name="verify"),
    path("locked/", views.locked, name="locked"),
    path("locked/<int:pk>/unlock/", views.unlock, name="unlock"),
]
