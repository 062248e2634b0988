"""Staff console under /console/."""

from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/<str:reference>/receipt/", views.receipt, name="receipt"),
    path("routing/", views.routing, name="routing"),
    path("supervision/", views.supervision, name="supervision"),
    path("c/<str:reference>/", views.case, name="case"),
    path("c/<str:reference>/act/<str:action>/", views.act, name="act"),
    path("c/<str:reference>/reply/", views.reply, name="reply"),
    path("c/<str:reference>/note/", views.note, name="note"),
    path("c/<str:reference>/files/<int:pk>/", views.attachment, name="attachment"),
]
