"""In-service members' pages."""

from django.urls import path

from grassroots.inservice import importer, views

urlpatterns = [
    path("orgs/<str:code>/inservice/", views.home, name="inservice-home"),
    path("orgs/<str:code>/inservice/feedback/", views.feedback, name="inservice-feedback"),
    path("orgs/<str:code>/inservice/import/", importer.import_view, name="inservice-import"),
    path("inservice/<int:pk>/", views.report, name="inservice-report"),
    path("orgs/<str:code>/inservice/roster/", views.roster, name="inservice-roster"),
    path("inservice/<int:pk>/card/", views.card, name="inservice-card"),
    path("inservice/<int:pk>/reveal/", views.reveal, name="inservice-reveal"),
    path("members/<int:pk>/inservice/", views.member_page, name="inservice-member"),
]
