"""Deliberation and votes (seed 004's Liubeqiao: residents' deliberation; seed 001: "four discussions and two
openings"; seed 003: the Party representatives' congress).

- `Body`: a body of people who sit, attend and vote, led by a Party organization (`org`): the Party
  representatives' congress, the two committees (村/社区"两委"), the villagers' or residents' representatives'
  meeting, the villagers' or residents' meeting. Its meetings are `meetings.Meeting` rows of the kinds of
  `meetings.models.ATTENDANCE_ELSEWHERE` (recorded with `record_meeting(..., elsewhere=True)`).
- `Seat`: a person's dated seat in a body (from `from_on` inclusive until `to_on` exclusive), perhaps a Party
  member of the platform (`member`), else a name; who is entitled to vote on a date is the seats held that day.
- `Vote`: a question put to a meeting; who was entitled and present, yes/no/abstain or a secret ballot's counts;
  quorum and result computed by the service from the rules in force on the meeting's date, never typed.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.meetings.models import Meeting
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class BodyKind(models.TextChoices):
    PARTY_CONGRESS = "party_congress", _("Party representatives' congress")
    TWO_COMMITTEES = "two_committees", _("Two committees")
    REPS = "reps", _("Villagers' or residents' representatives' meeting")
    ASSEMBLY = "assembly", _("Villagers' or residents' meeting")


class Body(Versioned, Recorded):
    """A body that sits, attends and votes, led by `org`."""

    org = models.ForeignKey(Organization, verbose_name=_("leading organization"), on_delete=models.PROTECT,
                            related_name="deliberation_bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    set_up_on = models.DateField(_("set up on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["org__path", "kind", "name"]
        verbose_name = _("deliberative body")
        verbose_name_plural = _("deliberative bodies")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="deliberation_body_name_once"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("set_up_on")),
                                   name="deliberation_body_ended_after_set_up"),
        ]

    def __str__(self) -> str:
        return self.name


class Seat(Versioned, Recorded):
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="seats")
    member = models.ForeignKey(Member, verbose_name=_("Party member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deliberation_seats")
    name = models.CharField(_("name"), max_length=50)
    from_on = models.DateField(_("from"))
    to_on = models.DateField(_("until"), null=True, blank=True)  # exclusive: the day the seat ended
    office = models.CharField(_("office or work unit"), max_length=100, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "body__org"

    class Meta:
        ordering = ["name", "-from_on"]
        verbose_name = _("seat")
        indexes = [models.Index(fields=["body", "from_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(to_on__isnull=True) | Q(to_on__gt=models.F("from_on")),
                                   name="deliberation_seat_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def on(self, day: dt.date) -> bool:
        return self.from_on <= day and (self.to_on is None or day < self.to_on)


class SeatPresence(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class SeatAttendance(models.Model):
    """A seat's attendance at a meeting of its body (a meeting of a kind kept by seat)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seat_attendance")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="attendance")
    presence = models.CharField(_("attendance"), max_length=8, choices=SeatPresence.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="deliberation_one_seat_attendance")]

    def __str__(self) -> str:
        return f"{self.seat} {self.get_presence_display()}"


class BodyMeeting(Recorded):
    """Which body held a meeting (a meetings.Meeting of a kind kept by seat); briefings and hearings need none."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="deliberation")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    topic = models.ForeignKey("Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    quorate = models.BooleanField(_("quorum reached"), null=True, blank=True)
    rule = models.CharField(_("rule applied"), max_length=60, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "meeting__org"

    class Meta:
        ordering = ["-meeting__date", "-id"]

    def __str__(self) -> str:
        return str(self.meeting)


class PartyKind(models.TextChoices):
    MEMBERS_REPS = "members_reps", _("Party members' representatives")
    RESIDENTS_REPS = "residents_reps", _("Residents' representatives")
    UNITS = "units", _("Units")
    EXPERTS = "experts", _("Experts")
    RESIDENTS = "residents", _("Residents concerned")


class InvitedParty(models.Model):
    """A party invited to a briefing or a hearing, with the opinion it gave."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invited_parties")
    name = models.CharField(_("party"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Topic(Versioned, Recorded):
    """A topic for deliberation (议题) set by `org`, open for written opinions from `opens_on` to `closes_on`."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="deliberation_topics")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    public = models.BooleanField(_("shown on the public station pages"), default=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("deliberation topic")
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                              name="deliberation_topic_period")]

    def __str__(self) -> str:
        return self.title

    def open_on(self, day: dt.date) -> bool:
        return self.opens_on <= day <= self.closes_on


class OpinionChannel(models.TextChoices):
    PAPER = "paper", _("On paper (entered by staff)")
    STATION = "station", _("Public station page")


class WrittenOpinion(Recorded):
    """A written opinion on a topic. `author` is kept for the staff and never shown publicly."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="opinions")
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=10, choices=OpinionChannel.choices)
    author = models.CharField(_("name (not shown publicly)"), max_length=50, blank=True)
    text = models.TextField(_("opinion"))

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "topic__org"

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class BallotKind(models.TextChoices):
    OPEN = "open", _("Open vote (each seat's vote counted)")
    SECRET = "secret", _("Secret ballot (counts only)")


class Vote(Recorded):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="deliberation_votes")
    question = models.CharField(_("question"), max_length=300)
    ballot = models.CharField(_("ballot"), max_length=8, choices=BallotKind.choices, default=BallotKind.OPEN)
    entitled = models.PositiveIntegerField(_("entitled to vote"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    # {"seats": [...]} or {"members": [...]}: who was entitled and who present, as the service found them
    who = models.JSONField(default=dict, blank=True)
    yes = models.PositiveIntegerField(_("yes"), default=0)
    no = models.PositiveIntegerField(_("no"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    returned = models.PositiveIntegerField(_("ballots returned"), null=True, blank=True)
    void = models.PositiveIntegerField(_("void ballots"), null=True, blank=True)
    quorate = models.BooleanField(_("quorum reached"), default=False)
    passed = models.BooleanField(_("passed"), default=False)
    rule = models.CharField(_("rule applied"), max_length=60, default="")

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "meeting__org"

    class Meta:
        ordering = ["meeting__date", "id"]
        verbose_name = _("vote")

    def __str__(self) -> str:
        return self.question[:60]


class PathStepKind(models.IntegerChoices):
    PROPOSE = 1, _("The Party branch committee proposes")
    DISCUSS = 2, _("The two committees discuss")
    REVIEW = 3, _("The Party members' meeting reviews")
    DECIDE = 4, _("The representatives' meeting decides")
    PUBLISH_DECISION = 5, _("The decision is published")
    PUBLISH_RESULT = 6, _("The implementation and result are published")


STEP_MEETING_KINDS = {1: ("committee_meeting",), 2: ("two_committees",), 3: ("general_meeting",),
                      4: ("reps_meeting", "villagers_meeting")}


class PathCase(Versioned, Recorded):
    """A matter taken through "four discussions and two openings" (四议两公开) in `org` (a village or community)."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="deliberation_cases")
    title = models.CharField(_("matter"), max_length=200)
    opened_on = models.DateField(_("opened on"))

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("four discussions and two openings case")

    def __str__(self) -> str:
        return self.title


class PathStep(Recorded):
    """A step of a case: steps 1-4 a meeting (step 4 with its vote), steps 5-6 a publication (date, where, text)."""

    case = models.ForeignKey(PathCase, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(_("step"), choices=PathStepKind.choices)
    on = models.DateField(_("date"))
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="path_steps")
    vote = models.ForeignKey(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="path_steps")
    where = models.CharField(_("where published"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "case__org"

    class Meta:
        ordering = ["step"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="deliberation_path_step_once")]

    def __str__(self) -> str:
        return f"{self.case} {self.step}"
