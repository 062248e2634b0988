from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ChangeFeedView, WebhookViewSet

router = SimpleRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("changes/", ChangeFeedView.as_view(), name="change-feed"),
    *router.urls,
]
