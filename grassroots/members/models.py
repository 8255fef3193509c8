"""Members, their dated events, and the periods computed from those events.

`MemberEvent` rows are the facts as people recorded them. `MemberPeriod` rows are derived from the
events by `services.rebuild_periods` (never written by hand): each says where a member belonged and with
which attributes over [start, end). "Who belonged to subtree X on date D" is a query on periods.
The fields on `Member` that change over time (org, status, mobile, ...) are a cache of the latest period
for quick lists; no as-of question reads them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core import idnumber
from grassroots.core.models import Recorded, Versioned
from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import subtree_org_ids

HAN = "汉族"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor")
    COLLEGE = "college", _("College (dazhuan)")
    SECONDARY_TECHNICAL = "secondary_technical", _("Secondary technical")
    HIGH_SCHOOL = "high_school", _("High school")
    JUNIOR_HIGH_OR_BELOW = "junior_high_or_below", _("Junior high or below")


COLLEGE_OR_ABOVE = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE)


class Occupation(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")
    FARMER = "farmer", _("Farmer or herdsman")
    STUDENT = "student", _("Student")
    UNEMPLOYED_OR_DEMOBILIZED = "unemployed_or_demobilized", _("Unemployed graduate or re-transferred military")
    FREELANCE = "freelance", _("Freelance or self-employed")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")


class Standing(models.TextChoices):
    """Where the member stands today (cache of the latest period or end event)."""

    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended (lost contact)")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    REMOVED = "removed", _("Removed")
    DECEASED = "deceased", _("Deceased")


class Member(Versioned):
    """A member's record. `version` (Versioned) goes up with every write, so an edit from an older page is refused."""

    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default=HAN)
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Cache of the latest period (see module docstring).
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=32, choices=Occupation.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    standing = models.CharField(_("standing"), max_length=16, choices=Standing.choices, default=Standing.ACTIVE)
    joined_on = models.DateField(_("joined on"))
    converted_on = models.DateField(_("converted on"), null=True, blank=True)
    org = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="members")
    party_group = models.ForeignKey(Organization, verbose_name=_("party group"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="group_members")
    mobile = models.BooleanField(_("mobile"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["org", "standing"]), models.Index(fields=["name"]),
                   # the members tables' order within an organization, read from the index alone (a page's keys)
                   models.Index(fields=["org", "name", "id"], name="members_org_name_id")]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number)

    @property
    def phone_masked(self) -> str:
        return idnumber.mask_phone(self.phone)

    @property
    def is_minority(self) -> bool:
        return self.ethnicity != HAN


class EventKind(models.TextChoices):
    JOINED = "joined", _("Joined")
    CONVERTED = "converted", _("Converted to full member")
    TRANSFERRED = "transferred", _("Moved to another organization")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    MOBILE_OUT = "mobile_out", _("Went mobile")
    MOBILE_BACK = "mobile_back", _("Came back from mobile")
    SUSPENDED = "suspended", _("Suspended (lost contact)")
    RESTORED = "restored", _("Contact restored")
    REMOVED = "removed", _("Removed")
    DIED = "died", _("Died")
    UPDATED = "updated", _("Attributes changed")


class MemberEvent(Recorded):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("date"))
    org = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(_("details"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["member", "date"])]
        verbose_name = _("member event")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class PeriodQuerySet(models.QuerySet["MemberPeriod"]):
    def on(self, day: dt.date) -> PeriodQuerySet:
        return self.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)

    def in_subtree(self, org: Organization, day: dt.date) -> PeriodQuerySet:
        return self.filter(org_id__in=subtree_org_ids(org, day))


class MemberPeriod(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    mobile = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)
    education = models.CharField(max_length=24, choices=Education.choices)
    occupation = models.CharField(max_length=32, choices=Occupation.choices)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["member_id", "start"]
        indexes = [models.Index(fields=["org", "start"]), models.Index(fields=["member", "start"])]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.org_id} [{self.start}, {self.end or '…'})"


class TransferState(models.TextChoices):
    PENDING = "pending", _("Pending acceptance")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Returned by the receiving side")


class Transfer(models.Model):
    """A transfer of organizational relation. The member stays in `from_org` until the receiving side
    accepts; then one event moves them (`transferred` inside the tree, `transferred_out` when the receiving
    organization is outside the platform). The member is never in two places, nor in none."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_outside = models.CharField(_("receiving organization outside the platform"), max_length=200, blank=True)
    requested_on = models.DateField(_("requested on"))
    state = models.CharField(_("state"), max_length=12, choices=TransferState.choices, default=TransferState.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    letter_number = models.CharField(_("introduction letter number"), max_length=60, blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("transfer")
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(state="pending"), name="one_pending_transfer"),
            models.CheckConstraint(condition=Q(to_org__isnull=False) | ~Q(to_outside=""), name="transfer_has_a_receiver"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_org} → {self.to_org or self.to_outside}"


# --- rollups (issue 16): counts per organization node, kept by `rollups` beside the periods -------------------
class OrgSpan(models.Model):
    """`ancestor`'s subtree held `org` over [valid_from, valid_to) (an organization holds itself): the tree over
    time as a closure table, computed from `OrgState` by `rollups.org_restated`. A period of `org` counts in
    the figures of every ancestor over the part of it that such a span covers."""

    ancestor = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ancestor", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.ancestor_id} ⊇ {self.org_id} [{self.valid_from}, {self.valid_to or '…'})"


class RollupFigures(models.Model):
    """The marginal figures of the structure statistics: each a count of members' periods."""

    total = models.IntegerField(default=0)
    probationary = models.IntegerField(default=0)
    full = models.IntegerField(default=0)
    male = models.IntegerField(default=0)
    female = models.IntegerField(default=0)
    han = models.IntegerField(default=0)
    minority = models.IntegerField(default=0)
    mobile = models.IntegerField(default=0)
    suspended = models.IntegerField(default=0)
    education_postgraduate = models.IntegerField(default=0)
    education_bachelor = models.IntegerField(default=0)
    education_college = models.IntegerField(default=0)
    education_secondary_technical = models.IntegerField(default=0)
    education_high_school = models.IntegerField(default=0)
    education_junior_high_or_below = models.IntegerField(default=0)
    occupation_in_service = models.IntegerField(default=0)
    occupation_retired = models.IntegerField(default=0)
    occupation_farmer = models.IntegerField(default=0)
    occupation_student = models.IntegerField(default=0)
    occupation_unemployed_or_demobilized = models.IntegerField(default=0)
    occupation_freelance = models.IntegerField(default=0)
    occupation_other = models.IntegerField(default=0)

    class Meta:
        abstract = True


FIGURES = ("total", "probationary", "full", "male", "female", "han", "minority", "mobile", "suspended",
           *(f"education_{v}" for v in Education.values), *(f"occupation_{v}" for v in Occupation.values))


class RollupDelta(RollupFigures):
    """How `node`'s figures changed on `day` (+1 where a period starts counting there, -1 where it stops). Rows
    are only inserted (several for one node and day add up), so concurrent writers never wait on each other."""

    node = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)  # millions of rows: no trigger checks each one at commit
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["node", "day"])]

    def __str__(self) -> str:
        return f"{self.node_id} {self.day} {self.total:+d}"


class RollupMark(RollupFigures):
    """`node`'s figures just before `month` (the first of a month): the sum of its deltas dated before it. Built
    on the first read that needs it; a write dated before it adds itself to it."""

    node = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)  # millions of rows: no trigger checks each one at commit
    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "month"], name="one_rollup_mark")]

    def __str__(self) -> str:
        return f"{self.node_id} before {self.month}: {self.total}"


class AgeDelta(models.Model):
    """How many of `node`'s members born on `birth_date` started (+) or stopped (-) counting on `day`: the age
    bands on any day are sums over birth dates."""

    node = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)  # millions of rows: no trigger checks each one at commit
    day = models.DateField()
    birth_date = models.DateField()
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["node", "day"])]

    def __str__(self) -> str:
        return f"{self.node_id} {self.day} born {self.birth_date} {self.n:+d}"


class AgeMark(models.Model):
    """`node`'s members by birth date just before `month` (see RollupMark)."""

    node = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)  # millions of rows: no trigger checks each one at commit
    month = models.DateField()
    birth_date = models.DateField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "month", "birth_date"], name="one_age_mark")]

    def __str__(self) -> str:
        return f"{self.node_id} before {self.month} born {self.birth_date}: {self.n}"
