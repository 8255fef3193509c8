"""Joint meetings (联席会议) of a community's or street's Party organization with the Party organizations of the
units in its area (seed 000's Wulan: "regularly held a joint meeting of community party building organizations";
seed 002's Yaozhou: "105 unit party organizations … jointly consulted 98 practical matters").

- `JointMeeting`: the body (联席会议制度), convened by an organization (`org`), set up on a date, perhaps ended.
- `JointMembership`: a resident unit's dated seat in the body, with its representative. Held from `joined_on`
  (inclusive) until `left_on` (exclusive: the day it left), like the members' periods; a unit may leave and rejoin
  (a new membership).
- `JointSession`: one meeting of the body, a `meetings.Meeting` of kind `joint_meeting` (topic, place, host, minutes,
  attachments, entered after the day) held by the body's organization.
- `UnitAttendance`: attendance by unit: present, absent or excused, and who came for it. Only units that were
  members on the meeting's date.
- `Decision`: a numbered decision of a session; it may become a co-construction project (`project`, through
  `cobuild.services.project_create`) and/or tasks.
- `Task`: what a decision asks of someone (a member unit and/or a named person) by a deadline, marked done.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.cobuild.models import Project, ResidentUnit
from grassroots.core.models import Recorded, Versioned
from grassroots.meetings.models import Meeting
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class JointMeeting(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("convening organization"), on_delete=models.PROTECT,
                            related_name="joint_meetings")
    name = models.CharField(_("name"), max_length=100)
    set_up_on = models.DateField(_("set up on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["org__path", "-set_up_on", "name"]
        verbose_name = _("joint meeting body")
        verbose_name_plural = _("joint meeting bodies")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="joint_meeting_name_once"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("set_up_on")),
                                   name="joint_meeting_ended_after_set_up"),
        ]

    def __str__(self) -> str:
        return self.name

    def open_on(self, day: dt.date) -> bool:
        return self.set_up_on <= day and (self.ended_on is None or day < self.ended_on)


class JointMembership(Versioned, Recorded):
    body = models.ForeignKey(JointMeeting, verbose_name=_("joint meeting body"), on_delete=models.PROTECT,
                             related_name="memberships")
    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="joint_memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    representative = models.CharField(_("representative"), max_length=50, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "body__org"

    class Meta:
        ordering = ["unit__name", "-joined_on"]
        verbose_name = _("joint meeting membership")
        indexes = [models.Index(fields=["body", "joined_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("joined_on")),
                                   name="joint_membership_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.joined_on}"

    def on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


class JointSession(models.Model):
    body = models.ForeignKey(JointMeeting, verbose_name=_("joint meeting body"), on_delete=models.PROTECT,
                             related_name="sessions")
    meeting = models.OneToOneField(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                   related_name="joint_session")

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "body__org"

    class Meta:
        ordering = ["-meeting__date", "-id"]
        verbose_name = _("joint meeting")

    def __str__(self) -> str:
        return str(self.meeting_id)


class UnitPresence(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class UnitAttendance(models.Model):
    session = models.ForeignKey(JointSession, on_delete=models.CASCADE, related_name="attendance")
    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="joint_attendance")
    presence = models.CharField(_("attendance"), max_length=8, choices=UnitPresence.choices)
    attendee = models.CharField(_("who came"), max_length=100, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "session__body__org"

    class Meta:
        ordering = ["unit__name"]
        constraints = [models.UniqueConstraint(fields=["session", "unit"], name="joint_attendance_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.presence}"


class Decision(Recorded):
    session = models.ForeignKey(JointSession, verbose_name=_("joint meeting"), on_delete=models.PROTECT,
                                related_name="decisions")
    order = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"), max_length=1000)
    project = models.OneToOneField(Project, verbose_name=_("project"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="joint_decision")

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "session__body__org"

    class Meta:
        ordering = ["session", "order"]
        verbose_name = _("decision")
        constraints = [models.UniqueConstraint(fields=["session", "order"], name="joint_decision_order_once")]

    def __str__(self) -> str:
        return self.text[:60]


class Task(Versioned, Recorded):
    decision = models.ForeignKey(Decision, verbose_name=_("decision"), on_delete=models.PROTECT,
                                 related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="joint_tasks")
    owner = models.CharField(_("owner"), max_length=50, blank=True)
    due_on = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "decision__session__body__org"

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        indexes = [models.Index(fields=["due_on", "done_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(unit__isnull=True, owner=""), name="joint_task_has_owner"),
        ]

    def __str__(self) -> str:
        return self.title
