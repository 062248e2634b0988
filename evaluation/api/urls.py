from django.urls import path

from .views import EvaluationView, LedgerView

urlpatterns = [
    path("evaluation/", EvaluationView.as_view(), name="evaluation"),
    path("ledger/", LedgerView.as_view(), name="ledger"),
]
