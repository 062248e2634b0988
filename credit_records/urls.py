"""Public credit pages under /credit/ (built by the credit-records work)."""

app_name = "credit"
urlpatterns: list = []
