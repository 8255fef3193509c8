"""An import through the web, run as a background job (`ui.jobs`): who uploaded which file for which organization,
how far its dry run or its write got, and what came of it.

The job is the user's own: only the uploader (or the site administrator) sees it (`ui.import_views`). Its lines
(`ImportJobLine`) are the dry run's errors, or what each row would do, kept so that the page can show them a
page at a time however big the file.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Checking the rows")
    CHECKED = "checked", _("Checked")  # the dry run is done: errors to fix, or rows to confirm
    CONFIRMED = "confirmed", _("Waiting to be written")
    APPLYING = "applying", _("Writing the rows")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")  # the job itself broke (not the file's errors: those are CHECKED)


RUNNING = (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.CONFIRMED, JobStatus.APPLYING)


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=120)  # the flow, as the dotted path of its ImportFlow
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs",
                             verbose_name=_("uploaded by"))
    org = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="+", verbose_name=_("organization"))
    params = models.JSONField(default=dict, blank=True)  # what the upload form said besides the file
    filename = models.CharField(_("file"), max_length=255)
    stored = models.CharField(max_length=255, blank=True)  # its name under the upload folder; "" once deleted
    language = models.CharField(max_length=16, blank=True)  # the uploader's, for the errors' wording
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)  # data rows of the file (blank ones included)
    counts = models.JSONField(default=dict, blank=True)  # rows by action: create, update, unchanged
    error_count = models.PositiveIntegerField(default=0)
    header_row = models.PositiveIntegerField(default=1)
    applied = models.BooleanField(default=False)
    message = models.TextField(blank=True)  # why it failed, or why nothing was written after confirming

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="ui_importjob_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def ok(self) -> bool:
        return self.status == JobStatus.CHECKED and self.error_count == 0 and not self.message


class ImportJobLine(models.Model):
    """One line of a job's dry run: an error (row, column, message) or what a row would do (`data`)."""

    ERROR = "error"
    ROW = "row"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=8)
    seq = models.PositiveIntegerField()
    row = models.PositiveIntegerField(default=0)  # as the spreadsheet numbers it; 0 is the file as a whole
    column = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)  # dates, money as text

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["job", "kind", "seq"], name="ui_importjobline_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.row}: {self.message}" if self.kind == self.ERROR else f"{self.kind} {self.row}"
