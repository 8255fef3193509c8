"""Reports to download (included at the site root)."""

from django.urls import path

from . import views_reports

urlpatterns = [
    path("orgs/<str:code>/reports/annual.docx", views_reports.annual, name="report-annual"),
]
