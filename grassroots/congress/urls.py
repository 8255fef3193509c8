"""Practical-project pages (included at the site root), with the station's public pages under p/<station>/."""

from django.urls import path

from grassroots.congress import imports, views

urlpatterns = [
    path("orgs/<str:code>/practical-projects/", views.home, name="congress-home"),
    path("orgs/<str:code>/practical-projects/new/", views.project_new, name="congress-project-new"),
    path("orgs/<str:code>/practical-projects/export/", views.export, name="congress-export"),
    path("orgs/<str:code>/practical-projects/import/", imports.projects_import, name="congress-import"),
    path("orgs/<str:code>/practical-projects/import/template.xlsx", imports.projects_template,
         name="congress-import-template"),
    path("practical-projects/<int:pk>/", views.project, name="congress-project"),
    path("practical-projects/<int:pk>/edit/", views.project_edit, name="congress-project-edit"),
    path("practical-projects/<int:pk>/sub-projects/new/", views.subproject_new, name="congress-subproject-new"),
    path("practical-projects/<int:pk>/status/", views.status, name="congress-status"),
    path("practical-projects/<int:pk>/progress/", views.progress_new, name="congress-progress-new"),
    path("practical-projects/<int:pk>/milestones/new/", views.milestone_new, name="congress-milestone-new"),
    path("practical-projects/<int:pk>/reports/new/", views.report_new, name="congress-report-new"),
    path("practical-projects/<int:pk>/supervision/new/", views.supervision_new, name="congress-supervision-new"),
    path("practical-milestones/<int:pk>/done/", views.milestone_done, name="congress-milestone-done"),
    path("practical-supervision/<int:pk>/done/", views.supervision_done, name="congress-supervision-done"),
    path("p/<str:station>/projects/", views.public_projects, name="public-congress-projects"),
    path("p/<str:station>/projects/<int:pk>/", views.public_project, name="public-congress-project"),
]
