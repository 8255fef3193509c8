"""Practical-project findings (source "congress"), for the projects of a subtree on `as_of` (those planned by then
and open then: planned or under way):

- Due dates (congress.due): a project (or sub-project) not done by its due date is overdue, one due within the
  due-soon window due soon; so is a milestone not done by its own due date.
- Lagging (congress.behind_margin, local practice, unverified): a top-level project under way whose progress (the
  roll-up of its sub-projects') is below the share of its time elapsed by more than the margin, in percentage
  points, is overdue (the due is the day judged).
- Reporting (congress.report_every, local practice, unverified): a top-level project under way should have a
  progress report (its own or a sub-project's) within N months of the last one (or of its going under way).

A handful of queries for a whole county: the projects, their status changes, milestones and reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.dates import add_months
from grassroots.rules.findings import OVERDUE, Finding, deadline_state, source
from grassroots.rules.registry import in_force

from .models import OPEN_STATUSES, Milestone, PracticalProject, ProgressReport, Status, StatusChange
from .progress import tree_progress
from .selectors import behind, latest_percent, statuses_on


@source("congress")
def congress_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    projects = list(PracticalProject.objects.filter(org__path__startswith=org.path)
                    .exclude(status=Status.DROPPED).exclude(status=Status.DONE, done_on__lte=as_of)
                    .select_related("org").order_by("org__path", "year", "id"))
    if not projects:
        return
    status = statuses_on([p.pk for p in projects], as_of)
    open_ = [p for p in projects if status.get(p.pk) in OPEN_STATUSES]
    if not open_:
        return
    for p in projects:  # the project as it stood on the day
        if p.pk in status:
            p.status = status[p.pk]
            if p.status != Status.DONE:
                p.done_on = None
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(project__in=[p.pk for p in open_]).order_by("due_on", "id"):
        milestones[m.project_id].append(m)
    progress = tree_progress(projects, latest_percent([p.pk for p in projects], as_of), as_of)
    due_rule = in_force("congress.due", as_of)
    for p in open_:
        url = reverse("congress-project", args=[p.pk])
        if p.due_on is not None:
            state = deadline_state(p.due_on, None, as_of)
            if state is not None:
                yield Finding(rule=due_rule.cite, state=state, subject_type="practical_project", subject_id=p.pk,
                              subject_label=p.title, org_id=p.org_id, org_name=p.org.name, due=p.due_on,
                              message=_("Practical project “%(title)s” (%(year)s) is due by %(due)s: progress "
                                        "%(progress)s%%.") % {"title": p.title, "year": p.year,
                                                              "due": p.due_on.isoformat(),
                                                              "progress": round(progress[p.pk])}, url=url)
        for m in milestones.get(p.pk, []):
            if m.done_on is not None and m.done_on <= as_of:
                continue
            state = deadline_state(m.due_on, None, as_of)
            if state is not None:
                yield Finding(rule=due_rule.cite, state=state, subject_type="practical_milestone", subject_id=m.pk,
                              subject_label=m.title, org_id=p.org_id, org_name=p.org.name, due=m.due_on,
                              message=_("Milestone “%(milestone)s” of “%(title)s” is due by %(due)s.")
                              % {"milestone": m.title, "title": p.title, "due": m.due_on.isoformat()}, url=url)
    tops = [p for p in open_ if p.parent_id is None and p.status == Status.UNDER_WAY]
    if not tops:
        return
    lag_rule = in_force("congress.behind_margin", as_of)
    for p in tops:
        lag = behind(p, progress[p.pk], as_of, milestones=[])
        if p.due_on is not None and p.due_on >= as_of and lag.lag:
            yield Finding(rule=lag_rule.cite, state=OVERDUE, subject_type="practical_project_lag", subject_id=p.pk,
                          subject_label=p.title, org_id=p.org_id, org_name=p.org.name, due=as_of,
                          message=_("Practical project “%(title)s” is behind schedule: %(why)s.")
                          % {"title": p.title, "why": lag.lag},
                          url=reverse("congress-project", args=[p.pk]))
    report_rule = in_force("congress.report_every", as_of)
    months = int(report_rule["months"])
    parent_of = {p.pk: p.parent_id for p in projects}

    def top_of(pid: int) -> int:
        while parent_of.get(pid):
            pid = parent_of[pid]  # type: ignore[assignment]
        return pid

    last: dict[int, dt.date] = {}
    for pid, on in (ProgressReport.objects.filter(project__in=list(parent_of), on__lte=as_of)
                    .values_list("project_id", "on")):
        t = top_of(pid)
        last[t] = max(last.get(t, on), on)
    started: dict[int, dt.date] = {}
    for pid, on in (StatusChange.objects.filter(project__in=[p.pk for p in tops], to_status=Status.UNDER_WAY,
                                                on__lte=as_of).values_list("project_id", "on")):
        started[pid] = max(started.get(pid, on), on)
    for p in tops:
        since = max(d for d in (last.get(p.pk), started.get(p.pk)) if d is not None) \
            if (last.get(p.pk) or started.get(p.pk)) else None
        if since is None:
            continue
        due = add_months(since, months)
        state = deadline_state(due, None, as_of)
        if state is None:
            continue
        yield Finding(rule=report_rule.cite, state=state, subject_type="practical_project_report", subject_id=p.pk,
                      subject_label=p.title, org_id=p.org_id, org_name=p.org.name, due=due,
                      message=_("Practical project “%(title)s” last reported progress on %(date)s: report by "
                                "%(due)s.") % {"title": p.title, "date": since.isoformat(), "due": due.isoformat()},
                      url=reverse("congress-project", args=[p.pk]))
