"""The dashboard of a committee or a branch (issue 6)."""

from django.urls import path

from . import views_dashboards

urlpatterns: list = [
    path("orgs/<str:code>/dashboard/", views_dashboards.dashboard, name="dashboard"),
]
