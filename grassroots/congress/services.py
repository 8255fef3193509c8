"""Writes to practical projects: the project (voted at a congress, perhaps a sub-project of another), its status
changes (each a dated row of the timeline), milestones, progress reports of a leaf project, reports to the
representatives, and supervision activities by representatives.

Each write is one function, keyword-only, in a transaction, permission-checked (whoever writes the project's
organization), audited, raising `RuleError` naming the field with nothing written when the request breaks a rule.
Edits of versioned records carry the `version` read.

Rules kept here:
- a sub-project belongs to its parent's organization and year; it may be added only to a project that is neither
  done nor dropped and has no progress report of its own (a parent's progress is the roll-up of its parts, never
  reported);
- a weight is a whole number of at least 1 (a part that should not count is dropped, not weighted 0);
- progress (0–100 %) is reported for a leaf project only, while it is planned, under way or suspended;
- the status moves planned → under way → done, with suspended (and back to under way) and dropped on the way;
  suspending and dropping need a reason; a project is done only when its sub-projects are done or dropped;
- the dates of a project's status changes never go backwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_org
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import RuleError
from grassroots.core.values import day as _day
from grassroots.core.values import past_day as _past
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.deliberation.models import Seat, Vote
from grassroots.meetings.models import Meeting, MeetingKind
from grassroots.orgs.models import Organization

from .models import (
    CongressReport,
    Milestone,
    PracticalProject,
    ProgressReport,
    Status,
    StatusChange,
    Supervision,
    SupervisionKind,
)

PROJECT_FIELDS = ("org", "parent", "title", "code", "year", "weight", "description", "lead_unit", "handler_name",
                  "handler_phone", "planned_start", "due_on", "status", "status_reason", "done_on", "published",
                  "meeting", "vote")
EDITABLE = ("title", "code", "weight", "description", "lead_unit", "handler_name", "handler_phone", "planned_start",
            "due_on", "published", "meeting", "vote")
MILESTONE_FIELDS = ("project", "title", "due_on", "done_on", "weight")
SUPERVISION_FIELDS = ("project", "on", "kind", "names", "findings", "follow_up", "follow_up_done_on")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PLANNED: (Status.UNDER_WAY, Status.SUSPENDED, Status.DROPPED),
    Status.UNDER_WAY: (Status.DONE, Status.SUSPENDED, Status.DROPPED),
    Status.SUSPENDED: (Status.UNDER_WAY, Status.DROPPED),
    Status.DONE: (),
    Status.DROPPED: (),
}
NEEDS_REASON = (Status.SUSPENDED, Status.DROPPED)


def today() -> dt.date:
    return timezone.localdate()


def _locked(project: PracticalProject) -> PracticalProject:
    locked = PracticalProject.objects.select_for_update(of=("self",)).select_related("org").get(pk=project.pk)
    require_write_org(locked.org)
    return locked


def _weight(value: Any, field: str = "weight") -> int:
    raw = str(value if value is not None else "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if raw == "":
        return 1
    try:
        n = int(raw)
    except ValueError:
        raise RuleError(_("not a whole number: %(value)s") % {"value": raw}, field=field) from None
    if n < 1 or n > 1000:
        raise RuleError(_("a weight is a whole number from 1 to 1000"), field=field)
    return n


def _percent(value: Any) -> int:
    raw = str(value if value is not None else "").strip().rstrip("%％").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if raw == "":
        raise RuleError(_("this field is required"), field="percent")
    try:
        n = int(raw)
    except ValueError:
        raise RuleError(_("not a whole number: %(value)s") % {"value": raw}, field="percent") from None
    if not 0 <= n <= 100:
        raise RuleError(_("progress is a per cent from 0 to 100"), field="percent")
    return n


def _actor_name() -> tuple[Any, str]:
    actor = current_actor()
    if actor is None or not getattr(actor, "pk", None):
        return None, _("system")
    name = (actor.get_full_name() if hasattr(actor, "get_full_name") else "") or actor.get_username()
    return actor, name[:50]


def _meeting_and_vote(org: Organization, meeting: Meeting | None, vote: Vote | None) -> tuple[Meeting | None,
                                                                                                Vote | None]:
    if vote is not None:
        vote = Vote.objects.select_related("meeting__org").get(pk=vote.pk)
        if meeting is not None and vote.meeting_id != meeting.pk:
            raise RuleError(_("the vote was taken at another meeting"), field="vote")
        meeting = vote.meeting
    if meeting is not None:
        meeting = Meeting.objects.select_related("org").get(pk=meeting.pk)
        if meeting.kind != MeetingKind.CONGRESS:
            raise RuleError(_("%(meeting)s is not a Party representatives' congress") % {"meeting": meeting},
                            field="meeting")
        if not (org.path.startswith(meeting.org.path) or meeting.org.path.startswith(org.path)):
            raise RuleError(_("the congress was held by %(org)s, outside %(mine)s's line")
                            % {"org": meeting.org, "mine": org}, field="meeting")
    return meeting, vote


def _dates(planned_start: dt.date | None, due_on: dt.date | None) -> None:
    if planned_start is not None and due_on is not None and due_on < planned_start:
        raise RuleError(_("the due date is before the planned start (%(date)s)") % {"date": planned_start},
                        field="due_on")


def _status_row(project: PracticalProject, on: dt.date, before: str, after: str, note: str) -> StatusChange:
    by, by_name = _actor_name()
    return StatusChange.objects.create(project=project, on=on, from_status=before, to_status=after, note=note,
                                       by=by, by_name=by_name)


# --- the project ------------------------------------------------------------------------------------------------

@transaction.atomic
def project_create(*, org: Organization | None = None, title: Any, parent: PracticalProject | None = None,
                   year: Any = None, weight: Any = 1, code: Any = "", description: Any = "", lead_unit: Any = "",
                   handler_name: Any = "", handler_phone: Any = "", planned_start: Any = None, due_on: Any = None,
                   meeting: Meeting | None = None, vote: Vote | None = None, published: bool = False,
                   on: Any = None) -> PracticalProject:
    """Plan a practical project of `org` (or a sub-project of `parent`, in its organization and year). `on` is the
    day it is recorded as planned (by default the parent's, else the congress's date when it was voted, else
    today)."""
    if parent is not None:
        parent = _locked(parent)
        if parent.status in (Status.DONE, Status.DROPPED):
            raise RuleError(_("%(project)s is %(status)s: it takes no new sub-project")
                            % {"project": parent, "status": parent.get_status_display()}, field="parent")
        if parent.progress_reports.exists():
            raise RuleError(_("%(project)s has progress reports of its own: a project with sub-projects takes its "
                              "progress from them") % {"project": parent}, field="parent")
        if org is not None and org.pk != parent.org_id:
            raise RuleError(_("a sub-project belongs to its parent's organization"), field="org")
        org = parent.org
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    title = _text(title, "title", 200, required=True)
    code = _text(code, "code", 30)
    start = _day(planned_start, "planned_start", required=False)
    due = _day(due_on, "due_on", required=False)
    _dates(start, due)
    meeting, vote = _meeting_and_vote(org, meeting, vote)
    if parent is not None:
        the_year = parent.year
    elif year not in (None, ""):
        try:
            the_year = int(str(year).strip())
        except ValueError:
            raise RuleError(_("not a year: %(value)s") % {"value": year}, field="year") from None
        if not 1990 <= the_year <= 2100:
            raise RuleError(_("not a year: %(value)s") % {"value": year}, field="year")
    else:
        the_year = (meeting.date if meeting else start or today()).year
    if code and PracticalProject.objects.filter(org=org, code=code).exists():
        raise RuleError(_("%(org)s already has a project coded %(code)s") % {"org": org, "code": code}, field="code")
    day = _past(on, "on", required=False)
    if day is None and parent is not None:
        first = parent.status_changes.order_by("on", "id").first()
        day = first.on if first is not None else None
    day = day or (meeting.date if meeting else today())
    project = PracticalProject.objects.create(
        org=org, parent=parent, title=title, code=code, year=the_year, weight=_weight(weight),
        description=_text(description, "description", 5000), lead_unit=_text(lead_unit, "lead_unit", 100),
        handler_name=_text(handler_name, "handler_name", 50), handler_phone=_text(handler_phone, "handler_phone", 30),
        planned_start=start, due_on=due, meeting=meeting, vote=vote, published=bool(published))
    _status_row(project, day, "", Status.PLANNED, _("voted at %(meeting)s") % {"meeting": meeting} if meeting else "")
    audit.record("congress.project_create", project, after=audit.snapshot(project, PROJECT_FIELDS), org_id=org.pk)
    return project


@transaction.atomic
def project_update(*, project: PracticalProject, version: Any, **changes: Any) -> PracticalProject:
    """Edit the project's facts (not its status, progress or parent: those have their own writes)."""
    project = _locked(project)
    check_version(project, version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RuleError(_("not editable: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                        field=sorted(unknown)[0])
    before = audit.snapshot(project, PROJECT_FIELDS)
    limits = {"title": 200, "code": 30, "description": 5000, "lead_unit": 100, "handler_name": 50,
              "handler_phone": 30}
    for field, limit in limits.items():
        if field in changes:
            setattr(project, field, _text(changes[field], field, limit, required=field == "title"))
    if "weight" in changes:
        project.weight = _weight(changes["weight"])
    if "planned_start" in changes:
        project.planned_start = _day(changes["planned_start"], "planned_start", required=False)
    if "due_on" in changes:
        project.due_on = _day(changes["due_on"], "due_on", required=False)
    _dates(project.planned_start, project.due_on)
    if "published" in changes:
        project.published = bool(changes["published"])
    if "meeting" in changes or "vote" in changes:
        project.meeting, project.vote = _meeting_and_vote(project.org, changes.get("meeting", project.meeting),
                                                          changes.get("vote", project.vote))
    if project.code and PracticalProject.objects.filter(org=project.org, code=project.code).exclude(
            pk=project.pk).exists():
        raise RuleError(_("%(org)s already has a project coded %(code)s") % {"org": project.org,
                                                                           "code": project.code}, field="code")
    project.save()
    project.refresh_from_db()
    audit.record("congress.project_update", project, before=before, after=audit.snapshot(project, PROJECT_FIELDS),
                 org_id=project.org_id)
    return project


@transaction.atomic
def status_change(*, project: PracticalProject, version: Any, to: Any, on: Any, note: Any = "") -> PracticalProject:
    """Move the project to status `to` on `on` (a day that has come), with a note (the reason, required when
    suspending or dropping). Done needs its sub-projects done or dropped; the day is its done date."""
    project = _locked(project)
    check_version(project, version)
    to = str(to or "")
    if to not in Status.values:
        raise RuleError(_("unknown status: %(value)s") % {"value": to}, field="to")
    if to not in TRANSITIONS[project.status]:
        raise RuleError(_("a project %(from)s cannot become %(to)s")
                        % {"from": project.get_status_display(), "to": Status(to).label}, field="to")
    day = _past(on, "on")
    last = project.status_changes.order_by("-on", "-id").first()
    if last is not None and day < last.on:
        raise RuleError(_("the status last changed on %(date)s") % {"date": last.on}, field="on")
    note = _text(note, "note", 300, required=to in NEEDS_REASON)
    if to == Status.DONE:
        open_parts = project.children.exclude(status__in=(Status.DONE, Status.DROPPED))
        if open_parts.exists():
            raise RuleError(_("sub-projects not done: %(names)s")
                            % {"names": ", ".join(p.title for p in open_parts[:5])}, field="to")
        late = project.children.filter(status=Status.DONE, done_on__gt=day).order_by("-done_on").first()
        if late is not None:
            raise RuleError(_("%(part)s was done on %(date)s") % {"part": late, "date": late.done_on}, field="on")
    before = audit.snapshot(project, PROJECT_FIELDS)
    row = _status_row(project, day, project.status, to, note)
    project.status = to
    project.status_reason = note if to in NEEDS_REASON else ""
    project.done_on = day if to == Status.DONE else None
    project.save()
    project.refresh_from_db()
    audit.record("congress.status_change", project, before=before, after=audit.snapshot(project, PROJECT_FIELDS),
                 org_id=project.org_id, extra={"status_change": row.pk})
    return project


# --- milestones -------------------------------------------------------------------------------------------------

@transaction.atomic
def milestone_add(*, project: PracticalProject, title: Any, due_on: Any, weight: Any = 1) -> Milestone:
    project = _locked(project)
    if project.status in (Status.DONE, Status.DROPPED):
        raise RuleError(_("%(project)s is %(status)s") % {"project": project,
                                                          "status": project.get_status_display()}, field="title")
    m = Milestone.objects.create(project=project, title=_text(title, "title", 200, required=True),
                                 due_on=_day(due_on, "due_on"), weight=_weight(weight))
    audit.record("congress.milestone_add", m, after=audit.snapshot(m, MILESTONE_FIELDS), org_id=project.org_id)
    return m


@transaction.atomic
def milestone_done(*, milestone: Milestone, done_on: Any, version: Any = None) -> Milestone:
    m = Milestone.objects.select_for_update(of=("self",)).select_related("project__org").get(pk=milestone.pk)
    require_write_org(m.project.org)
    check_version(m, version)
    if m.done_on is not None:
        raise RuleError(_("done already on %(date)s") % {"date": m.done_on}, field="done_on")
    before = audit.snapshot(m, MILESTONE_FIELDS)
    m.done_on = _past(done_on, "done_on")
    m.save()
    m.refresh_from_db()
    audit.record("congress.milestone_done", m, before=before, after=audit.snapshot(m, MILESTONE_FIELDS),
                 org_id=m.project.org_id)
    return m


# --- progress and reports ---------------------------------------------------------------------------------------

@transaction.atomic
def progress_record(*, project: PracticalProject, on: Any, percent: Any, note: Any = "") -> ProgressReport:
    """Report a leaf project's progress (0–100 %) on `on`. A project with sub-projects takes its progress from
    them and is refused; so is one done or dropped."""
    project = _locked(project)
    if project.children.exists():
        raise RuleError(_("%(project)s has sub-projects: its progress is rolled up from theirs, never reported")
                        % {"project": project}, field="percent")
    if project.status in (Status.DONE, Status.DROPPED):
        raise RuleError(_("%(project)s is %(status)s") % {"project": project,
                                                          "status": project.get_status_display()}, field="percent")
    n = _percent(percent)
    day = _past(on, "on")
    r = ProgressReport.objects.create(project=project, on=day, percent=n, note=_text(note, "note", 500))
    audit.record("congress.progress_record", r, after={"project": project.pk, "on": day.isoformat(), "percent": n,
                                                       "note": r.note}, org_id=project.org_id)
    return r


@transaction.atomic
def congress_report_record(*, project: PracticalProject, on: Any, text: Any) -> CongressReport:
    """A report of the project's progress to the congress or its representatives, dated."""
    project = _locked(project)
    r = CongressReport.objects.create(project=project, on=_past(on, "on"),
                                      text=_text(text, "text", 5000, required=True))
    audit.record("congress.report_record", r, after={"project": project.pk, "on": r.on.isoformat(), "text": r.text},
                 org_id=project.org_id)
    return r


# --- supervision ------------------------------------------------------------------------------------------------

@transaction.atomic
def supervision_record(*, project: PracticalProject, on: Any, kind: Any, seats: Iterable[Seat] = (),
                       names: Any = "", findings: Any = "", follow_up: Any = "") -> Supervision:
    """A supervision activity of representatives on `on`: their seats (held that day in a body of the project's
    organization or one above it) and/or names typed, what they found and what is to follow."""
    project = _locked(project)
    kind = str(kind or "")
    if kind not in SupervisionKind.values:
        raise RuleError(_("unknown kind: %(value)s") % {"value": kind}, field="kind")
    day = _past(on, "on")
    seat_list = list(Seat.objects.filter(pk__in=[s.pk for s in seats]).select_related("body__org"))
    for s in seat_list:
        org = s.body.org
        if not (project.org.path.startswith(org.path) or org.path.startswith(project.org.path)):
            raise RuleError(_("%(name)s sits in %(body)s, outside %(org)s's line")
                            % {"name": s.name, "body": s.body, "org": project.org}, field="seats")
        if not s.on(day):
            raise RuleError(_("%(name)s did not hold a seat on %(date)s") % {"name": s.name, "date": day},
                            field="seats")
    names = _text(names, "names", 300)
    if not seat_list and not names:
        raise RuleError(_("name who took part: a representative's seat or names"), field="seats")
    sv = Supervision.objects.create(project=project, on=day, kind=kind, names=names,
                                    findings=_text(findings, "findings", 5000),
                                    follow_up=_text(follow_up, "follow_up", 5000))
    sv.seats.set(seat_list)
    audit.record("congress.supervision_record", sv, after={**audit.snapshot(sv, SUPERVISION_FIELDS),
                                                           "seats": [s.pk for s in seat_list]},
                 org_id=project.org_id)
    return sv


@transaction.atomic
def supervision_follow_up_done(*, supervision: Supervision, done_on: Any, version: Any = None) -> Supervision:
    sv = Supervision.objects.select_for_update(of=("self",)).select_related("project__org").get(pk=supervision.pk)
    require_write_org(sv.project.org)
    check_version(sv, version)
    if not sv.follow_up:
        raise RuleError(_("the activity has no follow-up to be done"), field="done_on")
    if sv.follow_up_done_on is not None:
        raise RuleError(_("done already on %(date)s") % {"date": sv.follow_up_done_on}, field="done_on")
    day = _past(done_on, "done_on")
    if day < sv.on:
        raise RuleError(_("the activity was on %(date)s") % {"date": sv.on}, field="done_on")
    before = audit.snapshot(sv, SUPERVISION_FIELDS)
    sv.follow_up_done_on = day
    sv.save()
    sv.refresh_from_db()
    audit.record("congress.supervision_follow_up_done", sv, before=before,
                 after=audit.snapshot(sv, SUPERVISION_FIELDS), org_id=sv.project.org_id)
    return sv
