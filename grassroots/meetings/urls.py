"""Organizational life's pages: meetings, the duties grid, calendars and the feed, the sign-in sheet."""

from django.urls import path

from . import appraisal_sheet, views

urlpatterns = [
    path("orgs/<str:code>/meetings/", views.meetings, name="meetings"),
    path("orgs/<str:code>/meetings/sign-in/", views.signin_sheet, name="signin-sheet"),
    path("orgs/<str:code>/meetings/appraisal/", appraisal_sheet.appraisal_sheet, name="appraisal-sheet"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/attachments/<int:attachment>/", views.meeting_attachment, name="meeting-attachment"),
    path("orgs/<str:code>/duties/", views.duties, name="duties"),
    path("orgs/<str:code>/calendar/", views.org_calendar, name="org-calendar"),
    path("members/<int:pk>/calendar/", views.member_calendar, name="member-calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
