"""Reads of practical projects, through the scope (the pages and the API pass `visible_to(scope)` querysets or a
readable organization): a subtree's projects, their progress (exact, `progress.py`) on a day, whether one is behind
schedule and why, a project's timeline, the year's figures for the dashboard and the annual summary, and what the
public pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import (
    OPEN_STATUSES,
    CongressReport,
    Milestone,
    PracticalProject,
    ProgressReport,
    Status,
    StatusChange,
    Supervision,
)
from .progress import rollup, tree_progress


def projects_of(org: Organization) -> QuerySet[PracticalProject]:
    return PracticalProject.objects.filter(org__path__startswith=org.path).select_related("org", "parent")


def latest_percent(project_ids: list[int], day: dt.date | None = None) -> dict[int, int]:
    """Each project's latest reported per cent (on or before `day`)."""
    reports = ProgressReport.objects.filter(project_id__in=project_ids)
    if day is not None:
        reports = reports.filter(on__lte=day)
    out: dict[int, int] = {}
    for pid, percent in reports.order_by("project_id", "on", "id").values_list("project_id", "percent"):
        out[pid] = percent
    return out


def trees(projects: list[PracticalProject]) -> list[PracticalProject]:
    """`projects` with every sub-project below them (at any depth), each once."""
    seen = {p.pk: p for p in projects}
    frontier = list(seen)
    while frontier:
        kids = list(PracticalProject.objects.filter(parent_id__in=frontier).exclude(pk__in=list(seen)))
        frontier = []
        for k in kids:
            seen[k.pk] = k
            frontier.append(k.pk)
    return list(seen.values())


def progress_map(projects: list[PracticalProject], day: dt.date | None = None) -> dict[int, Fraction]:
    """Progress (exact) of `projects` and of all their sub-projects, as the records stood on `day`."""
    every = trees(projects)
    return tree_progress(every, latest_percent([p.pk for p in every], day), day)


def statuses_on(project_ids: list[int], day: dt.date) -> dict[int, str]:
    """The status each project had on `day` (absent: not planned yet), in one query."""
    out: dict[int, str] = {}
    for pid, to in (StatusChange.objects.filter(project_id__in=project_ids, on__lte=day)
                    .order_by("project_id", "on", "id").values_list("project_id", "to_status")):
        out[pid] = to
    return out


@dataclass
class Behind:
    reasons: list[str] = field(default_factory=list)
    due: dt.date | None = None  # the earliest date passed
    lag: str = ""  # why its progress lags the time elapsed, when it does

    def __bool__(self) -> bool:
        return bool(self.reasons)


def elapsed_share(project: PracticalProject, day: dt.date) -> Fraction | None:
    """The share of the project's time elapsed on `day` (0–1), when its planned start and due date are set."""
    if project.planned_start is None or project.due_on is None:
        return None
    span = (project.due_on - project.planned_start).days
    if span <= 0:
        return Fraction(1) if day >= project.due_on else Fraction(0)
    gone = (day - project.planned_start).days
    return min(Fraction(1), max(Fraction(0), Fraction(gone, span)))


def behind(project: PracticalProject, progress: Fraction, day: dt.date,
           milestones: list[Milestone] | None = None) -> Behind:
    """Why an open project is behind schedule on `day`: its due date passed; a milestone's due date passed with the
    milestone not done; its progress lags the share of its time elapsed by more than the margin (rules data
    congress.behind_margin). A project done, suspended or dropped is not behind."""
    out = Behind()
    if project.status not in OPEN_STATUSES:
        return out
    if project.due_on is not None and project.due_on < day:
        out.reasons.append(_("due on %(date)s, not done") % {"date": project.due_on.isoformat()})
        out.due = project.due_on
    ms = milestones if milestones is not None else list(project.milestones.all())
    for m in ms:
        if m.due_on < day and (m.done_on is None or m.done_on > day):
            out.reasons.append(_("milestone “%(title)s” due on %(date)s, not done")
                               % {"title": m.title, "date": m.due_on.isoformat()})
            out.due = min(out.due or m.due_on, m.due_on)
    share = elapsed_share(project, day)
    if project.status == Status.UNDER_WAY and share is not None:
        margin = Fraction(str(in_force("congress.behind_margin", day)["percent"]))
        expected = share * 100
        if progress < expected - margin:
            out.lag = _("progress %(progress)s%% while %(elapsed)s%% of the time has passed") % {
                "progress": round(progress), "elapsed": round(expected)}
            out.reasons.append(out.lag)
            out.due = out.due or day
    return out


@dataclass(frozen=True)
class Entry:
    """One entry of a project's timeline."""

    on: dt.date
    kind: str  # status, progress, milestone, supervision, report, sub-project's progress
    text: str
    detail: str = ""
    project: PracticalProject | None = None  # the sub-project it concerns, when not the project itself


def timeline(project: PracticalProject, *, public: bool = False) -> list[Entry]:
    """The dated history of the project and its sub-projects, oldest first: status changes, progress reports,
    milestones done, supervision activities (with the representatives' names) and reports to the representatives.
    `public`: what the public page may show: the representatives' names (their seats) but not the other names typed
    for an activity, nor who recorded a change."""
    every = trees([project])
    ids = [p.pk for p in every]
    by_id = {p.pk: p for p in every}
    entries: list[Entry] = []

    def which(pid: int) -> PracticalProject | None:
        return None if pid == project.pk else by_id[pid]

    for c in StatusChange.objects.filter(project_id__in=ids).order_by("on", "id"):
        label = Status(c.to_status).label
        text = (_("Planned") if not c.from_status else
                _("%(from)s → %(to)s") % {"from": Status(c.from_status).label, "to": label})
        who = "" if public else c.by_name
        detail = " · ".join(x for x in (c.note, who) if x)
        entries.append(Entry(c.on, "status", str(text), detail, which(c.project_id)))
    for r in ProgressReport.objects.filter(project_id__in=ids).order_by("on", "id"):
        entries.append(Entry(r.on, "progress", _("Progress %(percent)s%%") % {"percent": r.percent}, r.note,
                             which(r.project_id)))
    for m in Milestone.objects.filter(project_id__in=ids, done_on__isnull=False).order_by("done_on", "id"):
        assert m.done_on is not None
        entries.append(Entry(m.done_on, "milestone", _("Milestone done: %(title)s") % {"title": m.title},
                             _("due on %(date)s") % {"date": m.due_on.isoformat()}, which(m.project_id)))
    for s in (Supervision.objects.filter(project_id__in=ids).prefetch_related("seats").order_by("on", "id")):
        names = ", ".join([seat.name for seat in s.seats.all()] + ([s.names] if s.names and not public else []))
        entries.append(Entry(s.on, "supervision", _("Supervision: %(kind)s") % {"kind": s.get_kind_display()},
                             " · ".join(x for x in (names, s.findings) if x), which(s.project_id)))
        if s.follow_up_done_on is not None:
            entries.append(Entry(s.follow_up_done_on, "supervision", _("Follow-up done"), s.follow_up,
                                 which(s.project_id)))
    for cr in CongressReport.objects.filter(project_id__in=ids).order_by("on", "id"):
        entries.append(Entry(cr.on, "report", _("Progress reported to the representatives"), cr.text,
                             which(cr.project_id)))
    order = {"status": 0, "milestone": 1, "progress": 2, "supervision": 3, "report": 4}
    entries.sort(key=lambda e: (e.on, order[e.kind]))
    return entries


# --- the year's figures -------------------------------------------------------------------------------------

def top_level_in(org: Organization, year: int) -> QuerySet[PracticalProject]:
    return projects_of(org).filter(year=year, parent__isnull=True)


def year_counts(org: Organization, year: int, day: dt.date) -> dict[str, Any]:
    """The year's practical projects (top level, planned by `day`) as the records stood on `day`: how many, of
    them voted at a congress, done, under way, behind schedule, dropped; their mean progress (exact, a Fraction or
    None); supervision activities of the year."""
    planned = StatusChange.objects.filter(from_status="", on__lte=day).values("project_id")
    projects = list(top_level_in(org, year).filter(pk__in=planned).prefetch_related("milestones"))
    progress = progress_map(projects, day)
    statuses = statuses_on([p.pk for p in projects], day)
    counts: dict[str, Any] = {"projects": len(projects), "voted": 0, "done": 0, "under_way": 0, "behind": 0,
                              "dropped": 0}
    values: list[tuple[int, Fraction]] = []
    for p in projects:
        status = statuses.get(p.pk)
        counts["voted"] += p.meeting_id is not None
        if status == Status.DONE:
            counts["done"] += 1
        elif status == Status.DROPPED:
            counts["dropped"] += 1
            continue
        elif status == Status.UNDER_WAY:
            counts["under_way"] += 1
        p.status = status or p.status
        if status != Status.DONE:
            p.done_on = None
        if behind(p, progress[p.pk], day, list(p.milestones.all())):
            counts["behind"] += 1
        values.append((1, progress[p.pk]))
    counts["mean"] = rollup(values)
    counts["supervisions"] = Supervision.objects.filter(
        project__org__path__startswith=org.path, on__year=year, on__lte=day).count()
    return counts


# --- public -----------------------------------------------------------------------------------------------------

def public_projects(org: Organization) -> QuerySet[PracticalProject]:
    """The published projects (top level) of the station's subtree."""
    return projects_of(org).filter(published=True, parent__isnull=True).order_by("-year", "code", "id")


def has_public(org: Any) -> bool:
    return public_projects(org).exists()
