"""The pages of an import job, shared by every import (`ui.import_views`)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("imports/<uuid:job>/", import_views.import_job, name="import-job"),
    path("imports/<uuid:job>/status/", import_views.import_job_status, name="import-job-status"),
    path("imports/<uuid:job>/confirm/", import_views.import_job_confirm, name="import-job-confirm"),
    path("imports/<uuid:job>/errors.xlsx", import_views.import_job_errors, name="import-job-errors"),
]
