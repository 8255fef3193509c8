"""In-service members' pages."""

from django.urls import path

from grassroots.inservice import views

urlpatterns = [
    path("orgs/<str:code>/inservice/", views.home, name="inservice-home"),
    path("orgs/<str:code>/inservice/feedback/", views.feedback, name="inservice-feedback"),
    path("inservice/<int:pk>/", views.report, name="inservice-report"),
    path("inservice/<int:pk>/reveal/", views.reveal, name="inservice-reveal"),
    path("members/<int:pk>/inservice/", views.member_page, name="inservice-member"),
]
