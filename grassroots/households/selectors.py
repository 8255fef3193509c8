"""Reads of households and persons. Every answer that depends on a day takes the day: a household counts in a place
on D when one of its `HouseholdPlace` periods there covers D; a person counts when their household does and D lies
in [joined_on, left_on)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from grassroots.orgs.models import Organization, Territory
from grassroots.orgs.selectors import ancestor_paths, held_place_paths
from grassroots.rules.registry import in_force

from .models import Household, HouseholdPlace, Person, Situation, SituationKind, SpecialFields


def visible(scope, *, write: bool = False) -> QuerySet[Household]:  # type: ignore[no-untyped-def]
    return Household.objects.visible_to(scope, write=write)


def places_on(territory: Territory, day: dt.date) -> QuerySet[HouseholdPlace]:
    """The household periods under `territory` (itself and every place below it) in force on `day`."""
    return HouseholdPlace.objects.on(day).filter(path__startswith=territory.path)


def households_on(territory: Territory, day: dt.date) -> QuerySet[Household]:
    """The households living under `territory` on `day`."""
    return Household.objects.filter(pk__in=places_on(territory, day).values("household_id"))


def persons_on(territory: Territory, day: dt.date) -> QuerySet[Person]:
    """The persons living under `territory` on `day`: in a household living there, and in it on that day."""
    return Person.objects.filter(
        household_id__in=places_on(territory, day).values("household_id"),
    ).filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day), Q(left_on__isnull=True) | Q(left_on__gt=day))


# --- the places an organization holds ---------------------------------------------------------------------------

def org_paths(org: Organization) -> list[str]:
    """The paths of the places `org` holds now (its own place and the places given to it), none under another."""
    return held_place_paths(org)


def _paths_q(paths: list[str], field: str = "path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def places_under(paths: list[str], day: dt.date) -> QuerySet[HouseholdPlace]:
    return HouseholdPlace.objects.on(day).filter(_paths_q(paths))


def households_under(paths: list[str], day: dt.date) -> QuerySet[Household]:
    """The households living on `day` under any of `paths` (an organization's places)."""
    return Household.objects.filter(pk__in=places_under(paths, day).values("household_id"))


def persons_under(paths: list[str], day: dt.date) -> QuerySet[Person]:
    return Person.objects.on(day).filter(household_id__in=places_under(paths, day).values("household_id"))


def households_during(paths: list[str], start: dt.date, end: dt.date) -> QuerySet[Household]:
    """The households that lived under `paths` on some day of [start, end]."""
    periods = HouseholdPlace.objects.filter(_paths_q(paths)).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    return Household.objects.filter(pk__in=periods.values("household_id"))


@dataclass(frozen=True)
class YearMoves:
    came: int  # lived here some day of the year, not on the last day of the year before
    left: int  # lived here on the last day of the year before or some day of the year but its last, not on its last


def year_moves(paths: list[str], year: int, day: dt.date) -> YearMoves:
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    before = start - dt.timedelta(days=1)
    came = (households_during(paths, start, end)
            .exclude(pk__in=places_under(paths, before).values("household_id")).count())
    left = (households_during(paths, before, end - dt.timedelta(days=1))
            .exclude(pk__in=places_under(paths, end).values("household_id")).count())
    return YearMoves(came, left)


# --- situation kinds ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str
    applies: str = "household"  # or "person": where it is usually recorded (either is accepted)
    reviewed: bool = False  # the review rule asks about it
    org_id: int | None = None  # None: a default of the rules data

    @property
    def label(self) -> str:
        return self.zh if (get_language() or "zh").startswith("zh") else (self.en or self.zh)

    def __str__(self) -> str:
        return self.label


def default_kinds(day: dt.date | None = None) -> list[Kind]:
    rule = in_force("households.situation_kinds", day or timezone.localdate())
    return [Kind(k["code"], k["zh"], k["en"], k.get("applies", "household"), bool(k.get("reviewed"))) for k in
            rule["kinds"]]


def situation_kinds(org: Organization | None) -> list[Kind]:
    """The defaults, and the kinds `org` and the organizations above it added."""
    kinds = default_kinds()
    if org is None:
        return kinds
    own = SituationKind.objects.filter(org__path__in=ancestor_paths(org, including=True)).order_by("org__path", "code")
    return kinds + [Kind(k.code, k.name, k.name_en, "household", k.reviewed, k.org_id) for k in own]


def _holder(territory: Territory) -> Organization | None:
    from grassroots.orgs.selectors import holder_of

    return holder_of(territory, timezone.localdate())


def situation_kinds_for_place(territory: Territory) -> list[Kind]:
    return situation_kinds(_holder(territory))


def kind_labels(kinds: list[Kind]) -> dict[str, str]:
    return {k.code: k.label for k in kinds}


# --- the special fields' switch ------------------------------------------------------------------------------------

def special_fields_on(org: Organization | None) -> bool:
    """Whether the special-population and health fields are on for `org`: the switch of the nearest organization up
    the tree that has one (off when none has)."""
    if org is None:
        return False
    switch = (SpecialFields.objects.filter(org__path__in=ancestor_paths(org, including=True)).order_by("-org__path")
              .values_list("enabled", flat=True).first())
    return bool(switch)


def special_fields_for_place(territory: Territory) -> bool:
    """The switch of the organization that holds the place today."""
    return special_fields_on(_holder(territory))


# --- counts as of a day ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SituationCount:
    kind: Kind
    households: int
    persons: int


def situation_counts(paths: list[str], day: dt.date, kinds: list[Kind]) -> list[SituationCount]:
    """Per kind, on `day`: the households living under `paths` in that situation (their own or one of their
    persons'), and the persons concerned (the person of a person's situation, every person living in a household
    in a household's situation)."""
    living = places_under(paths, day).values("household_id")
    on = Situation.objects.on(day).filter(household_id__in=living)
    households = dict(on.values_list("kind").annotate(n=Count("household_id", distinct=True)).order_by())
    persons: dict[str, int] = dict(
        on.filter(person__isnull=False, person__in=Person.objects.on(day)).values_list("kind")
        .annotate(n=Count("person_id", distinct=True)).order_by())
    open_end = Q(household__situations__ended_on__isnull=True) | Q(household__situations__ended_on__gt=day)
    whole = (Person.objects.on(day).filter(household_id__in=living)
             .filter(open_end, household__situations__person__isnull=True,
                     household__situations__started_on__lte=day)
             .values_list("household__situations__kind").annotate(n=Count("pk", distinct=True)).order_by())
    for kind, n in whole:
        persons[kind] = persons.get(kind, 0) + n
    return [SituationCount(k, households.get(k.code, 0), persons.get(k.code, 0)) for k in kinds
            if households.get(k.code)]


def review_due_q(day: dt.date, months: int) -> Q:
    """Situations in force on `day` whose last review (or start) lies more than `months` months before it."""
    limit = _months_before(day, months)
    return (Q(reviewed_on__isnull=True, started_on__lt=limit) | Q(reviewed_on__lt=limit))


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(y, m + 1)[1]
    return dt.date(y, m + 1, min(day.day, last))
