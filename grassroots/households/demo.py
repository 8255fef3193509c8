"""The demo town's households, 2019 to today: each of Heshun's 21 villager groups (the grids of the demo town) has
its households, each with a head and the persons living with them, recorded through the services. Households
registered before the records have no date; every later year a few households come (a new house, a family that
moved in), a few leave, children are born and old people die. Deterministic, built once: a second build adds
nothing."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.db.models import F

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.orgs.models import Territory

from . import services
from .models import Household, Person, Relation, Situation

HOUSEHOLDS_PER_GROUP = 18  # at the end of 2018; a villager group of the demo town (seed 000: 21 groups)
SURNAMES = "寸刘李尹贾张钏杨许赵段"
GIVEN = "秀英兰芳国华福顺玉梅德昌永春家明正"


def _name(rng: random.Random, surname: str) -> str:
    return surname + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _household(rng: random.Random, place: Territory, on: dt.date | None, seq: int) -> Household:
    surname = rng.choice(SURNAMES)
    head_birth = dt.date(rng.randint(1940, 1990), rng.randint(1, 12), rng.randint(1, 28))
    head_sex = "M" if rng.random() < 0.8 else "F"
    household = services.household_create(
        territory=place, head_name=_name(rng, surname), registered_on=on, code=f"{place.code}-H{seq:03d}",
        address=f"{place.name}{rng.randint(1, 120)}号", phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        head={"sex": head_sex, "birth_date": head_birth})
    if rng.random() < 0.85:
        services.person_add(household=household, name=_name(rng, rng.choice(SURNAMES)), relation=Relation.SPOUSE,
                            sex="F" if head_sex == "M" else "M", joined_on=on,
                            birth_date=head_birth + dt.timedelta(days=rng.randint(-1500, 1500)))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        son = rng.random() < 0.5
        born = dt.date(min(head_birth.year + rng.randint(20, 35), 2018), rng.randint(1, 12), rng.randint(1, 28))
        services.person_add(household=household, name=_name(rng, surname),
                            relation=Relation.SON if son else Relation.DAUGHTER, sex="M" if son else "F",
                            birth_date=born, joined_on=on)
    if head_birth.year > 1965 and rng.random() < 0.3:
        services.person_add(household=household, name=_name(rng, surname), relation=Relation.PARENT,
                            sex=rng.choice("MF"), birth_date=dt.date(head_birth.year - rng.randint(22, 32), 6, 1),
                            joined_on=on)
    return household


def _next_head(leaving: Person) -> Person | None:
    """Who heads the household when its head dies: the spouse, else the eldest still living in it."""
    if leaving.relation != Relation.HEAD:
        return None
    others = Person.objects.filter(household_id=leaving.household_id, left_on__isnull=True).exclude(pk=leaving.pk)
    return (others.filter(relation=Relation.SPOUSE).first()
            or others.order_by(F("birth_date").asc(nulls_last=True), "pk").first())


# Shares of a villager group's households in each situation (seed 000: Heshun's four kinds of households linked to
# cadres, 21 households helped by linked units; seed 003: low-income households and families in difficulty).
HOUSEHOLD_SITUATIONS = (("difficult", 0.08), ("low_income", 0.05), ("five_kinds", 0.03), ("well_off", 0.05),
                        ("large_industrial", 0.03))


def _situations(place: Territory, today: dt.date) -> None:
    """Situations of the group's households, from their own random stream (the households above stay as they
    were): some households in difficulty or on the minimum allowance (most reviewed within the year, a few not),
    some ended; the elderly living alone and left-behind children among the persons."""
    rng = random.Random(f"situations-{place.code}")
    households = list(Household.objects.filter(territory=place).order_by("pk"))
    for household in households:
        first = household.registered_on or dt.date(2019, 1, 1)
        last = household.left_on or today
        if last <= first + dt.timedelta(days=30):
            continue
        for kind, share in HOUSEHOLD_SITUATIONS:
            if rng.random() >= share:
                continue
            start = _day(rng, first, last - dt.timedelta(days=30))
            situation = services.situation_start(household, kind=kind, started_on=start)
            ends = household.left_on or (_day(rng, start + dt.timedelta(days=200), today)
                                         if rng.random() < 0.3 and (today - start).days > 400 else None)
            if ends is not None and ends > start:
                services.situation_end(situation, on=ends)
            elif kind in ("difficult", "low_income") and rng.random() < 0.97:
                services.situation_review(situation, on=max(start, today - dt.timedelta(days=rng.randint(10, 300))))
        if household.left_on is not None:
            continue
        living = list(Person.objects.filter(household=household).on(today).order_by("pk"))
        old = [p for p in living if p.birth_date is not None and today.year - p.birth_date.year >= 65]
        if len(living) == 1 and old and rng.random() < 0.8:
            services.situation_start(household, kind="elderly_alone", person=old[0],
                                     started_on=max(first, today.replace(month=1, day=1) - dt.timedelta(days=400)))
        elif len(living) == 2 and len(old) == 2 and rng.random() < 0.3:  # the children work away
            services.situation_start(household, kind="left_behind_elderly",
                                     started_on=max(first, today.replace(month=1, day=1) - dt.timedelta(days=700)))
        young = [p for p in living if p.birth_date is not None and today.year - p.birth_date.year < 14]
        if young and rng.random() < 0.15:
            services.situation_start(household, kind="left_behind_child", person=young[0],
                                     started_on=max(first, young[0].birth_date or first))


def build(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    groups = list(Territory.objects.filter(kind="villager_group", code__startswith="TC-HS-").order_by("path"))
    if not groups or Household.objects.filter(territory__in=groups).exists():
        return
    rng = random.Random(15)
    with acting(None, "system"), audit.batch():
        for place in groups:
            seq = 0
            for _ in range(HOUSEHOLDS_PER_GROUP):
                seq += 1
                _household(rng, place, None, seq)
            for year in range(2019, today.year + 1):
                end = min(dt.date(year, 12, 31), today)
                households = list(Household.objects.filter(territory=place, left_on__isnull=True).order_by("pk"))
                for _ in range(rng.choice((0, 1, 1, 2))):  # a new house, a family that moved in
                    seq += 1
                    _household(rng, place, _day(rng, dt.date(year, 1, 2), end), seq)
                if households and rng.random() < 0.4:  # a family moves away
                    leaving = rng.choice(households)
                    services.household_leave(leaving, on=_day(rng, dt.date(year, 2, 1), end), reason="迁出")
                for household in households:
                    if household.left_on is not None:
                        continue
                    if rng.random() < 0.06:  # a baby
                        day = _day(rng, dt.date(year, 1, 1), end)
                        services.person_add(household=household, name=_name(rng, household.head_name[0]),
                                            relation=Relation.GRANDCHILD, sex=rng.choice("MF"), birth_date=day,
                                            joined_on=day)
                    if rng.random() < 0.04:  # an old person dies
                        old = (Person.objects.filter(household=household, left_on__isnull=True,
                                                     birth_date__lt=dt.date(1950, 1, 1)).order_by("birth_date").first())
                        if old is not None:
                            services.person_leave(old, on=_day(rng, dt.date(year, 1, 5), end), reason="去世",
                                                  new_head=_next_head(old))
            _situations(place, today)
    out.write(f"households: {Household.objects.count()} households, {Person.objects.count()} persons, "
              f"{Situation.objects.count()} situations\n")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None, **_: Any) -> None:
    build(out, today=today, recent_years=recent_years)
