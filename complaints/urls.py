"""Public pages: /complaints/new/, /track/ (built by the intake work)."""

app_name = "complaints"
urlpatterns: list = []
