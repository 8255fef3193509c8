"""Volunteer-service pages."""

from django.urls import path

from grassroots.volunteers import importer, views

urlpatterns = [
    path("orgs/<str:code>/volunteers/", views.home, name="volunteers-home"),
    path("orgs/<str:code>/volunteers/people/", views.people, name="volunteers-people"),
    path("orgs/<str:code>/volunteers/people/import/", importer.people_import, name="volunteers-people-import"),
    path("orgs/<str:code>/volunteers/activities/", views.activities, name="volunteers-activities"),
    path("orgs/<str:code>/volunteers/activities/import/", importer.activities_import,
         name="volunteers-activities-import"),
    path("orgs/<str:code>/volunteers/pending/", views.pending, name="volunteers-pending"),
    path("orgs/<str:code>/volunteers/corrections/", views.corrections, name="volunteers-corrections"),
    path("orgs/<str:code>/volunteers/hours/", views.hours, name="volunteers-hours"),
    path("volunteers/teams/<int:pk>/", views.team, name="volunteers-team"),
    path("volunteers/people/<int:pk>/", views.volunteer, name="volunteers-volunteer"),
    path("volunteers/people/<int:pk>/reveal/<str:field>/", views.reveal, name="volunteers-reveal"),
    path("volunteers/certificates/<int:pk>/", views.certificate, name="volunteers-certificate"),
    path("volunteers/activities/<int:pk>/", views.activity, name="volunteers-activity"),
    path("volunteers/activities/<int:pk>/sheet/", views.signin_sheet, name="volunteers-signin-sheet"),
    path("volunteers/activities/<int:pk>/checkin/", views.checkin, name="volunteers-checkin"),
    path("members/<int:pk>/volunteer/", views.member_page, name="volunteers-member"),
]
