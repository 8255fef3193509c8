"""Writes to joint meetings: the body, its members (dated), the meetings it holds with attendance by unit, their
decisions, the projects and tasks the decisions become, and the tasks done.

Each write is one function, keyword-only, in a transaction, permission-checked (whoever writes the body's
organization: its secretary or organizer, or one above), audited, raising `RuleError` naming the field with
nothing written when the request breaks a rule. Edits of versioned records carry the `version` read.

A meeting of the body is a `meetings.Meeting` of kind `joint_meeting`, recorded by `meetings.services.record_meeting`
for the body's organization (so it may be entered after the day, and is marked so), with its attachments (a photo
of the paper sign-in sheet) through `meetings.services.add_attachment`. Its attendance is by unit: only the units
that were members of the body on the meeting's date. A decision becomes a co-construction project through
`cobuild.services.project_create` (source: a joint meeting's decision), or tasks with a deadline and an owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_org
from grassroots.cobuild import services as cobuild_services
from grassroots.cobuild.models import Project, ProjectSource, ResidentUnit
from grassroots.core import audit
from grassroots.core.errors import RuleError
from grassroots.core.values import day as _day
from grassroots.core.values import past_day as _past
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.meetings import services as meeting_services
from grassroots.meetings.models import MeetingKind
from grassroots.orgs.models import Organization, OrgKind

from .models import Decision, JointMeeting, JointMembership, JointSession, Task, UnitAttendance, UnitPresence

BODY_FIELDS = ("org", "name", "set_up_on", "ended_on", "note")
MEMBERSHIP_FIELDS = ("body", "unit", "joined_on", "left_on", "representative")
TASK_FIELDS = ("decision", "title", "unit", "owner", "due_on", "done_on", "note")
MAX_DECISIONS = 50

# {unit id: presence} or {unit id: (presence, who came)}
UnitAttendances = Mapping[Any, Any]


def today() -> dt.date:
    return timezone.localdate()








def _body_open_on(body: JointMeeting, day: dt.date, field: str) -> None:
    if day < body.set_up_on:
        raise RuleError(_("%(body)s was set up on %(date)s") % {"body": body, "date": body.set_up_on}, field=field)
    if body.ended_on is not None and day >= body.ended_on:
        raise RuleError(_("%(body)s ended on %(date)s") % {"body": body, "date": body.ended_on}, field=field)


def _locked_body(body: JointMeeting) -> JointMeeting:
    locked = JointMeeting.objects.select_for_update(of=("self",)).select_related("org").get(pk=body.pk)
    require_write_org(locked.org)
    return locked


# --- the body ---------------------------------------------------------------------------------------------

@transaction.atomic
def body_create(*, org: Organization, name: Any, set_up_on: Any, note: Any = "") -> JointMeeting:
    """Set up a joint meeting body convened by `org` (a community's or street's Party organization)."""
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    if org.kind == OrgKind.PARTY_GROUP:
        raise RuleError(_("a party group does not convene a joint meeting"), field="org")
    day = _past(set_up_on, "set_up_on")
    if org.revoked_on is not None and day >= org.revoked_on:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="set_up_on")
    if day < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(date)s") % {"org": org, "date": org.founded_on},
                        field="set_up_on")
    name = _text(name, "name", 100, required=True)
    if JointMeeting.objects.filter(org=org, name=name).exists():
        raise RuleError(_("%(org)s already has a joint meeting called %(name)s") % {"org": org, "name": name},
                        field="name")
    body = JointMeeting.objects.create(org=org, name=name, set_up_on=day, note=_text(note, "note", 300))
    audit.record("joint.body_create", body, after=audit.snapshot(body, BODY_FIELDS), org_id=org.pk)
    return body


@transaction.atomic
def body_end(*, body: JointMeeting, ended_on: Any, version: Any = None) -> JointMeeting:
    """End the body on `ended_on` (its last day is the day before); its open memberships end with it."""
    body = _locked_body(body)
    check_version(body, version)
    if body.ended_on is not None:
        raise RuleError(_("%(body)s already ended on %(date)s") % {"body": body, "date": body.ended_on},
                        field="ended_on")
    day = _past(ended_on, "ended_on")
    if day <= body.set_up_on:
        raise RuleError(_("%(body)s was set up on %(date)s") % {"body": body, "date": body.set_up_on},
                        field="ended_on")
    last = body.sessions.aggregate(last=Max("meeting__date"))["last"]
    if last is not None and last >= day:
        raise RuleError(_("the body met on %(date)s") % {"date": last}, field="ended_on")
    later = body.memberships.filter(joined_on__gte=day)
    if later.exists():
        raise RuleError(_("a unit joined the body on or after %(date)s") % {"date": day}, field="ended_on")
    before = audit.snapshot(body, BODY_FIELDS)
    body.ended_on = day
    body.save()
    ended = body.memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=day)).update(left_on=day)
    audit.record("joint.body_end", body, before=before, after=audit.snapshot(body, BODY_FIELDS), org_id=body.org_id,
                 extra={"memberships_ended": ended})
    return body


# --- members ----------------------------------------------------------------------------------------------

@transaction.atomic
def membership_add(*, body: JointMeeting, unit: ResidentUnit | None, joined_on: Any,
                   representative: Any = "") -> JointMembership:
    """`unit` joins the body on `joined_on`. The unit is one the body's organization (or one below it) keeps; a
    unit already a member then, or later, is refused (it leaves first, then rejoins)."""
    body = _locked_body(body)
    if unit is None:
        raise RuleError(_("this field is required"), field="unit")
    unit = ResidentUnit.objects.select_related("org").get(pk=unit.pk)
    if not unit.org.path.startswith(body.org.path):
        raise RuleError(_("%(unit)s is not a unit of %(org)s's area") % {"unit": unit, "org": body.org},
                        field="unit")
    day = _past(joined_on, "joined_on")
    _body_open_on(body, day, "joined_on")
    if unit.left_on is not None and day >= unit.left_on:
        raise RuleError(_("%(unit)s left the area on %(date)s") % {"unit": unit, "date": unit.left_on},
                        field="joined_on")
    clash = body.memberships.filter(unit=unit).filter(Q(left_on__isnull=True) | Q(left_on__gt=day)).first()
    if clash is not None:
        raise RuleError(_("%(unit)s is a member from %(date)s") % {"unit": unit, "date": clash.joined_on},
                        field="unit")
    m = JointMembership.objects.create(body=body, unit=unit, joined_on=day,
                                       representative=_text(representative, "representative", 50))
    audit.record("joint.membership_add", m, after=audit.snapshot(m, MEMBERSHIP_FIELDS), org_id=body.org_id,
                 object_repr=f"{body} · {unit}")
    return m


@transaction.atomic
def membership_end(*, membership: JointMembership, left_on: Any, version: Any = None) -> JointMembership:
    """The unit leaves the body on `left_on` (its last day in it is the day before)."""
    m = (JointMembership.objects.select_for_update(of=("self",)).select_related("body__org", "unit")
         .get(pk=membership.pk))
    require_write_org(m.body.org)
    check_version(m, version)
    if m.left_on is not None:
        raise RuleError(_("%(unit)s already left on %(date)s") % {"unit": m.unit, "date": m.left_on}, field="left_on")
    day = _past(left_on, "left_on")
    if day <= m.joined_on:
        raise RuleError(_("%(unit)s joined on %(date)s") % {"unit": m.unit, "date": m.joined_on}, field="left_on")
    attended = UnitAttendance.objects.filter(session__body=m.body, unit=m.unit, session__meeting__date__gte=day)
    if attended.exists():
        raise RuleError(_("%(unit)s is on the attendance of a meeting on or after %(date)s")
                        % {"unit": m.unit, "date": day}, field="left_on")
    before = audit.snapshot(m, MEMBERSHIP_FIELDS)
    m.left_on = day
    m.save()
    audit.record("joint.membership_end", m, before=before, after=audit.snapshot(m, MEMBERSHIP_FIELDS),
                 org_id=m.body.org_id, object_repr=f"{m.body} · {m.unit}")
    return m


def members_on(body: JointMeeting, day: dt.date) -> dict[int, JointMembership]:
    """The body's memberships held on `day`, by unit id."""
    rows = (body.memberships.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .select_related("unit"))
    return {m.unit_id: m for m in rows}


# --- meetings ---------------------------------------------------------------------------------------------

def _attendance_rows(attendance: UnitAttendances | None) -> dict[int, tuple[str, str]]:
    rows: dict[int, tuple[str, str]] = {}
    for key, value in (attendance or {}).items():
        try:
            unit_id = int(key.pk if isinstance(key, ResidentUnit) else key)
        except (TypeError, ValueError) as exc:
            raise RuleError(_("%(v)s is not a unit") % {"v": repr(key)}, field="attendance") from exc
        presence, attendee = (value, "") if isinstance(value, str) else (tuple(value) + ("",))[:2]
        if presence not in UnitPresence.values:
            raise RuleError(_("unknown attendance %(v)s") % {"v": repr(presence)}, field="attendance")
        rows[unit_id] = (str(presence), _text(attendee, "attendance", 100))
    return rows


@transaction.atomic
def session_record(*, body: JointMeeting, date: Any, topic: Any, place: Any = "", host: Any = "", minutes: Any = "",
                   attendance: UnitAttendances | None = None, decisions: Iterable[Any] = (),
                   attachments: Iterable[tuple[Any, Any]] = ()) -> JointSession:
    """Record a meeting of the body held on `date` (after the day is fine: it is marked entered late): its topic or
    agenda, place, host, minutes, attendance by unit ({unit id: presence or (presence, who came)}, only units that
    were members on the date), its decisions in order, and attachments ((file, caption): a photo of the paper
    sign-in sheet)."""
    body = _locked_body(body)
    day = _past(date, "date")
    _body_open_on(body, day, "date")
    rows = _attendance_rows(attendance)
    members = members_on(body, day)
    strangers = sorted(set(rows) - set(members))
    if strangers:
        names = ", ".join(ResidentUnit.objects.filter(pk__in=strangers).order_by("name").values_list("name", flat=True))
        raise RuleError(_("not members of the body on %(date)s: %(units)s")
                        % {"date": day, "units": names or ", ".join(map(str, strangers))}, field="attendance")
    texts = [_text(t, "decisions", 1000) for t in decisions]
    texts = [t for t in texts if t]
    if len(texts) > MAX_DECISIONS:
        raise RuleError(_("at most %(n)d decisions") % {"n": MAX_DECISIONS}, field="decisions")
    meeting = meeting_services.record_meeting(org=body.org, kind=MeetingKind.JOINT_MEETING, date=day, topic=topic,
                                              place=place, host=host, minutes=minutes, by_unit=True)
    session = JointSession.objects.create(body=body, meeting=meeting)
    UnitAttendance.objects.bulk_create([UnitAttendance(session=session, unit_id=u, presence=p, attendee=who)
                                        for u, (p, who) in rows.items()])
    Decision.objects.bulk_create([Decision(session=session, order=i, text=t) for i, t in enumerate(texts, 1)])
    for file, caption in attachments:
        meeting_services.add_attachment(meeting, file=file, caption=str(caption or ""))
    counts = dict.fromkeys(UnitPresence.values, 0)
    for presence, _who in rows.values():
        counts[presence] += 1
    audit.record("joint.session_record", session, org_id=body.org_id, object_repr=f"{body} · {meeting}",
                 extra={"body": body.pk, "meeting": meeting.pk, "attendance": counts, "decisions": len(texts)})
    return session


@transaction.atomic
def attendance_set(*, session: JointSession, attendance: UnitAttendances) -> JointSession:
    """Set the attendance of the units given (others stay as recorded)."""
    session = JointSession.objects.select_related("body__org", "meeting").get(pk=session.pk)
    _locked_body(session.body)
    rows = _attendance_rows(attendance)
    if not rows:
        raise RuleError(_("no attendance given"), field="attendance")
    members = members_on(session.body, session.meeting.date)
    strangers = sorted(set(rows) - set(members))
    if strangers:
        names = ", ".join(ResidentUnit.objects.filter(pk__in=strangers).order_by("name").values_list("name", flat=True))
        raise RuleError(_("not members of the body on %(date)s: %(units)s")
                        % {"date": session.meeting.date, "units": names}, field="attendance")
    existing = {a.unit_id: a for a in session.attendance.all()}
    before = {u: a.presence for u, a in existing.items() if u in rows}
    for unit_id, (presence, who) in rows.items():
        UnitAttendance.objects.update_or_create(session=session, unit_id=unit_id,
                                                defaults={"presence": presence, "attendee": who})
    audit.record("joint.attendance", session, org_id=session.body.org_id,
                 before={str(k): v for k, v in before.items()},
                 after={str(k): p for k, (p, _w) in rows.items()})
    return session


# --- decisions, projects, tasks ---------------------------------------------------------------------------

@transaction.atomic
def decision_add(*, session: JointSession, text: Any) -> Decision:
    """Add a decision after the session's last."""
    session = JointSession.objects.select_related("body__org").get(pk=session.pk)
    _locked_body(session.body)
    text = _text(text, "text", 1000, required=True)
    last = session.decisions.aggregate(n=Max("order"))["n"] or 0
    if last >= MAX_DECISIONS:
        raise RuleError(_("at most %(n)d decisions") % {"n": MAX_DECISIONS}, field="text")
    d = Decision.objects.create(session=session, order=last + 1, text=text)
    audit.record("joint.decision_add", d, after={"session": session.pk, "order": d.order, "text": text},
                 org_id=session.body.org_id)
    return d


def _locked_decision(decision: Decision) -> Decision:
    d = (Decision.objects.select_for_update(of=("self",)).select_related("session__body__org", "session__meeting")
         .get(pk=decision.pk))
    require_write_org(d.session.body.org)
    return d


@transaction.atomic
def decision_to_project(*, decision: Decision, title: Any = "", unit: ResidentUnit | None = None, owner: Any = "",
                        due_on: Any = None) -> Project:
    """Turn the decision into a co-construction project of the body's organization (source: a joint meeting's
    decision), started on the meeting's day, owned by `unit` and/or `owner`, due by `due_on`."""
    d = _locked_decision(decision)
    if d.project_id is not None:
        raise RuleError(_("this decision is already a project"), field="decision")
    if unit is not None and unit.pk not in members_on(d.session.body, d.session.meeting.date):
        raise RuleError(_("%(unit)s was not a member of the body on %(date)s")
                        % {"unit": unit, "date": d.session.meeting.date}, field="unit")
    project = cobuild_services.project_create(
        org=d.session.body.org, title=_text(title, "title", 200) or d.text[:200], detail=d.text,
        source=ProjectSource.DECISION, unit=unit, owner=owner, started_on=d.session.meeting.date, due_on=due_on)
    d.project = project
    d.save(update_fields=["project"])
    audit.record("joint.decision_project", d, after={"project": project.pk}, org_id=d.session.body.org_id)
    return project


@transaction.atomic
def task_create(*, decision: Decision, title: Any, due_on: Any, unit: ResidentUnit | None = None, owner: Any = "",
                note: Any = "") -> Task:
    """A task from the decision: what, by when (on or after the meeting), owned by a member unit (a member on the
    meeting's day) and/or a named person."""
    d = _locked_decision(decision)
    title = _text(title, "title", 200, required=True)
    due = _day(due_on, "due_on")
    assert due is not None
    if due < d.session.meeting.date:
        raise RuleError(_("the deadline %(due)s is before the meeting on %(date)s")
                        % {"due": due, "date": d.session.meeting.date}, field="due_on")
    owner = _text(owner, "owner", 50)
    if unit is None and not owner:
        raise RuleError(_("name a unit or a person who owns the task"), field="owner")
    if unit is not None and unit.pk not in members_on(d.session.body, d.session.meeting.date):
        raise RuleError(_("%(unit)s was not a member of the body on %(date)s")
                        % {"unit": unit, "date": d.session.meeting.date}, field="unit")
    task = Task.objects.create(decision=d, title=title, unit=unit, owner=owner, due_on=due,
                               note=_text(note, "note", 300))
    audit.record("joint.task_create", task, after=audit.snapshot(task, TASK_FIELDS), org_id=d.session.body.org_id)
    return task


@transaction.atomic
def task_done(*, task: Task, done_on: Any, note: Any = None, version: Any = None) -> Task:
    """Mark the task done on `done_on` (not before its meeting, not in the future)."""
    t = (Task.objects.select_for_update(of=("self",)).select_related("decision__session__body__org",
                                                                     "decision__session__meeting")
         .get(pk=task.pk))
    require_write_org(t.decision.session.body.org)
    check_version(t, version)
    if t.done_on is not None:
        raise RuleError(_("this task was done on %(date)s") % {"date": t.done_on}, field="done_on")
    day = _past(done_on, "done_on")
    held = t.decision.session.meeting.date
    if day < held:
        raise RuleError(_("%(date)s is before the meeting on %(held)s") % {"date": day, "held": held},
                        field="done_on")
    before = audit.snapshot(t, TASK_FIELDS)
    t.done_on = day
    if note is not None:
        t.note = _text(note, "note", 300)
    t.save()
    audit.record("joint.task_done", t, before=before, after=audit.snapshot(t, TASK_FIELDS),
                 org_id=t.decision.session.body.org_id)
    return t
