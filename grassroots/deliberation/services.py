"""Writes to deliberation and votes: bodies and their dated seats, meetings of the bodies with attendance by seat,
invited parties of briefings and hearings, votes counted by the rules in force on the meeting's date, topics with
written opinions, and the "four discussions and two openings" path (四议两公开).

Each write is one function, keyword-only, in a transaction, permission-checked (whoever writes the organization),
audited, raising `RuleError` naming the field with nothing written when the request breaks a rule. Edits of
versioned records carry the `version` read.

Quorum and threshold are never typed: `judge` reads them from the rule in force on the meeting's date, as
fractions (`[2, 3]`), and decides by integer arithmetic (no floats at the boundaries). For a Party members'
meeting (a meetings `general_meeting`) the rule is the recruitment vote's (`recruitment.vote`), read here with
`in_force`, its numbers never copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_org
from grassroots.core import audit
from grassroots.core.errors import RuleError
from grassroots.core.values import day as _day
from grassroots.core.values import past_day as _past
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.meetings import services as meeting_services
from grassroots.meetings.models import ATTENDANCE_ELSEWHERE, Meeting, MeetingKind, Presence
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.rules.registry import RuleVersion, in_force

from .models import (
    STEP_MEETING_KINDS,
    BallotKind,
    Body,
    BodyKind,
    BodyMeeting,
    InvitedParty,
    OpinionChannel,
    PartyKind,
    PathCase,
    PathStep,
    PathStepKind,
    Seat,
    SeatAttendance,
    SeatPresence,
    Topic,
    Vote,
    WrittenOpinion,
)

BODY_FIELDS = ("org", "kind", "name", "set_up_on", "ended_on", "note")
SEAT_FIELDS = ("body", "member", "name", "office", "from_on", "to_on")
TOPIC_FIELDS = ("org", "title", "opens_on", "closes_on", "public")

# the meeting kinds kept by seat, and the body kind each is held by (briefings and hearings: no body needed)
BODY_OF_KIND = {
    MeetingKind.CONGRESS: BodyKind.PARTY_CONGRESS, MeetingKind.TWO_COMMITTEES: BodyKind.TWO_COMMITTEES,
    MeetingKind.REPS_MEETING: BodyKind.REPS, MeetingKind.VILLAGERS_MEETING: BodyKind.ASSEMBLY,
}
PARTY_KINDS = (MeetingKind.BRIEFING, MeetingKind.HEARING)
RULE_OF_KIND: dict[str, str] = {
    MeetingKind.CONGRESS: "deliberation.party_congress", MeetingKind.TWO_COMMITTEES: "deliberation.two_committees",
    MeetingKind.REPS_MEETING: "deliberation.reps_meeting", MeetingKind.VILLAGERS_MEETING: "deliberation.villagers_meeting",
    MeetingKind.GENERAL_MEETING: "recruitment.vote",
}


def today() -> dt.date:
    return timezone.localdate()


# --- the rules --------------------------------------------------------------------------------------------

def _fraction(params: Mapping[str, Any], key: str) -> tuple[int, int]:
    """A fraction of the rule's params: [a, b], or the recruitment rule's words ("more_than_half")."""
    value = params[key]
    if isinstance(value, str):
        if value.startswith("more_than_half"):
            return (1, 2)
        raise ValueError(f"unknown fraction {value!r}")
    a, b = value
    return int(a), int(b)


def rule_terms(rule: RuleVersion) -> dict[str, Any]:
    """The rule's numbers as exact fractions: quorum (a, b) of the entitled, strict or not; pass (a, b) of the
    present or the entitled, strict or not. The recruitment vote's words map here: quorum "more_than_half" (of the
    entitled, strict), pass "more_than_half_of_entitled"."""
    p = rule.params
    quorum = _fraction(p, "quorum")
    passing = _fraction(p, "pass")
    if isinstance(p["pass"], str):
        pass_of = "entitled" if p["pass"].endswith("of_entitled") else "present"
        return {"quorum": quorum, "quorum_strict": True, "pass": passing, "pass_of": pass_of, "strict": True}
    return {"quorum": quorum, "quorum_strict": bool(p.get("quorum_strict", False)), "pass": passing,
            "pass_of": p.get("pass_of", "present"), "strict": bool(p.get("strict", True))}


def _meets(count: int, whole: int, frac: tuple[int, int], strict: bool) -> bool:
    """count > a/b * whole (strict) or count >= a/b * whole, in integers."""
    a, b = frac
    return b * count > a * whole if strict else b * count >= a * whole


def judge(rule: RuleVersion, *, entitled: int, present: int, yes: int) -> tuple[bool, bool]:
    """(quorate, passed) by the rule: a vote without quorum decides nothing."""
    t = rule_terms(rule)
    quorate = entitled > 0 and _meets(present, entitled, t["quorum"], t["quorum_strict"])
    whole = entitled if t["pass_of"] == "entitled" else present
    passed = quorate and _meets(yes, whole, t["pass"], t["strict"])
    return quorate, passed


def rule_for(kind: str, day: dt.date) -> RuleVersion:
    rule_id = RULE_OF_KIND.get(kind)
    if rule_id is None:
        raise RuleError(_("a %(kind)s takes no vote") % {"kind": MeetingKind(kind).label}, field="meeting")
    return in_force(rule_id, day)


# --- bodies and seats -------------------------------------------------------------------------------------

def _locked_body(body: Body) -> Body:
    locked = Body.objects.select_for_update(of=("self",)).select_related("org").get(pk=body.pk)
    require_write_org(locked.org)
    return locked


@transaction.atomic
def body_create(*, org: Organization, kind: Any, name: Any, set_up_on: Any, note: Any = "") -> Body:
    """Set up a body of `kind` led by `org`."""
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    if kind not in BodyKind.values:
        raise RuleError(_("unknown kind %(v)s") % {"v": repr(kind)}, field="kind")
    day = _past(set_up_on, "set_up_on")
    name = _text(name, "name", 100, required=True)
    if Body.objects.filter(org=org, name=name).exists():
        raise RuleError(_("%(org)s already has a body called %(name)s") % {"org": org, "name": name}, field="name")
    body = Body.objects.create(org=org, kind=kind, name=name, set_up_on=day, note=_text(note, "note", 300))
    audit.record("deliberation.body_create", body, after=audit.snapshot(body, BODY_FIELDS), org_id=org.pk)
    return body


@transaction.atomic
def body_end(*, body: Body, ended_on: Any, version: Any = None) -> Body:
    body = _locked_body(body)
    check_version(body, version)
    if body.ended_on is not None:
        raise RuleError(_("%(body)s already ended on %(date)s") % {"body": body, "date": body.ended_on},
                        field="ended_on")
    day = _past(ended_on, "ended_on")
    if day <= body.set_up_on:
        raise RuleError(_("%(body)s was set up on %(date)s") % {"body": body, "date": body.set_up_on},
                        field="ended_on")
    before = audit.snapshot(body, BODY_FIELDS)
    body.ended_on = day
    body.save()
    body.seats.filter(Q(to_on__isnull=True) | Q(to_on__gt=day)).update(to_on=day)
    audit.record("deliberation.body_end", body, before=before, after=audit.snapshot(body, BODY_FIELDS),
                 org_id=body.org_id)
    return body


@transaction.atomic
def seat_add(*, body: Body, from_on: Any, name: Any = "", member: Member | None = None, office: Any = "",
             to_on: Any = None) -> Seat:
    """A seat in the body from `from_on` (until `to_on`, exclusive, if given): a Party member of the platform
    (`member`, whose name it takes) or a name."""
    body = _locked_body(body)
    start = _day(from_on, "from_on")
    end = _day(to_on, "to_on", required=False)
    if start < body.set_up_on:
        raise RuleError(_("%(body)s was set up on %(date)s") % {"body": body, "date": body.set_up_on},
                        field="from_on")
    if body.ended_on is not None and start >= body.ended_on:
        raise RuleError(_("%(body)s ended on %(date)s") % {"body": body, "date": body.ended_on}, field="from_on")
    if end is not None and end <= start:
        raise RuleError(_("the seat ends after it begins"), field="to_on")
    if member is not None:
        name = member.name
    name = _text(name, "name", 50, required=True)
    clash = body.seats.filter(name=name, member=member).filter(Q(to_on__isnull=True) | Q(to_on__gt=start))
    if end is not None:
        clash = clash.filter(from_on__lt=end)
    if clash.exists():
        raise RuleError(_("%(name)s already holds a seat in %(body)s then") % {"name": name, "body": body},
                        field="name")
    seat = Seat.objects.create(body=body, member=member, name=name, office=_text(office, "office", 100),
                               from_on=start, to_on=end)
    audit.record("deliberation.seat_add", seat, after=audit.snapshot(seat, SEAT_FIELDS), org_id=body.org_id,
                 object_repr=f"{body} · {name}")
    return seat


@transaction.atomic
def seat_end(*, seat: Seat, to_on: Any, version: Any = None) -> Seat:
    """The seat ends on `to_on` (its holder's last day is the day before)."""
    s = Seat.objects.select_for_update(of=("self",)).select_related("body__org").get(pk=seat.pk)
    require_write_org(s.body.org)
    check_version(s, version)
    if s.to_on is not None:
        raise RuleError(_("the seat of %(name)s already ended on %(date)s") % {"name": s.name, "date": s.to_on},
                        field="to_on")
    day = _day(to_on, "to_on")
    if day <= s.from_on:
        raise RuleError(_("the seat of %(name)s began on %(date)s") % {"name": s.name, "date": s.from_on},
                        field="to_on")
    if s.attendance.filter(meeting__date__gte=day).exists():
        raise RuleError(_("%(name)s is on the attendance of a meeting on or after %(date)s")
                        % {"name": s.name, "date": day}, field="to_on")
    before = audit.snapshot(s, SEAT_FIELDS)
    s.to_on = day
    s.save()
    audit.record("deliberation.seat_end", s, before=before, after=audit.snapshot(s, SEAT_FIELDS),
                 org_id=s.body.org_id, object_repr=f"{s.body} · {s.name}")
    return s


def seats_on(body: Body, day: dt.date) -> list[Seat]:
    """The seats of the body held on `day`."""
    return list(body.seats.filter(from_on__lte=day).filter(Q(to_on__isnull=True) | Q(to_on__gt=day))
                .order_by("name", "pk"))


# --- meetings of the bodies -------------------------------------------------------------------------------

def _seat_rows(attendance: Mapping[Any, Any] | None) -> dict[int, str]:
    rows: dict[int, str] = {}
    for key, presence in (attendance or {}).items():
        try:
            seat_id = int(key.pk if isinstance(key, Seat) else key)
        except (TypeError, ValueError) as exc:
            raise RuleError(_("%(v)s is not a seat") % {"v": repr(key)}, field="attendance") from exc
        if presence not in SeatPresence.values:
            raise RuleError(_("unknown attendance %(v)s") % {"v": repr(presence)}, field="attendance")
        rows[seat_id] = str(presence)
    return rows


def _judge_quorum(meeting: Meeting, body: Body) -> tuple[bool, str]:
    rule = rule_for(meeting.kind, meeting.date)
    entitled = len(seats_on(body, meeting.date))
    present = meeting.seat_attendance.filter(presence=SeatPresence.PRESENT).count()
    quorate, _passed = judge(rule, entitled=entitled, present=present, yes=0)
    return quorate, rule.cite


@transaction.atomic
def meeting_record(*, org: Organization, kind: Any, date: Any, topic: Any, body: Body | None = None,
                   place: Any = "", host: Any = "", minutes: Any = "", attendance: Mapping[Any, Any] | None = None,
                   topic_of: Topic | None = None,
                   parties: Iterable[tuple[Any, Any, Any]] = ()) -> BodyMeeting:
    """Record a meeting of a kind kept by seat (congress, two committees, representatives', villagers' meeting,
    briefing, hearing) through `meetings.services.record_meeting(..., elsewhere=True)`, with the attendance of the
    body's seats ({seat id: present/absent/excused}; only seats held on the date, the others refused by name), the
    quorum judged by the rule in force, and for a briefing or hearing its invited parties [(name, kind, opinion)]
    and the topic it answers."""
    if kind not in ATTENDANCE_ELSEWHERE or ATTENDANCE_ELSEWHERE[kind] != "deliberation":
        raise RuleError(_("unknown kind %(v)s") % {"v": repr(kind)}, field="kind")
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    rows = _seat_rows(attendance)
    if kind in BODY_OF_KIND:
        if body is None:
            raise RuleError(_("a %(kind)s is a meeting of a body") % {"kind": MeetingKind(kind).label}, field="body")
        body = _locked_body(body)
        if body.kind != BODY_OF_KIND[kind]:
            raise RuleError(_("%(body)s does not hold a %(kind)s") % {"body": body, "kind": MeetingKind(kind).label},
                            field="body")
        if body.org_id != org.pk:
            raise RuleError(_("%(body)s is led by %(org)s") % {"body": body, "org": body.org}, field="body")
    elif body is not None:
        body = _locked_body(body)
    day = _past(date, "date")
    if body is not None:
        if day < body.set_up_on or (body.ended_on is not None and day >= body.ended_on):
            raise RuleError(_("%(body)s did not sit on %(date)s") % {"body": body, "date": day}, field="date")
        held = {s.pk: s for s in seats_on(body, day)}
        outside = sorted(Seat.objects.filter(pk__in=set(rows) - set(held)).values_list("name", flat=True))
        if set(rows) - set(held):
            raise RuleError(_("no seat in %(body)s on %(date)s: %(names)s")
                            % {"body": body, "date": day, "names": ", ".join(outside) or "?"}, field="attendance")
    elif rows:
        raise RuleError(_("attendance by seat is kept for a meeting of a body"), field="attendance")
    if topic_of is not None:
        if kind not in PARTY_KINDS:
            raise RuleError(_("a topic is answered by a briefing or a hearing"), field="topic_of")
        if not topic_of.org.path.startswith(org.path) and not org.path.startswith(topic_of.org.path):
            raise RuleError(_("%(topic)s is not a topic of %(org)s") % {"topic": topic_of, "org": org},
                            field="topic_of")
    party_rows = []
    for i, (pname, pkind, opinion) in enumerate(parties, start=1):
        if kind not in PARTY_KINDS:
            raise RuleError(_("invited parties are kept for briefings and hearings"), field="parties")
        if pkind not in PartyKind.values:
            raise RuleError(_("party %(n)s: unknown kind %(v)s") % {"n": i, "v": repr(pkind)}, field="parties")
        party_rows.append((_text(pname, "parties", 100, required=True), str(pkind), _text(opinion, "parties", 5000)))
    meeting = meeting_services.record_meeting(org=org, kind=kind, date=day, topic=_text(topic, "topic", 300,
                                                                                       required=True),
                                              place=_text(place, "place", 200), host=_text(host, "host", 50),
                                              minutes=_text(minutes, "minutes", 20000), elsewhere=True)
    SeatAttendance.objects.bulk_create(SeatAttendance(meeting=meeting, seat_id=sid, presence=p)
                                       for sid, p in rows.items())
    bm = BodyMeeting(meeting=meeting, body=body, topic=topic_of)
    if body is not None and kind in BODY_OF_KIND:
        bm.quorate, bm.rule = _judge_quorum(meeting, body)
    bm.save()
    InvitedParty.objects.bulk_create(InvitedParty(meeting=meeting, name=n, kind=k, opinion=o)
                                     for n, k, o in party_rows)
    counts = {p: sum(1 for v in rows.values() if v == p) for p in SeatPresence.values}
    audit.record("deliberation.meeting_record", meeting, org_id=org.pk,
                 extra={"body": body.pk if body else None, "attendance": counts, "quorate": bm.quorate,
                        "rule": bm.rule, "parties": len(party_rows), "topic": topic_of.pk if topic_of else None})
    return bm


@transaction.atomic
def party_opinion(*, party: InvitedParty, opinion: Any) -> InvitedParty:
    """Record (or correct) the opinion an invited party gave."""
    p = InvitedParty.objects.select_for_update(of=("self",)).select_related("meeting__org").get(pk=party.pk)
    require_write_org(p.meeting.org)
    before = {"opinion": p.opinion}
    p.opinion = _text(opinion, "opinion", 5000, required=True)
    p.save()
    audit.record("deliberation.party_opinion", p, before=before, after={"opinion": p.opinion},
                 org_id=p.meeting.org_id, object_repr=f"{p.meeting} · {p.name}")
    return p


# --- votes ------------------------------------------------------------------------------------------------

def _count(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise RuleError(_("%(v)s is not a number") % {"v": repr(value)}, field=field)
    if isinstance(value, int):
        n = value
    else:
        raw = str(value if value is not None else "").strip()
        if not raw.isdigit():
            raise RuleError(_("%(v)s is not a number") % {"v": repr(value)}, field=field)
        n = int(raw)
    if n < 0:
        raise RuleError(_("%(v)s is not a number") % {"v": repr(value)}, field=field)
    return n


def _entitled_present(meeting: Meeting) -> tuple[dict[str, list[int]], int, int]:
    """Who was entitled and present at the meeting: the body's seats held on the date (attendance by seat), or for
    a Party members' meeting the full members with voting rights and those who attended."""
    if meeting.kind == MeetingKind.GENERAL_MEETING:
        entitled_ids = meeting_services.voting_member_ids(meeting.org, meeting.date)
        present_ids = set(meeting.attendance.filter(presence__in=(Presence.PRESENT, Presence.REMOTE))
                          .values_list("member_id", flat=True)) & entitled_ids
        return {"members": sorted(entitled_ids), "present": sorted(present_ids)}, len(entitled_ids), len(present_ids)
    bm = BodyMeeting.objects.filter(meeting=meeting).select_related("body").first()
    if bm is None or bm.body is None:
        raise RuleError(_("the meeting was not recorded with a body's seats"), field="meeting")
    seats = [s.pk for s in seats_on(bm.body, meeting.date)]
    present = sorted(meeting.seat_attendance.filter(presence=SeatPresence.PRESENT, seat_id__in=seats)
                     .values_list("seat_id", flat=True))
    return {"seats": seats, "present": present}, len(seats), len(present)


@transaction.atomic
def vote_record(*, meeting: Meeting, question: Any, yes: Any, no: Any, abstain: Any, secret: bool = False,
                issued: Any = None, returned: Any = None, void: Any = None) -> Vote:
    """A question put to the meeting. Who was entitled and present comes from the records of the meeting's date;
    quorum and result from the rule in force then. A secret ballot gives its counts only: issued, returned, yes,
    no, abstain, void — refused when they do not add up."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("org").get(pk=meeting.pk)
    require_write_org(meeting.org)
    rule = rule_for(meeting.kind, meeting.date)
    question = _text(question, "question", 300, required=True)
    y, n, a = _count(yes, "yes"), _count(no, "no"), _count(abstain, "abstain")
    who, entitled, present = _entitled_present(meeting)
    if secret:
        iss, ret, vd = _count(issued, "issued"), _count(returned, "returned"), _count(void, "void")
        if iss > present:
            raise RuleError(_("%(n)s ballots issued, more than the %(p)s present") % {"n": iss, "p": present},
                            field="issued")
        if ret > iss:
            raise RuleError(_("%(r)s ballots returned, more than the %(n)s issued") % {"r": ret, "n": iss},
                            field="returned")
        if y + n + a + vd != ret:
            raise RuleError(_("yes %(y)s + no %(n)s + abstain %(a)s + void %(v)s = %(s)s, not the %(r)s ballots "
                              "returned") % {"y": y, "n": n, "a": a, "v": vd, "s": y + n + a + vd, "r": ret},
                            field="void")
    else:
        iss, ret, vd = None, None, None
        if y + n + a > present:
            raise RuleError(_("yes %(y)s + no %(n)s + abstain %(a)s = %(s)s, more than the %(p)s present")
                            % {"y": y, "n": n, "a": a, "s": y + n + a, "p": present}, field="yes")
    quorate, passed = judge(rule, entitled=entitled, present=present, yes=y)
    vote = Vote.objects.create(meeting=meeting, question=question,
                               ballot=BallotKind.SECRET if secret else BallotKind.OPEN, entitled=entitled,
                               present=present, who=who, yes=y, no=n, abstain=a, issued=iss, returned=ret, void=vd,
                               quorate=quorate, passed=passed, rule=rule.cite)
    audit.record("deliberation.vote_record", vote, org_id=meeting.org_id,
                 extra={"rule": rule.cite, "entitled": entitled, "present": present, "yes": y, "no": n,
                        "abstain": a, "secret": secret, "quorate": quorate, "passed": passed})
    return vote


# --- topics and written opinions --------------------------------------------------------------------------

@transaction.atomic
def topic_create(*, org: Organization, title: Any, opens_on: Any, closes_on: Any, text: Any = "",
                 public: bool = True) -> Topic:
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    start, end = _day(opens_on, "opens_on"), _day(closes_on, "closes_on")
    if end < start:
        raise RuleError(_("the consultation closes on or after it opens"), field="closes_on")
    topic = Topic.objects.create(org=org, title=_text(title, "title", 200, required=True),
                                 text=_text(text, "text", 5000), opens_on=start, closes_on=end, public=bool(public))
    audit.record("deliberation.topic_create", topic, after=audit.snapshot(topic, TOPIC_FIELDS), org_id=org.pk)
    return topic


def _in_period(topic: Topic, day: dt.date) -> None:
    if not topic.open_on(day):
        raise RuleError(_("opinions on “%(topic)s” are taken from %(opens)s to %(closes)s; %(day)s is outside "
                          "the consultation period") % {"topic": topic.title, "opens": topic.opens_on,
                                                        "closes": topic.closes_on, "day": day}, field="received_on")


@transaction.atomic
def opinion_enter(*, topic: Topic, received_on: Any, text: Any, author: Any = "") -> WrittenOpinion:
    """Staff enter a written opinion received on paper during the consultation period."""
    topic = Topic.objects.select_for_update(of=("self",)).select_related("org").get(pk=topic.pk)
    require_write_org(topic.org)
    day = _past(received_on, "received_on")
    _in_period(topic, day)
    op = WrittenOpinion.objects.create(topic=topic, received_on=day, channel=OpinionChannel.PAPER,
                                       author=_text(author, "author", 50), text=_text(text, "text", 5000,
                                                                                     required=True))
    audit.record("deliberation.opinion_enter", op, org_id=topic.org_id, object_repr=f"{topic.title} · {op.pk}")
    return op


@transaction.atomic
def opinion_submit(*, topic: Topic, text: Any, author: Any = "") -> WrittenOpinion:
    """A resident's written opinion from the public station page (no account): today, within the period, on a
    public topic. The name, if left, is kept for the staff and never shown publicly."""
    topic = Topic.objects.select_for_update(of=("self",)).select_related("org").get(pk=topic.pk)
    if not topic.public:
        raise RuleError(_("this topic takes no opinions from the station pages"), field="text")
    day = today()
    _in_period(topic, day)
    op = WrittenOpinion.objects.create(topic=topic, received_on=day, channel=OpinionChannel.STATION,
                                       author=_text(author, "author", 50), text=_text(text, "text", 5000,
                                                                                     required=True))
    audit.record("deliberation.opinion_submit", op, org_id=topic.org_id, object_repr=f"{topic.title} · {op.pk}")
    return op


# --- four discussions and two openings --------------------------------------------------------------------

@transaction.atomic
def case_create(*, org: Organization, title: Any, opened_on: Any) -> PathCase:
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    case = PathCase.objects.create(org=org, title=_text(title, "title", 200, required=True),
                                   opened_on=_past(opened_on, "opened_on"))
    audit.record("deliberation.case_create", case, after={"title": case.title, "opened_on": str(case.opened_on)},
                 org_id=org.pk)
    return case


def _step_quorate(step: PathStep) -> bool:
    m = step.meeting
    if m is None:
        return True
    if m.kind in (MeetingKind.COMMITTEE_MEETING, MeetingKind.GENERAL_MEETING):
        return bool(m.quorate)
    bm = BodyMeeting.objects.filter(meeting=m).first()
    return bool(bm and bm.quorate)


def _label(n: int) -> str:
    return f"{n} {PathStepKind(n).label}"


@transaction.atomic
def step_record(*, case: PathCase, step: Any, meeting: Meeting | None = None, vote: Vote | None = None,
                on: Any = None, where: Any = "", text: Any = "") -> PathStep:
    """Record step `step` of the case: 1-3 a meeting of the kind the step takes (quorate), 4 the representatives'
    or villagers' meeting's vote, 5-6 a publication (date, where, text). Every earlier step must be recorded,
    quorate, and dated no later than this one; a step-4 vote without quorum or that failed decides nothing."""
    case = PathCase.objects.select_for_update(of=("self",)).select_related("org").get(pk=case.pk)
    require_write_org(case.org)
    try:
        n = int(step)
        kind = PathStepKind(n)
    except (TypeError, ValueError) as exc:
        raise RuleError(_("unknown step %(v)s") % {"v": repr(step)}, field="step") from exc
    again = case.steps.filter(step=n).select_related("vote").first()
    if again is not None and not (n == PathStepKind.DECIDE and not (again.vote and again.vote.passed)):
        raise RuleError(_("step %(step)s is already recorded") % {"step": _label(n)}, field="step")
    if n == PathStepKind.DECIDE and vote is not None:
        meeting = vote.meeting
    if n in STEP_MEETING_KINDS:
        if meeting is None:
            raise RuleError(_("step %(step)s is a meeting") % {"step": _label(n)}, field="meeting")
        meeting = Meeting.objects.select_related("org").get(pk=meeting.pk)
        if meeting.kind not in STEP_MEETING_KINDS[n]:
            raise RuleError(_("step %(step)s is not a %(kind)s") % {"step": _label(n),
                                                                     "kind": meeting.get_kind_display()},
                            field="meeting")
        if not (meeting.org.path.startswith(case.org.path) or case.org.path.startswith(meeting.org.path)):
            raise RuleError(_("the meeting is not of %(org)s") % {"org": case.org}, field="meeting")
        day = meeting.date
    else:
        day = _past(on, "on")
    earlier = {s.step: s for s in case.steps.select_related("meeting").filter(step__lt=n)}
    for k in range(1, n):
        prior = earlier.get(k)
        if prior is None:
            raise RuleError(_("step %(step)s cannot be recorded: step %(missing)s is missing")
                            % {"step": _label(n), "missing": _label(k)}, field="step")
        if not _step_quorate(prior):
            raise RuleError(_("step %(step)s cannot be recorded: step %(prior)s did not reach its quorum")
                            % {"step": _label(n), "prior": _label(k)}, field="step")
        if prior.on > day:
            raise RuleError(_("step %(step)s on %(date)s comes before step %(prior)s on %(pdate)s")
                            % {"step": _label(n), "date": day, "prior": _label(k), "pdate": prior.on}, field="step")
        if k == PathStepKind.DECIDE and not (prior.vote and prior.vote.passed):
            raise RuleError(_("step %(step)s cannot be recorded: step %(prior)s decided nothing")
                            % {"step": _label(n), "prior": _label(k)}, field="step")
    if n in STEP_MEETING_KINDS and n != PathStepKind.DECIDE and meeting is not None:
        probe = PathStep(case=case, step=n, on=day, meeting=meeting)
        if not _step_quorate(probe):
            raise RuleError(_("step %(step)s: the meeting of %(date)s did not reach its quorum")
                            % {"step": _label(n), "date": day}, field="meeting")
    if n == PathStepKind.DECIDE:
        if vote is None:
            raise RuleError(_("step %(step)s is a vote") % {"step": _label(n)}, field="vote")
    elif vote is not None:
        raise RuleError(_("only step 4 takes a vote"), field="vote")
    if again is not None:  # a step-4 vote that decided nothing is followed by a new vote
        again.delete()
    s = PathStep.objects.create(case=case, step=n, on=day, meeting=meeting, vote=vote,
                                where=_text(where, "where", 200),
                                text=_text(text, "text", 5000, required=n >= PathStepKind.PUBLISH_DECISION))
    audit.record("deliberation.step_record", s, org_id=case.org_id, object_repr=f"{case.title} · {kind.label}",
                 extra={"step": n, "on": day.isoformat(), "meeting": meeting.pk if meeting else None,
                        "vote": vote.pk if vote else None, "decided": bool(vote and vote.passed)})
    return s
