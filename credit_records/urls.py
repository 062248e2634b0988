"""Public credit pages under /credit/."""

from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("", views.publicity_list, name="publicity"),
    path("agencies/<int:pk>/", views.agency_profile, name="agency"),
    path("arrears/<int:year>/", views.arrears_publication, name="arrears"),
]
