from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .health import healthz, readyz
from .public_site import text_size

# Django tries patterns in order; the two high-rate endpoints (the credit check, first in
# sanctions' list, and the intake) are reached after the fewest attempts.
api_v1 = [
    path("", include("sanctions.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("agencies.api.urls")),
    path("", include("credit_records.api.urls")),
    path("", include("sharing.api.urls")),
    path("", include("evaluation.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("text-size/", text_size, name="text_size"),
    path("admin/", admin.site.urls),
    path("", include("complaints.urls")),
    path("", include("evaluation.urls")),
    path("console/credit/", include("credit_records.console.urls")),
    path("console/agencies/", include("credit_records.console.agency_urls")),
    path("console/sanctions/", include("sanctions.console.urls")),
    path("console/sharing/", include("sharing.console.urls")),
    path("console/evaluation/", include("evaluation.console.urls")),
    path("console/account/", include("agencies.console.urls")),
    path("console/", include("complaints.console.urls")),
    path("credit/", include("credit_records.urls")),
    path("", include("sanctions.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file: the CSP forbids inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

handler500 = "integrity_portal.outage.server_error"
