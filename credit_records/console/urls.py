"""Credit office console under /console/credit/."""

from django.urls import path

from . import views

app_name = "credit_console"
urlpatterns = [
    path("", views.record_list, name="records"),
    path("mine/", views.own_records, name="own_records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("arrears/<int:year>/", views.arrears_publication, name="arrears"),
    path("records/<int:pk>/object/", views.objection_new, name="objection_new"),
    path("objections/", views.objection_list, name="objections"),
    path(
        "objections/<int:pk>/files/<int:file_pk>/",
        views.objection_file_download,
        name="objection_file",
    ),
    path("clients/", views.integration_clients, name="clients"),
    path("clients/<int:pk>/", views.integration_client_edit, name="client_edit"),
    path("objections/<int:pk>/<str:decision>/", views.objection_decide, name="objection_decide"),
]
