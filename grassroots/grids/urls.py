"""Grids, included at the site root."""

from django.urls import path

from .views import imports, pages

urlpatterns = [
    path("grids/", pages.grid_mine, name="grid-mine"),
    path("orgs/<str:code>/grids/", pages.grid_list, name="grid-list"),
    path("orgs/<str:code>/grids/setup/", pages.grid_setup, name="grid-setup"),
    path("orgs/<str:code>/grids/new/", pages.grid_new, name="grid-new"),
    path("orgs/<str:code>/grids/import/", imports.grid_import, name="grid-import"),
    path("orgs/<str:code>/grids/import/template.xlsx", imports.grid_import_template, name="grid-import-template"),
    path("grids/<int:pk>/", pages.grid_detail, name="grid-detail"),
    path("grids/<int:pk>/edit/", pages.grid_edit, name="grid-edit"),
    path("grids/<int:pk>/party-group/", pages.grid_party_group, name="grid-party-group"),
    path("grids/<int:pk>/workers/new/", pages.grid_worker_new, name="grid-worker-new"),
    path("grids/<int:pk>/workers/end/", pages.grid_worker_end, name="grid-worker-end"),
    path("grids/<int:pk>/households/", pages.grid_assign, name="grid-assign"),
    path("grids/<int:pk>/reveal/", pages.grid_reveal, name="grid-reveal"),
]
