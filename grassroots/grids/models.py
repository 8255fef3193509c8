"""Grids (网格): the profile of a node of the territory tree of kind "grid" or "villager_group" (a village's
villager group serves as its grid, as the demo town's 21 groups do), seeds 002 (Yaozhou's 67 grids, grid Party
groups, 50 grid workers), 000 and 004.

`Grid` is one to one with its `orgs.Territory` (its code is the place's code, its name the place's name); it keeps
the grid head (a name, optionally a member) and a phone (masked, each reveal logged), and the day it was set up.
`GridPartyGroup` dates which Party group (an organization of kind party_group) looks after the grid, and
`GridWorker` who works the grid from when to when: appointing one grants the `grid_worker` role at the grid's
place and ending one withdraws it (`grids.services`). Households are not kept here: they live at the grid's
place over dated periods (`households.HouseholdPlace`), so "the households of a grid on a day" is the households
app's `households_on(grid.territory, day)`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core import idnumber
from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, Territory

GRID_KINDS = ("grid", "villager_group")


class GridQuerySet(models.QuerySet["Grid"]):
    def visible_to(self, scope, *, write: bool = False) -> GridQuerySet:  # type: ignore[no-untyped-def]
        """The grids whose place the user may read (write): their organizations' places and their own grids."""
        return scope.by_place(self, place_field="territory", write=write)  # type: ignore[no-any-return]


class Grid(Versioned, Recorded):
    territory = models.OneToOneField(Territory, verbose_name=_("place"), on_delete=models.PROTECT,
                                     related_name="grid")
    head_name = models.CharField(_("grid head"), max_length=50, blank=True)
    head_member = models.ForeignKey(Member, verbose_name=_("grid head (member)"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="grids_headed")
    head_phone = models.CharField(_("grid head's phone"), max_length=20, blank=True)
    set_up_on = models.DateField(_("set up on"), null=True, blank=True)  # NULL: before the records
    note = models.TextField(_("note"), blank=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["territory__path"]

    def __str__(self) -> str:
        return f"{self.territory.code} {self.territory.name}"

    @property
    def code(self) -> str:
        return self.territory.code

    @property
    def name(self) -> str:
        return self.territory.name

    @property
    def head_phone_masked(self) -> str:
        return idnumber.mask_phone(self.head_phone)


class PeriodQuerySet(models.QuerySet[models.Model]):
    def on(self, day):  # type: ignore[no-untyped-def]
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                           Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class GridPartyGroup(models.Model):
    """The grid Party group that looks after a grid over [valid_from, valid_to) (written by `grids.services`)."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="party_groups")
    org = models.ForeignKey(Organization, verbose_name=_("grid Party group"), on_delete=models.PROTECT,
                            related_name="grids_looked_after")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["grid"], condition=Q(valid_to__isnull=True),
                                               name="grid_one_current_party_group")]

    def __str__(self) -> str:
        return f"{self.grid_id} · {self.org_id} [{self.valid_from or '…'}, {self.valid_to or '…'})"


class GridWorker(Recorded):
    """Who works a grid over [started_on, ended_on): an account holding the `grid_worker` role at the grid's place
    while the period is open; optionally the member who does it."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="workers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT,
                             related_name="grid_posts")
    member = models.ForeignKey(Member, verbose_name=_("Party member"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="grid_posts")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["grid_id", "started_on", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "user"], condition=Q(ended_on__isnull=True),
                                               name="grid_worker_one_open_post")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.grid_id}"

    @property
    def phone_masked(self) -> str:
        return idnumber.mask_phone(self.phone)

    def on(self, day) -> bool:  # type: ignore[no-untyped-def]
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)
