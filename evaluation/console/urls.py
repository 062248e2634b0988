"""The evaluation dashboard under /console/evaluation/."""

from django.urls import path

from . import views

app_name = "evaluation_console"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rows/", views.rows, name="rows"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/xlsx/", views.report_xlsx, name="report_xlsx"),
]
