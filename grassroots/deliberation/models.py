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
    org = models.ForeignKey(Organization, verbose_name=_("leading organization"), on_delete=models.PROTECT,
                            related_name="deliberation_bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    set_up_on = models.DateField(_("set up on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

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


class Vote(Recorded):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="deliberation_votes")
    question = models.CharField(_("question"), max_length=300)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "meeting__org"

    class Meta:
        ordering = ["meeting__date", "id"]
        verbose_name = _("vote")

    def __str__(self) -> str:
        return self.question[:60]
