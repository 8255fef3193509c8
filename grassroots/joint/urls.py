"""Joint-meeting pages."""

from django.urls import path

from grassroots.joint import views

urlpatterns = [
    path("orgs/<str:code>/joint/", views.home, name="joint-home"),
    path("orgs/<str:code>/joint/new/", views.body_new, name="joint-body-new"),
    path("orgs/<str:code>/joint/tasks/", views.tasks, name="joint-tasks"),
    path("orgs/<str:code>/joint/export/", views.export, name="joint-export"),
    path("joint-bodies/<int:pk>/", views.body, name="joint-body"),
    path("joint-bodies/<int:pk>/end/", views.body_end, name="joint-body-end"),
    path("joint-bodies/<int:pk>/members/new/", views.member_new, name="joint-member-new"),
    path("joint-bodies/<int:pk>/meetings/new/", views.session_new, name="joint-session-new"),
    path("joint-memberships/<int:pk>/end/", views.member_end, name="joint-member-end"),
    path("joint-meetings/<int:pk>/", views.session, name="joint-session"),
    path("joint-meetings/of-meeting/<int:pk>/", views.session_of_meeting, name="joint-session-of-meeting"),
    path("joint-decisions/<int:pk>/project/", views.decision_project, name="joint-decision-project"),
    path("joint-decisions/<int:pk>/task/", views.decision_task, name="joint-decision-task"),
    path("joint-tasks/<int:pk>/done/", views.task_done, name="joint-task-done"),
]
