"""Reports to download."""

from django.urls import path

from grassroots.web import views_reports as views

urlpatterns = [
    path("orgs/<str:code>/reports/annual.docx", views.annual, name="report-annual"),
]
