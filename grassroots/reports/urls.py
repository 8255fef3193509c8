"""Reports to download."""

from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<str:code>/reports/annual.docx", views.annual, name="report-annual"),
]
