"""Console pages under /console/sharing/ (the credit office's webhook subscriptions)."""

from django.urls import path

from . import views

app_name = "sharing_console"
urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook, name="webhook"),
    path("webhooks/<int:pk>/redeliver/<int:delivery>/", views.redeliver, name="redeliver"),
]
