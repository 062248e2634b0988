"""Public pages: /complaints/new/, /track/ (/stats/ is the evaluation app's)."""

from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/submitted/", views.complaint_submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:reference>/", views.track_detail, name="track_detail"),
    path("track/<str:reference>/message/", views.track_message, name="track_message"),
    path("track/<str:reference>/withdraw/", views.track_withdraw, name="track_withdraw"),
    path("track/<str:reference>/feedback/", views.track_feedback, name="track_feedback"),
]
