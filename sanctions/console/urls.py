"""Console pages under /console/sanctions/."""

from django.urls import path

from . import views

app_name = "sanctions_console"
urlpatterns = [
    path("", views.sanctions, name="sanctions"),
    path("check/", views.check, name="check"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule, name="rule"),
    path("typical-cases/", views.typical_cases_console, name="typical_cases"),
    path("repairs/", views.repairs, name="repairs"),
    path("repairs/apply/<int:record_pk>/", views.repair_new, name="repair_apply"),
    path("repairs/<int:pk>/", views.repair, name="repair"),
    path("repairs/<int:pk>/files/<int:file_pk>/", views.repair_file, name="repair_file"),
    path("repairs/<int:pk>/<str:action>/", views.repair_act, name="repair_act"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/notice/", views.notice, name="notice"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
