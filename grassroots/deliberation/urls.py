"""Deliberation pages."""

from django.urls import path

from grassroots.deliberation import imports, views

urlpatterns = [
    path("orgs/<str:code>/deliberation/", views.home, name="deliberation-home"),
    path("orgs/<str:code>/deliberation/new/", views.body_new, name="deliberation-body-new"),
    path("orgs/<str:code>/deliberation/seats/import/", imports.seats_import, name="deliberation-seats-import"),
    path("orgs/<str:code>/deliberation/seats/import/template.xlsx", imports.seats_template,
         name="deliberation-seats-import-template"),
    path("orgs/<str:code>/deliberation/votes/", views.votes, name="deliberation-votes"),
    path("orgs/<str:code>/deliberation/cases/", views.cases, name="deliberation-cases"),
    path("orgs/<str:code>/deliberation/cases/new/", views.case_new, name="deliberation-case-new"),
    path("orgs/<str:code>/deliberation/topics/", views.topics, name="deliberation-topics"),
    path("orgs/<str:code>/deliberation/topics/new/", views.topic_new, name="deliberation-topic-new"),
    path("deliberation-bodies/<int:pk>/", views.body, name="deliberation-body"),
    path("deliberation-bodies/<int:pk>/seats/new/", views.seat_new, name="deliberation-seat-new"),
    path("deliberation-bodies/<int:pk>/meetings/new/", views.meeting_new, name="deliberation-meeting-new"),
    path("deliberation-seats/<int:pk>/end/", views.seat_end, name="deliberation-seat-end"),
    path("deliberation-meetings/<int:pk>/", views.meeting, name="deliberation-meeting"),
    path("deliberation-topics/<int:pk>/", views.topic, name="deliberation-topic"),
    path("deliberation-cases/<int:pk>/", views.case, name="deliberation-case"),
    path("p/<str:station>/topics/", views.public_topics, name="public-topics"),
    path("p/<str:station>/topics/<int:pk>/", views.public_topic, name="public-topic"),
]
