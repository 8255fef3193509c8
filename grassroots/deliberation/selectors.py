"""Reads of deliberation and votes, for a readable organization's subtree (the pages and the API pass an
organization read through the scope, or `visible_to(scope)` querysets)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from grassroots.meetings.models import Meeting, MeetingKind
from grassroots.orgs.models import Organization

from .models import Body, BodyMeeting, PathCase, PathStepKind, Topic, Vote, WrittenOpinion

DELIBERATION_KINDS = (MeetingKind.CONGRESS, MeetingKind.TWO_COMMITTEES, MeetingKind.REPS_MEETING,
                      MeetingKind.VILLAGERS_MEETING, MeetingKind.BRIEFING, MeetingKind.HEARING)


def bodies_of(org: Organization, day: dt.date) -> QuerySet[Body]:
    held = Q(seats__from_on__lte=day) & (Q(seats__to_on__isnull=True) | Q(seats__to_on__gt=day))
    return (Body.objects.filter(org__path__startswith=org.path).select_related("org")
            .annotate(n_seats=Count("seats", filter=held, distinct=True),
                      held=Count("meetings", filter=Q(meetings__meeting__date__lte=day), distinct=True))
            .order_by("org__path", "kind", "name"))


def meetings_of(org: Organization) -> QuerySet[BodyMeeting]:
    return (BodyMeeting.objects.filter(meeting__org__path__startswith=org.path).select_related("meeting", "body",
                                                                                                 "meeting__org")
            .order_by("-meeting__date", "-pk"))


def votes_of(org: Organization) -> QuerySet[Vote]:
    return (Vote.objects.filter(meeting__org__path__startswith=org.path).select_related("meeting", "meeting__org")
            .order_by("-meeting__date", "-pk"))


def topics_of(org: Organization) -> QuerySet[Topic]:
    return (Topic.objects.filter(org__path__startswith=org.path).select_related("org")
            .annotate(n_opinions=Count("opinions", distinct=True), n_meetings=Count("meetings", distinct=True))
            .order_by("-opens_on", "-pk"))


def cases_of(org: Organization) -> QuerySet[PathCase]:
    return (PathCase.objects.filter(org__path__startswith=org.path).select_related("org")
            .prefetch_related("steps__vote").order_by("-opened_on", "-pk"))


def case_state(case: PathCase) -> dict[str, Any]:
    """The last step recorded, whether the case decided (a passed step-4 vote), and whether it is published."""
    steps = {s.step: s for s in case.steps.all()}
    last = max(steps) if steps else 0
    decide = steps.get(PathStepKind.DECIDE)
    decided = decide is not None and decide.vote is not None and decide.vote.passed
    return {"last": last, "decided": decided, "published": PathStepKind.PUBLISH_DECISION in steps,
            "done": PathStepKind.PUBLISH_RESULT in steps, "steps": steps}


def public_topics(station: Organization) -> QuerySet[Topic]:
    return Topic.objects.filter(org__path__startswith=station.path, public=True).order_by("-opens_on", "-pk")


def has_public(org: Organization) -> bool:
    return public_topics(org).exists()


def year_counts(org: Organization, year: int, day: dt.date) -> dict[str, int]:
    """The year's figures as the records stood on `day`: topics opened, written opinions, briefings and hearings,
    deliberation meetings, votes held / passed / without quorum, path cases decided and published."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    keys = ("topics", "opinions", "briefings", "meetings", "votes", "passed", "no_quorum", "cases_decided",
            "cases_published")
    if end < start:
        return dict.fromkeys(keys, 0)
    inside = Q(org__path__startswith=org.path)
    meetings = Meeting.objects.filter(inside, kind__in=DELIBERATION_KINDS, date__range=(start, end))
    votes = Vote.objects.filter(meeting__org__path__startswith=org.path, meeting__date__range=(start, end))
    vc = votes.aggregate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)),
                         no_quorum=Count("pk", filter=Q(quorate=False)))
    cases = PathCase.objects.filter(inside)
    decided = cases.filter(steps__step=PathStepKind.DECIDE, steps__vote__passed=True,
                           steps__on__range=(start, end)).distinct().count()
    published = cases.filter(steps__step=PathStepKind.PUBLISH_DECISION, steps__on__range=(start, end)).distinct().count()
    return {
        "topics": Topic.objects.filter(inside, opens_on__range=(start, end)).count(),
        "opinions": WrittenOpinion.objects.filter(topic__org__path__startswith=org.path,
                                                  received_on__range=(start, end)).count(),
        "briefings": meetings.filter(kind__in=(MeetingKind.BRIEFING, MeetingKind.HEARING)).count(),
        "meetings": meetings.count(),
        "votes": vc["n"], "passed": vc["passed"], "no_quorum": vc["no_quorum"],
        "cases_decided": decided, "cases_published": published,
    }
