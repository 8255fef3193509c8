"""Proposal pages."""

from django.urls import path

from grassroots.proposals import imports, views

urlpatterns = [
    path("orgs/<str:code>/proposals/", views.home, name="proposals-home"),
    path("orgs/<str:code>/proposals/new/", views.new, name="proposal-new"),
    path("orgs/<str:code>/proposals/import/", imports.proposals_import, name="proposals-import"),
    path("orgs/<str:code>/proposals/import/template.xlsx", imports.proposals_template,
         name="proposals-import-template"),
    path("proposals/<int:pk>/", views.detail, name="proposal-detail"),
    path("proposals/<int:pk>/accept/", views.accept, name="proposal-accept"),
    path("proposals/<int:pk>/merge/", views.merge, name="proposal-merge"),
    path("proposals/<int:pk>/convert/", views.convert, name="proposal-convert"),
    path("proposals/<int:pk>/extend/", views.extend, name="proposal-extend"),
    path("proposals/<int:pk>/answer/", views.answer, name="proposal-answer"),
    path("proposals/<int:pk>/rate/", views.rate, name="proposal-rate"),
    path("proposals/<int:pk>/reopen/", views.reopen, name="proposal-reopen"),
    path("proposals/<int:pk>/close/", views.close, name="proposal-close"),
    path("proposals/<int:pk>/project/", views.project, name="proposal-project"),
    path("proposals/<int:pk>/attach/", views.attach, name="proposal-attach"),
    path("proposal-attachments/<int:pk>/", views.attachment, name="proposal-attachment"),
]
