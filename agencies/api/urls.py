from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AgencyViewSet, StaffViewSet, TokenView

router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("staff", StaffViewSet, basename="staff")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
