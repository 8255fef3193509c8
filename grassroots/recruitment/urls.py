"""Recruitment's pages: the pipeline board, a candidate, the printable notice and ballot."""

from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<str:code>/pipeline/", views.pipeline, name="pipeline"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/notice/print/", views.candidate_notice_print, name="candidate-notice-print"),
    path("candidates/<int:pk>/votes/<int:vote_pk>/print/", views.vote_print, name="candidate-vote-print"),
]
