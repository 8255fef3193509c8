"""Reads of joint meetings, through the scope (the pages and the API pass `visible_to(scope)` querysets or a
readable organization), with names that say what they answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from grassroots.orgs.models import Organization

from .models import Decision, JointMeeting, JointMembership, JointSession, Task, UnitAttendance, UnitPresence


def bodies_of(org: Organization) -> QuerySet[JointMeeting]:
    """The bodies convened in `org`'s subtree, with their members today-agnostic counts added by the caller."""
    return JointMeeting.objects.filter(org__path__startswith=org.path).select_related("org")


def with_counts(bodies: QuerySet[JointMeeting], day: dt.date) -> QuerySet[JointMeeting]:
    """Each body with `members` (memberships held on `day`) and `held` (meetings up to `day`)."""
    held_on = Q(memberships__joined_on__lte=day) & (Q(memberships__left_on__isnull=True)
                                                     | Q(memberships__left_on__gt=day))
    return bodies.annotate(members=Count("memberships", filter=held_on, distinct=True),
                           held=Count("sessions", filter=Q(sessions__meeting__date__lte=day), distinct=True))


def memberships_of(body: JointMeeting) -> QuerySet[JointMembership]:
    return body.memberships.select_related("unit").order_by("unit__name", "-joined_on", "pk")


def sessions_of(bodies: QuerySet[JointMeeting] | list[int]) -> QuerySet[JointSession]:
    """The meetings of the bodies, newest first, with counts of the units by presence, decisions and tasks."""
    return (JointSession.objects.filter(body__in=bodies).select_related("meeting", "body")
            .annotate(present=Count("attendance", filter=Q(attendance__presence=UnitPresence.PRESENT), distinct=True),
                      excused=Count("attendance", filter=Q(attendance__presence=UnitPresence.EXCUSED), distinct=True),
                      absent=Count("attendance", filter=Q(attendance__presence=UnitPresence.ABSENT), distinct=True),
                      n_decisions=Count("decisions", distinct=True))
            .order_by("-meeting__date", "-pk"))


def sessions_in(org: Organization, start: dt.date, end: dt.date) -> QuerySet[JointSession]:
    return JointSession.objects.filter(body__org__path__startswith=org.path, meeting__date__range=(start, end))


def tasks_of(org: Organization) -> QuerySet[Task]:
    return (Task.objects.filter(decision__session__body__org__path__startswith=org.path)
            .select_related("unit", "decision__session__meeting", "decision__session__body")
            .order_by("done_on", "due_on", "pk"))


def decisions_in(org: Organization, start: dt.date, end: dt.date) -> QuerySet[Decision]:
    return Decision.objects.filter(session__body__org__path__startswith=org.path,
                                   session__meeting__date__range=(start, end))


def year_counts(org: Organization, year: int, day: dt.date) -> dict[str, Any]:
    """The year's figures as the records stood on `day` (meetings up to `day` within the year): meetings held,
    units attending (distinct, present), attendances, decisions, projects and tasks from them, done by `day`."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    if end < start:
        return dict.fromkeys(("meetings", "units", "attendances", "decisions", "projects", "projects_done",
                              "tasks", "tasks_done", "tasks_open"), 0)
    sessions = sessions_in(org, start, end)
    present = UnitAttendance.objects.filter(session__in=sessions, presence=UnitPresence.PRESENT)
    decisions = decisions_in(org, start, end)
    tasks = Task.objects.filter(decision__in=decisions)
    projects = decisions.filter(project__isnull=False)
    done_tasks = tasks.filter(done_on__lte=day).count()
    n_tasks = tasks.count()
    return {
        "meetings": sessions.count(),
        "units": present.values("unit").distinct().count(),
        "attendances": present.count(),
        "decisions": decisions.count(),
        "projects": projects.count(),
        "projects_done": projects.filter(project__state="done", project__done_on__lte=day).count(),
        "tasks": n_tasks,
        "tasks_done": done_tasks,
        "tasks_open": n_tasks - done_tasks,
    }
