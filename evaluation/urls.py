"""Public pages of the evaluation app: /stats/."""

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("stats/", views.stats, name="stats"),
]
