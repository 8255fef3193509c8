"""Member points pages."""

from django.urls import path

from grassroots.points import views

urlpatterns = [
    path("orgs/<str:code>/points/", views.totals, name="points-totals"),
    path("orgs/<str:code>/points/proposals/", views.proposals, name="points-proposals"),
    path("orgs/<str:code>/points/entries/", views.entries, name="points-entries"),
    path("orgs/<str:code>/points/give/", views.give, name="points-give"),
    path("orgs/<str:code>/points/exemptions/", views.exemptions, name="points-exemptions"),
    path("orgs/<str:code>/points/scheme/", views.scheme, name="points-scheme"),
    path("orgs/<str:code>/points/ranking/", views.ranking, name="points-ranking"),
    path("orgs/<str:code>/points/import/", views.points_import, name="points-import"),
    path("members/<int:pk>/points/", views.statement, name="points-statement"),
]
