"""Practical projects voted by a Party representatives' congress and tracked to done (seed 003's Qijiashan: "55
delegates voted democratically 10 key practical projects … tracked dynamically"; "a representatives' studio led the
supervision of two of them, 3 supervision activities and 1 progress report").

- `PracticalProject`: a project of an organization, perhaps voted at a congress (`meeting`, `vote`), perhaps a
  sub-project of another (`parent`, with its `weight` in the parent's roll-up of progress). Its status changes are
  `StatusChange` rows; its progress is never typed for a parent (the weighted roll-up of its sub-projects',
  computed by `progress.py`), and for a leaf is its latest `ProgressReport`.
- `Milestone`: a dated step of a project (due, done).
- `ProgressReport`: a leaf project's progress in per cent on a day, with a note.
- `CongressReport`: a dated report of the project's progress to the congress or the representatives.
- `Supervision`: a supervision activity of representatives (their seats of a deliberative body, or names typed).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.deliberation.models import Seat, Vote
from grassroots.meetings.models import Meeting
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("In progress")
    DONE = "done", _("Done")
    SUSPENDED = "suspended", _("On hold")
    DROPPED = "dropped", _("Called off")


OPEN_STATUSES = (Status.PLANNED, Status.UNDER_WAY)


class PracticalProject(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="practical_projects")
    parent = models.ForeignKey("self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    title = models.CharField(_("project"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    meeting = models.ForeignKey(Meeting, verbose_name=_("voted at"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="practical_projects")
    vote = models.ForeignKey(Vote, verbose_name=_("vote"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="practical_projects")
    code = models.CharField(_("code"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.CharField(_("lead unit"), max_length=100, blank=True)
    handler_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    handler_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["org__path", "id"]
        verbose_name = _("practical project")
        indexes = [models.Index(fields=["org", "year"])]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="congress_project_weight_positive"),
            models.CheckConstraint(condition=Q(status="done", done_on__isnull=False)
                                   | (~Q(status="done") & Q(done_on__isnull=True)),
                                   name="congress_project_done_on_iff_done"),
            models.CheckConstraint(condition=Q(due_on__isnull=True) | Q(planned_start__isnull=True)
                                   | Q(due_on__gte=models.F("planned_start")),
                                   name="congress_project_due_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class StatusChange(models.Model):
    project = models.ForeignKey(PracticalProject, on_delete=models.CASCADE, related_name="status_changes")
    on = models.DateField(_("date"))
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(_("by"), max_length=50, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "project__org"

    class Meta:
        ordering = ["project", "on", "id"]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.on} {self.from_status}→{self.to_status}"


class Milestone(Versioned, Recorded):
    project = models.ForeignKey(PracticalProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("share"), default=1)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "project__org"

    class Meta:
        ordering = ["project", "due_on", "id"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title


class ProgressReport(Recorded):
    project = models.ForeignKey(PracticalProject, on_delete=models.CASCADE, related_name="progress_reports")
    on = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "project__org"

    class Meta:
        ordering = ["project", "on", "id"]
        verbose_name = _("progress report")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="congress_progress_percent_max")]

    def __str__(self) -> str:
        return f"{self.on} {self.percent}%"


class CongressReport(Recorded):
    project = models.ForeignKey(PracticalProject, on_delete=models.CASCADE, related_name="congress_reports")
    on = models.DateField(_("date"))
    text = models.TextField(_("report"))

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "project__org"

    class Meta:
        ordering = ["project", "on", "id"]
        verbose_name = _("progress report to the representatives")

    def __str__(self) -> str:
        return f"{self.on} {self.text[:40]}"


class SupervisionKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection on the spot")
    HEARING = "hearing", _("Hearing of a report")
    SURVEY = "survey", _("Survey")
    OTHER = "other", _("Other")


class Supervision(Versioned, Recorded):
    project = models.ForeignKey(PracticalProject, on_delete=models.CASCADE, related_name="supervisions")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=SupervisionKind.choices)
    seats = models.ManyToManyField(Seat, verbose_name=_("representatives"), blank=True,
                                   related_name="practical_project_supervisions")
    names = models.CharField(_("others taking part"), max_length=300, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "project__org"

    class Meta:
        ordering = ["project", "on", "id"]
        verbose_name = _("supervision activity")
        verbose_name_plural = _("supervision activities")

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"
