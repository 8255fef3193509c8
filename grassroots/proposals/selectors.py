"""Reads of proposals, through the scope (the pages and the API pass `visible_to(scope)` querysets or a readable
organization), with names that say what they answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet

from grassroots.orgs.models import Organization

from .models import Proposal, ProposalAnswer, ProposalState, Proposer, Satisfaction

REVIEWED = (ProposalState.ACCEPTED, ProposalState.ANSWERED, ProposalState.RATED, ProposalState.CLOSED)


def proposals_of(org: Organization) -> QuerySet[Proposal]:
    """The proposals of `org`'s subtree, newest first, with their proposers in order."""
    return (Proposal.objects.filter(org__path__startswith=org.path).select_related("org", "territory", "project")
            .prefetch_related(Prefetch("proposers", Proposer.objects.order_by("order")))
            .order_by("-received_on", "-pk"))


def answers_of(p: Proposal) -> QuerySet[ProposalAnswer]:
    return p.answers.select_related("written_by").order_by("round")


def year_counts(org: Organization, year: int, day: dt.date) -> dict[str, Any]:
    """The year's proposals (received within the year, up to `day`) as their records stand: received, accepted
    (and handled as accepted), merged, turned into opinions; first answers given on time (by the deadline in force
    when answered) of those answered; the last rating of those rated, by satisfaction, and the rate of satisfied
    or basically satisfied among them."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    keys = ("received", "accepted", "merged", "converted", "open_review", "answered", "on_time", "rated",
            "satisfied", "basic", "unsatisfied")
    counts: dict[str, Any] = dict.fromkeys(keys, 0)
    if end < start:
        return {**counts, "on_time_rate": None, "satisfaction_rate": None}
    rows = list(Proposal.objects.filter(org__path__startswith=org.path, received_on__range=(start, end))
                .values("pk", "state", "reviewed_on", "satisfaction", "rated_on"))
    first = {a["proposal"]: a for a in ProposalAnswer.objects.filter(
        proposal__in=[r["pk"] for r in rows], round=1, answered_on__lte=day).values("proposal", "answered_on", "due")}
    for r in rows:
        counts["received"] += 1
        reviewed = r["reviewed_on"] is not None and r["reviewed_on"] <= day
        if not reviewed:
            counts["open_review"] += 1
        elif r["state"] in REVIEWED:
            counts["accepted"] += 1
        elif r["state"] == ProposalState.MERGED:
            counts["merged"] += 1
        elif r["state"] == ProposalState.CONVERTED:
            counts["converted"] += 1
        a = first.get(r["pk"])
        if a is not None:
            counts["answered"] += 1
            counts["on_time"] += a["answered_on"] <= a["due"]
        if r["satisfaction"] and r["rated_on"] is not None and r["rated_on"] <= day:
            counts["rated"] += 1
            counts[{str(Satisfaction.SATISFIED): "satisfied", str(Satisfaction.BASIC): "basic",
                    str(Satisfaction.UNSATISFIED): "unsatisfied"}[r["satisfaction"]]] += 1
    counts["on_time_rate"] = round(100 * counts["on_time"] / counts["answered"]) if counts["answered"] else None
    counts["satisfaction_rate"] = (round(100 * (counts["satisfied"] + counts["basic"]) / counts["rated"])
                                   if counts["rated"] else None)
    return counts


def seats_for(org: Organization, day: dt.date) -> QuerySet[Any]:
    """The seats held on `day` in the deliberative bodies of `org`'s area (its own, those below it and above it)."""
    from django.db.models import Q

    from grassroots.deliberation.models import Seat
    from grassroots.orgs.selectors import ancestor_paths

    return (Seat.objects.filter(Q(body__org__path__startswith=org.path)
                                | Q(body__org__path__in=ancestor_paths(org)))
            .filter(from_on__lte=day).filter(Q(to_on__isnull=True) | Q(to_on__gt=day))
            .select_related("body", "member").order_by("name", "pk"))


def match_proposer(org: Organization, name: str, day: dt.date) -> dict[str, Any]:
    """A proposer named in words: the seat held that day by someone of that name in a body of `org`'s area, else
    the Party member of that name in `org`'s subtree, when exactly one matches; else the name alone (a
    residents' representative)."""
    from grassroots.members.models import Member

    seats = list(seats_for(org, day).filter(name=name)[:2])
    if len(seats) == 1:
        return {"seat": seats[0], "name": name}
    if not seats:
        members = list(Member.objects.filter(org__path__startswith=org.path, name=name)[:2])
        if len(members) == 1:
            return {"member": members[0], "name": name}
    return {"name": name, "role": "residents_rep"}
