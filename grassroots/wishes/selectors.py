"""Reads of micro-wishes: what a user may see, what a member may claim, the year's counters, what is late.

Counters are by date: collected by the day collected, claimed among those collected in the year (a claim made
by the day asked about and still standing), fulfilled by the day of fulfilment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from grassroots.access.scope import Scope
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import ancestor_paths
from grassroots.rules.registry import in_force

from .models import CLAIMED_OR_LATER, DONE, PUBLIC_STATES, State, Wish, WishIntake


def mask_name(name: str) -> str:
    """张** : a resident's family name only, as every page and the API show it until revealed."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def intake_open(org: Organization) -> bool:
    """The station pages' `shown_if`: the organization takes wishes on its public form."""
    return WishIntake.objects.filter(org=org, enabled=True).exists()


def station(code: str) -> Organization | None:
    """The organization with this code whose wish intake is switched on."""
    return Organization.objects.filter(code=code, wish_intake__enabled=True, revoked_on__isnull=True).first()


def visible(scope: Scope) -> QuerySet[Wish]:
    """The wishes of the organizations the user may read."""
    return Wish.objects.visible_to(scope)


def for_org(org: Organization) -> QuerySet[Wish]:
    """The wishes collected by the organization and its subtree."""
    return Wish.objects.filter(org__path__startswith=org.path)


def claimable_by(member: Member) -> QuerySet[Wish]:
    """The published wishes a member may claim: collected by their organization or one above it."""
    if member.org is None:
        return Wish.objects.none()
    return Wish.objects.filter(state=State.PUBLISHED, org__path__in=ancestor_paths(member.org, including=True))


def claimed_by(member: Member) -> QuerySet[Wish]:
    return Wish.objects.filter(claimant_member=member)


def actionable(scope: Scope) -> QuerySet[Wish]:
    """The wishes a user may open an action on: those of organizations they read, those claimed by members they
    may read (their own, or a secretary's members), and those their own member records may claim."""
    if scope.unrestricted:
        return Wish.objects.all()
    q = Q(pk__in=visible(scope).values("pk")) | Q(claimant_member__in=scope.members().values("pk"))
    for member in Member.objects.filter(pk__in=scope.own_member_ids).select_related("org"):
        if member.org is not None:
            q |= Q(state=State.PUBLISHED, org__path__in=ancestor_paths(member.org, including=True))
    return Wish.objects.filter(q)


def published(org: Organization) -> QuerySet[Wish]:
    """What the public list of a station shows: its published wishes and what became of them."""
    return Wish.objects.filter(org=org, state__in=PUBLIC_STATES)


def year_end(year: int, day: dt.date) -> dt.date:
    return min(day, dt.date(year, 12, 31))


@dataclass(frozen=True)
class YearCounts:
    collected: int
    claimed: int
    fulfilled: int
    confirmed: int

    def as_json(self) -> dict[str, Any]:
        return {"wishes": dict(self.__dict__)}


def collected_in(qs: QuerySet[Wish], year: int, day: dt.date) -> QuerySet[Wish]:
    return qs.filter(collected_on__gte=dt.date(year, 1, 1), collected_on__lte=year_end(year, day))


def claimed_in(qs: QuerySet[Wish], year: int, day: dt.date) -> QuerySet[Wish]:
    return collected_in(qs, year, day).filter(state__in=CLAIMED_OR_LATER, claimed_on__lte=day)


def fulfilled_in(qs: QuerySet[Wish], year: int, day: dt.date) -> QuerySet[Wish]:
    return qs.filter(state__in=DONE, fulfilled_on__gte=dt.date(year, 1, 1), fulfilled_on__lte=year_end(year, day))


def year_counts(org: Organization, year: int, day: dt.date | None = None) -> YearCounts:
    day = day or timezone.localdate()
    qs = for_org(org)
    done = fulfilled_in(qs, year, day)
    return YearCounts(collected=collected_in(qs, year, day).count(), claimed=claimed_in(qs, year, day).count(),
                      fulfilled=done.count(),
                      confirmed=done.filter(state=State.CONFIRMED, confirmed_on__lte=day).count())


# --- lateness ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    unclaimed_days: int
    unfulfilled_days: int
    unconfirmed_days: int
    cites: tuple[str, str, str]


def limits(day: dt.date) -> Limits:
    a, b, c = (in_force(rule, day) for rule in ("wishes.claim_within", "wishes.fulfil_within",
                                                 "wishes.confirm_within"))
    return Limits(int(a["days"]), int(b["days"]), int(c["days"]), (a.cite, b.cite, c.cite))


def overdue_q(day: dt.date) -> Q:
    """Wishes late on `day`: published and unclaimed, claimed and not fulfilled, fulfilled and unconfirmed for
    longer than the rules allow."""
    lim = limits(day)
    return (Q(state=State.PUBLISHED, published_on__lt=day - dt.timedelta(days=lim.unclaimed_days))
            | Q(state=State.CLAIMED, claimed_on__lt=day - dt.timedelta(days=lim.unfulfilled_days))
            | Q(state=State.FULFILLED, fulfilled_on__lt=day - dt.timedelta(days=lim.unconfirmed_days)))


def due_day(wish: Wish, lim: Limits) -> dt.date | None:
    """The day a wish waiting on someone becomes late; None when it waits on nobody."""
    if wish.state == State.PUBLISHED and wish.published_on:
        return wish.published_on + dt.timedelta(days=lim.unclaimed_days)
    if wish.state == State.CLAIMED and wish.claimed_on:
        return wish.claimed_on + dt.timedelta(days=lim.unfulfilled_days)
    if wish.state == State.FULFILLED and wish.fulfilled_on:
        return wish.fulfilled_on + dt.timedelta(days=lim.unconfirmed_days)
    return None
