from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    AgencyCreditView,
    ArrearsPublicationViewSet,
    CreditRecordViewSet,
    IntegrationClientViewSet,
    ObjectionViewSet,
)

router = SimpleRouter()
router.register("credit-records", CreditRecordViewSet, basename="credit-record")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("arrears-publication", ArrearsPublicationViewSet, basename="arrears-publication")
router.register("integration-clients", IntegrationClientViewSet, basename="integration-client")

urlpatterns = [
    path("agencies/<int:pk>/credit/", AgencyCreditView.as_view(), name="agency-credit"),
    *router.urls,
]
