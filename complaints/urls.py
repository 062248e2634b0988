"""Public pages: /complaints/new/, /track/ (/stats/ is the evaluation app's)."""

from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/submitted/", views.complaint_submitted, name="submitted"),
    path("track/", views.track, name="track"),
    # Before track/<reference>/, which would otherwise take "recover" for a reference.
    path("track/recover/", views.recovery_request, name="recovery_request"),
    path("track/recover/code/", views.recovery_confirm, name="recovery_confirm"),
    path("track/recover/done/", views.recovery_done, name="recovery_done"),
    path("track/<str:reference>/", views.track_detail, name="track_detail"),
    path("track/<str:reference>/message/", views.track_message, name="track_message"),
    path("track/<str:reference>/withdraw/", views.track_withdraw, name="track_withdraw"),
    path("track/<str:reference>/feedback/", views.track_feedback, name="track_feedback"),
    path(
        "track/<str:reference>/documents/<str:kind>/",
        views.track_document,
        name="track_document",
    ),
    path("verify/<str:code>/", views.verify, name="verify"),
]
