"""Staff console under /console/ (built by the workflow work)."""

app_name = "console"
urlpatterns: list = []
