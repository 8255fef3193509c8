"""The organization tree's write pages (the organization page itself is the shell's frame, in `web`)."""

from django.urls import path

from . import views, views_setup

urlpatterns = [
    path("setup/", views_setup.org_setup, name="org-setup"),
    path("orgs/<str:code>/children/add/", views.org_create_child, name="org-create-child"),
    path("orgs/<str:code>/rename/", views.org_rename, name="org-rename"),
    path("orgs/<str:code>/move/", views.org_move, name="org-move"),
    path("orgs/<str:code>/upgrade/", views.org_upgrade, name="org-upgrade"),
    path("orgs/<str:code>/merge/", views.org_merge, name="org-merge"),
    path("orgs/<str:code>/revoke/", views.org_revoke, name="org-revoke"),
    path("orgs/<str:code>/territory/", views.org_territory, name="org-territory"),
    path("import/orgs/", views.org_import, name="org-import"),
    path("import/orgs/template.xlsx", views.org_import_template, name="org-import-template"),
]
