"""Households, included at the site root: an organization's households, a place's households (what a grid worker
opens), one household with its forms, persons and situations, the special fields' switch, and the import."""

from django.urls import path

from . import imports, views

urlpatterns = [
    path("orgs/<str:code>/households/", views.org_households, name="household-org"),
    path("orgs/<str:code>/households/persons.xlsx", views.org_persons_export, name="household-persons-export"),
    path("orgs/<str:code>/households/special-fields/", views.special_fields, name="household-special-fields"),
    path("orgs/<str:code>/households/import/", imports.household_import, name="household-import"),
    path("orgs/<str:code>/households/import/template.xlsx", imports.household_import_template,
         name="household-import-template"),
    path("household-places/<int:pk>/", views.place_households, name="household-place"),
    path("household-places/<int:pk>/new/", views.household_new, name="household-new"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/move/", views.household_move, name="household-move"),
    path("households/<int:pk>/leave/", views.household_leave, name="household-leave"),
    path("households/<int:pk>/head/", views.household_head, name="household-head"),
    path("households/<int:pk>/reveal/<str:field>/", views.household_reveal, name="household-reveal"),
    path("households/<int:pk>/persons/new/", views.person_add, name="household-person-add"),
    path("households/<int:pk>/situations/new/", views.situation_start, name="household-situation-start"),
    path("households/persons/<int:pk>/edit/", views.person_edit, name="household-person-edit"),
    path("households/persons/<int:pk>/leave/", views.person_leave, name="household-person-leave"),
    path("households/persons/<int:pk>/reveal/<str:field>/", views.person_reveal, name="household-person-reveal"),
    path("households/situations/<int:pk>/end/", views.situation_end, name="household-situation-end"),
    path("households/situations/<int:pk>/review/", views.situation_review, name="household-situation-review"),
]
