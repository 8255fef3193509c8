"""The demo town's responsibility posts (设岗定责), from 2019 to today, written through the services.

In March 2019 the town committee loads both presets (seed 004's eight and Wulan Street's ten); each branch sets up
three or four posts of them for a three-year term (2019-03-01 to 2021-12-31, then 2022, 2025 ...: every term that
has started by `today`), the Dazhuang community's branches taking the ten for unemployed members. Members claim in
the first two months of a term, most on paper through their secretary (recorded on their behalf), and the branch
approves within a week; a few withdraw or are ended during the term, one claim is declined, and the newest claims
of a term under way may still await approval, so the pages and the to-do list open alive.

Deterministic (its own `random.Random`), and idempotent: a town whose committee has post kinds already is left as it
is. Members are taken from today's roster of each branch (the history before them is the roster's).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.core.context import acting
from grassroots.members.models import Member, Standing
from grassroots.orgs.models import Organization, OrgKind

from . import services
from .models import PostKind

SEED = 20190301
FIRST_TERM = dt.date(2019, 3, 1)
TERM_YEARS = 3
WULAN_UNDER = "HS-DZ"  # the community whose branches take the ten posts for unemployed members


def _terms(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    terms = []
    start = FIRST_TERM
    while start <= today:
        terms.append((start, dt.date(start.year + TERM_YEARS - 1, 12, 31)))
        start = dt.date(start.year + TERM_YEARS, 3, 1)
    return terms


def _day(rng: random.Random, start: dt.date, days: int, today: dt.date) -> dt.date:
    return min(start + dt.timedelta(days=rng.randint(0, days)), today)


def build(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    """Every term of posts from 2019 to `today` (few enough records that `recent_years` changes nothing)."""
    from grassroots.demo import data

    town = Organization.objects.filter(code=data.TOWN_CODE).first()
    if town is None or PostKind.objects.filter(org=town).exists():
        return
    rng = random.Random(SEED)
    with acting(None, "system"), transaction.atomic():
        kinds = {"seed004": services.kinds_load_presets(org=town, preset="seed004"),
                 "wulan": services.kinds_load_presets(org=town, preset="wulan")}
        branches = list(Organization.objects.filter(path__startswith=town.path, kind=OrgKind.BRANCH,
                                                    revoked_on__isnull=True).order_by("path"))
        wulan = Organization.objects.filter(code=WULAN_UNDER).first()
        posts = claims = 0
        for branch in branches:
            members = list(Member.objects.filter(org=branch, standing=Standing.ACTIVE).order_by("pk"))
            if not members:
                continue
            preset = "wulan" if wulan is not None and branch.path.startswith(wulan.path) else "seed004"
            for start, end in _terms(today):
                if start < branch.founded_on:
                    continue
                p, c = _term(rng, branch, kinds[preset], members, start, end, today)
                posts, claims = posts + p, claims + c
    out.write(_("Responsibility posts: %(posts)d posts set up and %(claims)d claims since 2019.")
              % {"posts": posts, "claims": claims} + "\n")


def _term(rng: random.Random, branch: Organization, kinds: list[PostKind], members: list[Member],
          start: dt.date, end: dt.date, today: dt.date) -> tuple[int, int]:
    chosen = rng.sample(kinds, min(len(kinds), rng.randint(3, 4)))
    pool = rng.sample(members, len(members))  # one open claim per member: each member claims one post a term
    place = branch.territory.name if branch.territory_id and branch.territory else ""
    n_posts = n_claims = 0
    for kind in chosen:
        seats = rng.randint(2, 4)
        post = services.post_create(org=branch, kind=kind, title=kind.name, duties=kind.description, seats=seats,
                                     term_start=start, term_end=end, place=place)
        n_posts += 1
        for _seat in range(rng.randint(seats - 1, seats)):
            if not pool:
                break
            member = pool.pop()
            under_way = end >= today
            if under_way and rng.random() < 0.12:  # a claim of these weeks, awaiting the branch's approval
                claimed_on = max(start, today - dt.timedelta(days=rng.randint(1, 20)))
                services.claim_post(post=post, member=member, claimed_on=claimed_on)
                n_claims += 1
                continue
            claimed_on = _day(rng, start, 60, today)
            claim = services.claim_post(post=post, member=member, claimed_on=claimed_on)
            n_claims += 1
            decided = claimed_on + dt.timedelta(days=rng.randint(2, 6))
            if decided > today:
                continue  # awaiting approval today
            if rng.random() < 0.03:
                services.claim_decline(claim, version=claim.version, reason="岗位人选已调整，请认领其他岗位",
                                       on=decided)
                continue
            claim = services.claim_approve(claim, version=claim.version, on=decided)
            last = min(end, today)
            if rng.random() < 0.08 and (last - decided).days > 60:
                ended = decided + dt.timedelta(days=rng.randint(30, (last - decided).days - 1))
                if rng.random() < 0.5:
                    services.claim_withdraw(claim, version=claim.version, on=ended, reason="外出务工")
                else:
                    services.claim_end(claim, version=claim.version, on=ended, reason="身体原因")
    return n_posts, n_claims

