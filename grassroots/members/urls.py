"""The roster's pages: a member, their changes, logged reveals, the import, transfers."""

from django.urls import path

from .views import detail, imports, transfers, write

urlpatterns = [
    path("orgs/<str:code>/members/add/", write.member_add, name="org-member-add"),
    path("members/<int:pk>/", detail.member_detail, name="member-detail"),
    path("members/<int:pk>/events/add/", write.member_event_add, name="member-event-add"),
    path("members/<int:pk>/edit/", write.member_edit, name="member-edit"),
    path("members/<int:pk>/reveal/<str:field>/", detail.member_reveal, name="member-reveal"),
    path("import/members/", imports.member_import, name="member-import"),
    path("import/members/template.xlsx", imports.member_import_template, name="member-import-template"),
    path("transfers/", transfers.transfers, name="transfers"),
    path("transfers/<int:pk>/accept/", transfers.transfer_accept, name="transfer-accept"),
    path("transfers/<int:pk>/return/", transfers.transfer_return, name="transfer-return"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer-cancel"),
]
