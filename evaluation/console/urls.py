"""The evaluation dashboard under /console/evaluation/."""

from django.urls import path

from . import views

app_name = "evaluation_console"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rows/", views.rows, name="rows"),
]
