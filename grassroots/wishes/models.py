"""Micro-wishes (微心愿): small wishes of residents, collected by a community, a branch or a station, published,
claimed by one member or one unit at a time, fulfilled and confirmed.

    collected ──publish──▶ published ──claim──▶ claimed ──fulfil──▶ fulfilled ──confirm──▶ confirmed
        └──decline (with a reason)──▶ declined      ◀──release──┘

A wish keeps the resident's name and phone for the people who collect and fulfil it (masked on every page, a
reveal is an audited POST; never on a public page), a public number and a private tracking code the resident
follows it by. Every change of state is a `WishEvent`: who did it, for whom (a secretary acting for a member),
when; the history is what the import and export carry.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class State(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CONFIRMED = "confirmed", _("Confirmed")


CLAIMED_OR_LATER = (State.CLAIMED, State.FULFILLED, State.CONFIRMED)
DONE = (State.FULFILLED, State.CONFIRMED)
PUBLIC_STATES = (State.PUBLISHED, State.CLAIMED, State.FULFILLED, State.CONFIRMED)


class Channel(models.TextChoices):
    PUBLIC = "public", _("Public form")
    QR = "qr", _("QR poster")
    STAFF = "staff", _("Staff entry")
    VISIT = "visit", _("Visit")


class Category(models.TextChoices):
    DAILY = "daily", _("Daily necessities")
    STUDY = "study", _("Study and books")
    HEALTH = "health", _("Health and care")
    HOME = "home", _("Help at home and repairs")
    COMPANY = "company", _("Company and culture")
    OTHER = "other", _("Other")


class WishIntakeQuerySet(OrgOwnedQuerySet["WishIntake"]):
    pass


class WishIntake(Versioned, models.Model):
    """An organization's wish intake: switched on, its public form takes wishes (`p/<code>/wishes/`)."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="wish_intake")
    enabled = models.BooleanField(_("intake switched on"), default=False)
    intro = models.CharField(_("words on the public form"), max_length=300, blank=True)

    objects = WishIntakeQuerySet.as_manager()

    class Meta:
        verbose_name = _("wish intake")

    def __str__(self) -> str:
        return f"{self.org.code}: {'on' if self.enabled else 'off'}"


class WishQuerySet(OrgOwnedQuerySet["Wish"]):
    pass


class Wish(Recorded, Versioned):
    org = models.ForeignKey(Organization, verbose_name=_("collected by"), on_delete=models.PROTECT,
                            related_name="wishes")
    number = models.CharField(_("number"), max_length=40, unique=True)
    tracking_code = models.CharField(max_length=16, unique=True, editable=False)
    resident_name = models.CharField(_("resident's name"), max_length=50)
    resident_phone = models.CharField(_("resident's phone"), max_length=20, blank=True)
    text = models.TextField(_("wish"), max_length=1000)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.OTHER)
    place = models.CharField(_("place"), max_length=200, blank=True)
    collected_on = models.DateField(_("collected on"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    visit_ref = models.CharField(_("visit"), max_length=100, blank=True)  # what a households module names
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.COLLECTED)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    claimed_on = models.DateField(_("claimed on"), null=True, blank=True)
    claimant_member = models.ForeignKey(Member, verbose_name=_("claimed by (member)"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="claimed_wishes")
    claimant_org = models.ForeignKey(Organization, verbose_name=_("claimed by (organization)"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="claimed_wishes")
    claimant_unit = models.CharField(_("claimed by (outside unit)"), max_length=100, blank=True)
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    fulfil_note = models.CharField(_("how it was fulfilled"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="wishes/%Y/", blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmed_by_resident = models.BooleanField(_("confirmed by the resident"), default=False)

    objects = WishQuerySet.as_manager()

    class Meta:
        ordering = ["-collected_on", "-id"]
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        indexes = [models.Index(fields=["org", "collected_on"]), models.Index(fields=["state", "fulfilled_on"])]
        constraints = [
            # one claimant at a time: a member, an organization or an outside unit, never two of them
            models.CheckConstraint(
                condition=(Q(claimant_member__isnull=True, claimant_org__isnull=True, claimant_unit="")
                           | Q(claimant_member__isnull=False, claimant_org__isnull=True, claimant_unit="")
                           | Q(claimant_member__isnull=True, claimant_org__isnull=False, claimant_unit="")
                           | Q(claimant_member__isnull=True, claimant_org__isnull=True) & ~Q(claimant_unit="")),
                name="wish_one_claimant"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def claimant_name(self) -> str:
        """Who claimed it, as anyone may read it: the member's or the unit's name only."""
        if self.claimant_member_id:
            return self.claimant_member.name  # type: ignore[union-attr]
        if self.claimant_org_id:
            return self.claimant_org.name  # type: ignore[union-attr]
        return self.claimant_unit


class Action(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")
    CLAIMED = "claimed", _("Claimed")
    RELEASED = "released", _("Claim released")
    FULFILLED = "fulfilled", _("Fulfilled")
    CONFIRMED = "confirmed", _("Confirmed")


class WishEvent(Recorded):
    """One change of a wish's state: what, on which day, by whom (`recorded_by`, and the name as it was then),
    for whom."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    on = models.DateField(_("date"))
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    by_name = models.CharField(_("recorded by"), max_length=150, blank=True)  # the account; "" the resident
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    claimant = models.CharField(_("claimant"), max_length=100, blank=True)
    on_behalf = models.BooleanField(_("on the member's behalf"), default=False)
    by_resident = models.BooleanField(_("by the resident"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("wish event")

    def __str__(self) -> str:
        return f"{self.wish_id} {self.on} {self.action}"
