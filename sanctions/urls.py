"""Public pages of the sanctions app (mounted at the site root)."""

from django.urls import path

from . import views

app_name = "sanctions"
urlpatterns = [
    path("typical-cases/", views.typical_cases, name="typical_cases"),
]
