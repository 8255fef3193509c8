"""Assistance, included at the site root: an organization's ledger, kinds, donations and rounds; a household's
assistance; one entry; a round, its lines and its receipt; the import."""

from django.urls import path

from . import imports, views

urlpatterns = [
    path("orgs/<str:code>/assistance/", views.ledger, name="assistance-ledger"),
    path("orgs/<str:code>/assistance/kinds/", views.kinds, name="assistance-kinds"),
    path("orgs/<str:code>/assistance/donations/", views.donations, name="assistance-donations"),
    path("orgs/<str:code>/assistance/rounds/", views.rounds, name="assistance-rounds"),
    path("orgs/<str:code>/assistance/import/", imports.assistance_import, name="assistance-import"),
    path("orgs/<str:code>/assistance/import/template.xlsx", imports.import_template,
         name="assistance-import-template"),
    path("assistance/household/<int:pk>/", views.household_page, name="assistance-household"),
    path("assistance/household/<int:pk>/new/", views.entry_new, name="assistance-new"),
    path("assistance/<int:pk>/", views.entry_page, name="assistance-entry"),
    path("assistance/rounds/<int:pk>/", views.round_page, name="assistance-round"),
    path("assistance/rounds/<int:pk>/receipt/", views.round_receipt, name="assistance-round-receipt"),
    path("assistance/lines/<int:pk>/remove/", views.line_remove, name="assistance-line-remove"),
]
