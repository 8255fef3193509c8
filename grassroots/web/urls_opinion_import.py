"""The opinions' Excel import page."""

from django.urls import path

from . import views_opinion_import as views

urlpatterns = [
    path("orgs/<str:code>/opinions/import/", views.opinion_import, name="opinion-import"),
    path("orgs/<str:code>/opinions/import/template.xlsx", views.opinion_import_template,
         name="opinion-import-template"),
]
