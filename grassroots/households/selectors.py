"""Reads of households and persons. Every answer that depends on a day takes the day: a household counts in a place
on D when one of its `HouseholdPlace` periods there covers D; a person counts when their household does and D lies
in [joined_on, left_on)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from grassroots.orgs.models import Territory

from .models import Household, HouseholdPlace, Person


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
