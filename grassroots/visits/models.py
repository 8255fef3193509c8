"""Links and visits: cadres and members linked to households ("each household managed by a town leader, a town
cadre, a village cadre", seed 000), their visits, and what a visit found.

`HouseholdLink`: one person linked to one household over [valid_from, valid_to). The person is a Party member of
the roster (`member`), a user account (`user`: a cadre with an account) or a name as written (`person_name`: a
cadre without an account, a linked unit); `kind` says what they are (a main leader, a town leader, a town cadre, a
village or community cadre, a member, a unit). How many households each person should hold is rules data
(`visits.link_targets`), overridden for one person by a `LinkTarget` row.

`Visit`: a household visited on a day by its visitors (members and/or users: at least the account that records
it), for a purpose, with notes. A visit typed in after its day (on paper first, or kept on a phone without a
signal) is `entered_late`, with who and when; it counts all the same. `client_id` is made on the phone: sending
the same visit twice records it once. `territory` is where the household lived on the visit's day: the scope
finds visits by it (`access.Scope.by_place`).

`VisitFinding`: what a visit found (a difficulty, a dispute, a suggestion, a hazard, a wish); in one step it becomes
a residents' opinion (`opinion`) or a micro-wish (`wish`), which name the visit back (`visit_ref`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.households.models import Household
from grassroots.members.models import Member
from grassroots.orgs.models import Territory


class LinkKind(models.TextChoices):
    MAIN_LEADER = "main_leader", _("Main leader")
    TOWN_LEADER = "town_leader", _("Town leader")
    TOWN_CADRE = "town_cadre", _("Town cadre")
    VILLAGE_CADRE = "village_cadre", _("Village or community cadre")
    MEMBER = "member", _("Party member")
    UNIT = "unit", _("Linked unit")


class Purpose(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    HOLIDAY = "holiday", _("Holiday visit")
    DIFFICULTY = "difficulty", _("Difficulty")
    DISPUTE = "dispute", _("Dispute")
    POLICY = "policy", _("Policy explained")
    OTHER = "other", _("Other")


class FindingType(models.TextChoices):
    DIFFICULTY = "difficulty", _("Difficulty")
    DISPUTE = "dispute", _("Dispute")
    SUGGESTION = "suggestion", _("Suggestion")
    HAZARD = "hazard", _("Hazard")
    WISH = "wish", _("Wish")


class FindingState(models.TextChoices):
    OPEN = "open", _("Not yet handled")
    OPINION = "opinion", _("Became an opinion")
    WISH = "wish", _("Became a micro-wish")
    HANDLED = "handled", _("Handled on the spot")


class PlaceQuerySet(models.QuerySet):  # type: ignore[type-arg]
    place_field = "territory"

    def visible_to(self, scope, *, write: bool = False):  # type: ignore[no-untyped-def]
        return scope.by_place(self, place_field=self.place_field, write=write)


class LinkQuerySet(PlaceQuerySet):
    place_field = "household__territory"

    def on(self, day):  # type: ignore[no-untyped-def]
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class HouseholdLink(Versioned, Recorded):
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="links")
    member = models.ForeignKey(Member, verbose_name=_("Party member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="household_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cadre (account)"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="household_links")
    person_name = models.CharField(_("linked person or unit"), max_length=100)  # as shown; kept when renamed
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    valid_from = models.DateField(_("linked from"))
    valid_to = models.DateField(_("linked until"), null=True, blank=True)  # exclusive; NULL: still linked
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("household link")
        ordering = ["person_name", "household_id", "valid_from"]
        indexes = [models.Index(fields=["household", "valid_from"]), models.Index(fields=["member"]),
                   models.Index(fields=["user"])]
        constraints = [models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                              name="visits_link_period")]

    def __str__(self) -> str:
        return f"{self.person_name} → {self.household_id}"

    @property
    def person_key(self) -> str:
        return person_key(self.member_id, self.user_id, self.person_name)


def person_key(member_id: int | None, user_id: int | None, name: str) -> str:
    """One linked person, however they were named: a member, an account, or a name (a unit)."""
    if member_id:
        return f"m{member_id}"
    if user_id:
        return f"u{user_id}"
    return f"n:{name.strip()}"


class LinkTarget(Recorded):
    """How many households one person should be linked to, instead of their kind's default (rules data)."""

    territory = models.ForeignKey(Territory, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    person_name = models.CharField(_("linked person or unit"), max_length=100)
    households = models.PositiveSmallIntegerField(_("households to link"))
    note = models.CharField(_("why"), max_length=300, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("link target")
        ordering = ["person_name"]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.households}"

    @property
    def person_key(self) -> str:
        return person_key(self.member_id, self.user_id, self.person_name)


class Visit(Recorded):
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="visits")
    territory = models.ForeignKey(Territory, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day of the visit"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.ROUTINE)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    visitor_members = models.ManyToManyField(Member, verbose_name=_("visitors (members)"), blank=True,
                                             related_name="visits")
    visitor_users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("visitors (accounts)"),
                                           blank=True, related_name="visits")
    links = models.ManyToManyField(HouseholdLink, blank=True, related_name="visits")  # the links it fulfils
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4, editable=False)
    entered_late = models.BooleanField(_("entered late"), default=False)
    late_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    late_at = models.DateTimeField(_("entered on"), null=True, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["household", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"V{self.pk} {self.day}"

    @property
    def ref(self) -> str:
        """How an opinion or a wish names this visit (`visit_ref`)."""
        return f"visit:{self.pk} {self.day.isoformat()} {self.household.code}"


class FindingQuerySet(PlaceQuerySet):
    place_field = "visit__territory"


class VisitFinding(Recorded):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    type = models.CharField(_("type"), max_length=12, choices=FindingType.choices)
    text = models.TextField(_("what was found"), max_length=1000)
    state = models.CharField(_("state"), max_length=8, choices=FindingState.choices, default=FindingState.OPEN)
    opinion = models.ForeignKey("opinions.Opinion", verbose_name=_("opinion"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="visit_findings")
    wish = models.ForeignKey("wishes.Wish", verbose_name=_("micro-wish"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="visit_findings")
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    handled_note = models.CharField(_("how it was handled"), max_length=300, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit finding")
        ordering = ["visit_id", "id"]
        indexes = [models.Index(fields=["state", "type"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.text[:30]}"
