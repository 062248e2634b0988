"""Agency credit profiles in the console under /console/agencies/."""

from django.urls import path

from . import views

app_name = "agency_console"
urlpatterns = [path("<int:pk>/", views.agency_profile, name="profile")]
