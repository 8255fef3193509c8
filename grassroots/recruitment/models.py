"""Recruitment: applicant, activist, development target, probationary member, full member.

A `Candidate` is a person on the way in. `CandidateStep` rows are the dated facts of the procedure, as
people recorded them; the stage dates on `Candidate` (applied_on, activist_on, target_on, admitted_on,
closed_on) are derived from the steps by the services, so "who was an activist on D" is a plain query.
Once admitted, the candidate has a `Member` (probationary from the admitting meeting) and conversion,
extension or cancellation are steps too. Training contacts and introducers are members, dated.
Votes of the branch general meeting are `BranchVote` rows whose quorum and result are computed.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.core import idnumber
from grassroots.core.models import Recorded
from grassroots.members.models import HAN, Education, Member, Occupation, Sex
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    DEVELOPMENT_TARGET = "development_target", _("Development target")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    CLOSED = "closed", _("Closed")


class StepKind(models.TextChoices):
    APPLIED = "applied", _("Application received")
    TALKED = "talked", _("Talk with the applicant")
    RECOMMENDED = "recommended", _("Recommended as activist")
    ACTIVIST_DECIDED = "activist_decided", _("Decided as activist by the branch committee")
    CONTACTS_ASSIGNED = "contacts_assigned", _("Training contacts assigned")
    ASSESSED = "assessed", _("Half-yearly assessment")
    NOTICE = "notice", _("Public notice")
    TARGET_LISTED = "target_listed", _("Listed as development target")
    INTRODUCERS_ASSIGNED = "introducers_assigned", _("Introducers assigned")
    POLITICAL_REVIEW = "political_review", _("Political review")
    TRAINING = "training", _("Concentrated training")
    COMMITTEE_REVIEW = "committee_review", _("Branch committee review")
    PRE_REVIEW = "pre_review", _("Pre-review by the higher committee")
    ADMISSION_VOTE = "admission_vote", _("Branch general meeting on admission")
    HIGHER_APPROVAL = "higher_approval", _("Approval by the higher committee")
    OATH = "oath", _("Oath")
    CONVERSION_VOTE = "conversion_vote", _("Branch general meeting on conversion")
    CONVERSION_APPROVED = "conversion_approved", _("Conversion approved")
    PROBATION_EXTENDED = "probation_extended", _("Probation extended")
    PROBATION_CANCELLED = "probation_cancelled", _("Probationary membership cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn or not admitted")


class CandidateQuerySet(OrgOwnedQuerySet["Candidate"]):
    def stage_on(self, stage: str, day: dt.date) -> CandidateQuerySet:
        """Candidates who were at `stage` on `day` (applicant, activist or development target)."""
        not_closed = Q(closed_on__isnull=True) | Q(closed_on__gt=day)
        if stage == Stage.APPLICANT:
            return self.filter(not_closed, Q(activist_on__isnull=True) | Q(activist_on__gt=day), applied_on__lte=day)
        if stage == Stage.ACTIVIST:
            return self.filter(not_closed, Q(target_on__isnull=True) | Q(target_on__gt=day), activist_on__lte=day)
        if stage == Stage.DEVELOPMENT_TARGET:
            return self.filter(not_closed, Q(admitted_on__isnull=True) | Q(admitted_on__gt=day), target_on__lte=day)
        raise ValueError(f"stage_on answers for applicants, activists and development targets, not {stage}")


class Candidate(models.Model):
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default=HAN)
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=32, choices=Occupation.choices)
    org = models.ForeignKey(Organization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="candidates")
    # Derived from the steps by the services (see module docstring).
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField(_("applied on"))
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    target_on = models.DateField(_("development target since"), null=True, blank=True)
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    converted_on = models.DateField(_("converted on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    member = models.OneToOneField(Member, verbose_name=_("member record"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="candidacy")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [models.Index(fields=["org", "stage"]), models.Index(fields=["applied_on"])]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=Q(closed_on__isnull=True),
                                    name="one_open_candidacy_per_person"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number)


class CandidateStep(Recorded):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=24, choices=StepKind.choices)
    date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)  # notice, training
    details = models.JSONField(_("details"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["candidate", "kind"])]
        verbose_name = _("step")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ContactRole(models.TextChoices):
    TRAINING_CONTACT = "training_contact", _("Training contact")
    INTRODUCER = "introducer", _("Introducer")


class Sponsor(models.Model):
    """A full member assigned to a candidate as training contact or introducer, from a date."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="sponsors")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sponsorships")
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("training contact or introducer")
        constraints = [models.UniqueConstraint(fields=["candidate", "member", "role", "since"], name="sponsor_once")]

    def __str__(self) -> str:
        return f"{self.member} → {self.candidate} ({self.get_role_display()})"


class VotePurpose(models.TextChoices):
    ADMISSION = "admission", _("Admission")
    CONVERSION = "conversion", _("Conversion")


class BranchVote(Recorded):
    """The branch general meeting's vote on one candidate. Who was entitled is computed from the roster on
    the date (full members, not suspended); quorum and result are computed by the service, never typed."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="votes")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=12, choices=VotePurpose.choices)
    date = models.DateField(_("date"))
    entitled = models.ManyToManyField(Member, related_name="+", verbose_name=_("entitled to vote"))
    attended = models.ManyToManyField(Member, related_name="+", verbose_name=_("attended"))
    written = models.ManyToManyField(Member, related_name="+", verbose_name=_("written opinions of absent members"))
    yes = models.PositiveIntegerField(pgettext_lazy("vote", "yes"))
    no = models.PositiveIntegerField(pgettext_lazy("vote", "no"))
    abstain = models.PositiveIntegerField(_("abstain"))
    quorate = models.BooleanField(_("quorum reached"))
    passed = models.BooleanField(_("passed"))
    rule = models.CharField(max_length=60)  # the rule version that judged it
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("branch meeting vote")

    def __str__(self) -> str:
        return f"{self.date} {self.get_purpose_display()} {self.candidate}"
