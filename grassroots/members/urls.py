"""The roster's pages: a member, their changes, logged reveals, the import, transfers."""

from django.urls import include, path

from grassroots.web import views, views_write

urlpatterns = [
    path("orgs/<str:code>/members/add/", views_write.member_add, name="org-member-add"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/events/add/", views_write.member_event_add, name="member-event-add"),
    path("members/<int:pk>/edit/", views_write.member_edit, name="member-edit"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member-reveal"),
    path("import/members/", views.member_import, name="member-import"),
    path("import/members/template.xlsx", views.member_import_template, name="member-import-template"),
    path("transfers/", include("grassroots.web.views_transfers")),
]
