"""Staff console under /console/."""

from django.urls import path

from . import follow_up, views, work

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/<str:reference>/receipt/", views.receipt, name="receipt"),
    path("routing/", views.routing, name="routing"),
    path("supervision/", views.supervision, name="supervision"),
    path("mine/", work.my_cases, name="my_cases"),
    path("assign/", work.assign_bulk, name="assign_bulk"),
    path("filters/", work.filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", work.filter_delete, name="filter_delete"),
    path("follow-up/", follow_up.queue, name="follow_up"),
    path("follow-up/<str:reference>/", follow_up.record, name="follow_up_record"),
    path("c/<str:reference>/", views.case, name="case"),
    path("c/<str:reference>/act/<str:action>/", views.act, name="act"),
    path("c/<str:reference>/reply/", views.reply, name="reply"),
    path("c/<str:reference>/assign/", work.assign, name="assign"),
    path("c/<str:reference>/note/", views.note, name="note"),
    path("c/<str:reference>/files/<int:pk>/", views.attachment, name="attachment"),
]
