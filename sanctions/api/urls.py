from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CreditCheckView,
    MeasureViewSet,
    RepairViewSet,
    SanctionRuleViewSet,
    SanctionViewSet,
    TypicalCaseViewSet,
)

router = SimpleRouter()
router.register("measures", MeasureViewSet, basename="measure")
router.register("sanction-rules", SanctionRuleViewSet, basename="sanction-rule")
router.register("sanctions", SanctionViewSet, basename="sanction")
router.register("repairs", RepairViewSet, basename="repair")
router.register("typical-cases", TypicalCaseViewSet, basename="typical-case")

urlpatterns = [
    path("credit-check/", CreditCheckView.as_view(), name="credit-check"),
    *router.urls,
]
