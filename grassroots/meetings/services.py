"""Writes to organizational life: each a named function, in one transaction, permission-checked, audited.

- `record_meeting` writes a meeting with its attendance. A meeting may be entered after the day: it is then
  marked `entered_late`, with the user who entered it (`recorded_by`, the acting user) and when
  (`recorded_at`), and counts all the same. A meeting dated in the future is refused.
- Where a meeting is held: a branch, general branch or committee, or a party group. A party group holds
  group meetings, study sessions and talks; the other kinds belong to the branch (or committee). A *group
  meeting* is held by a party group, or by a branch that has party groups (a joint meeting of all its
  groups: it then meets the monthly group-meeting duty of each of them).
- Attendance is for members of the organization's subtree on the meeting's date (their dated periods). For
  a party group, `Member.party_group` is only today's value, so any member of the group's branch on the date
  is accepted. Presence is present, remote, on leave (a reason is required) or absent.
- Quorum (`quorate`): a general meeting needs present + remote of the full, not suspended members of the
  subtree on the date to be more than half of them (meetings.general_meeting); a committee meeting needs
  the attending seat holders (CommitteeSeat held on the date) to be more than half of the seats
  (meetings.committee_meeting). Other kinds: None. A meeting without quorum is recorded and marked; it does
  not meet a duty that needs a quorum.
- Study sessions and Party lectures carry class hours (`study_hours`), credited to each attendee present in
  person or remotely; other kinds carry none.
- A committee seat is held from `since` (inclusive) until `until` (exclusive: the day it ended), like the
  members' periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_member, require_write_org
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import RuleError
from grassroots.core.files import check_attachment
from grassroots.core.versions import check_version
from grassroots.members.models import Member, MemberPeriod, Status
from grassroots.orgs.models import Organization, OrgKind
from grassroots.orgs.selectors import subtree_org_ids

from .models import (
    ATTENDANCE_ELSEWHERE,
    Appraisal,
    Attachment,
    Attendance,
    CommitteeSeat,
    Meeting,
    MeetingKind,
    Presence,
    Rating,
    SeatRole,
)

MEETING_FIELDS = ("org", "kind", "date", "place", "topic", "host", "study_hours", "entered_late", "recorded_by",
                  "quorate")
MEETING_ORG_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE,
                     OrgKind.PARTY_GROUP)
GROUP_KINDS = (MeetingKind.GROUP_MEETING, MeetingKind.STUDY, MeetingKind.TALK)  # what a party group holds
STUDY_KINDS = (MeetingKind.STUDY, MeetingKind.PARTY_LECTURE)  # the kinds that carry class hours
ATTENDING = (Presence.PRESENT, Presence.REMOTE)
MAX_HOURS = Decimal("24.0")  # class hours one meeting can credit

Attendances = Mapping[Any, Any]


def today() -> dt.date:
    return timezone.localdate()


# --- checks -------------------------------------------------------------------------------------------
def _check_date(on: Any, field: str = "date") -> dt.date:
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise RuleError(_("a date is required"), field=field)
    if on > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field=field)
    return on


def _check_text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > limit:
        raise RuleError(_("at most %(n)s characters") % {"n": limit}, field=field)
    return text


def _check_org(org: Organization | None, kind: str, on: dt.date) -> Organization:
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    if org.kind not in MEETING_ORG_KINDS:
        raise RuleError(_("meetings are held by a branch, committee or party group, not a %(kind)s")
                        % {"kind": org.get_kind_display()}, field="org")
    if on < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(founded)s, after %(date)s")
                        % {"org": org, "founded": org.founded_on, "date": on}, field="date")
    if org.revoked_on is not None and on >= org.revoked_on:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="date")
    label = MeetingKind(kind).label
    if org.kind == OrgKind.PARTY_GROUP and kind not in GROUP_KINDS:
        raise RuleError(_("a party group does not hold a %(kind)s") % {"kind": label}, field="kind")
    if kind == MeetingKind.GROUP_MEETING and org.kind != OrgKind.PARTY_GROUP:
        has_groups = (org.kind == OrgKind.BRANCH
                      and Organization.objects.filter(path__startswith=org.path, kind=OrgKind.PARTY_GROUP).exists())
        if not has_groups:
            raise RuleError(_("a party group meeting is held by a party group, or by a branch that has party "
                              "groups"), field="kind")
    return org


def _check_kind(kind: Any) -> str:
    if kind not in MeetingKind.values:
        raise RuleError(_("unknown kind of meeting %(kind)s") % {"kind": repr(kind)}, field="kind")
    return str(kind)


def _check_hours(value: Any, kind: str) -> Decimal:
    try:
        hours = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as exc:
        raise RuleError(_("%(v)s is not a number of class hours") % {"v": repr(value)}, field="study_hours") from exc
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise RuleError(_("class hours must be between 0 and %(max)s") % {"max": MAX_HOURS}, field="study_hours")
    if hours != hours.quantize(Decimal("0.1")):
        raise RuleError(_("class hours are counted in tenths"), field="study_hours")
    if hours and kind not in STUDY_KINDS:
        raise RuleError(_("only study sessions and Party lectures carry class hours"), field="study_hours")
    return hours.quantize(Decimal("0.1"))


def attendance_pool(org: Organization, on: dt.date) -> Organization:
    """The organization whose members may attend a meeting of `org`: its branch for a party group."""
    if org.kind == OrgKind.PARTY_GROUP:
        parent = org.get_parent()
        if parent is not None:
            return parent
    return org


def eligible_member_ids(org: Organization, on: dt.date) -> set[int]:
    """The members who may be marked at a meeting of `org` on `on`: those of its subtree (its branch's for a
    party group) on that date."""
    pool = attendance_pool(org, on)
    return set(MemberPeriod.objects.on(on).filter(org_id__in=subtree_org_ids(pool, on))
               .values_list("member_id", flat=True))


def _normalize(attendance: Attendances | None) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for key, value in (attendance or {}).items():
        member_id = key.pk if isinstance(key, Member) else key
        try:
            member_id = int(member_id)
        except (TypeError, ValueError) as exc:
            raise RuleError(_("%(v)s is not a member") % {"v": repr(key)}, field="attendance") from exc
        if isinstance(value, str):
            presence, reason = value, ""
        else:
            try:
                presence, reason = value
            except (TypeError, ValueError) as exc:
                raise RuleError(_("attendance is given as (presence, reason)"), field="attendance") from exc
        if presence not in Presence.values:
            raise RuleError(_("unknown attendance %(v)s") % {"v": repr(presence)}, field="attendance")
        reason = str(reason or "").strip()
        if presence == Presence.LEAVE and not reason:
            raise RuleError(_("leave needs a reason (member %(id)s)") % {"id": member_id}, field="attendance")
        if len(reason) > 200:
            raise RuleError(_("at most %(n)s characters") % {"n": 200}, field="attendance")
        out[member_id] = (str(presence), reason)
    return out


def _check_attendees(org: Organization, on: dt.date, attendance: dict[int, tuple[str, str]]) -> None:
    if not attendance:
        return
    outsiders = sorted(set(attendance) - eligible_member_ids(org, on))
    if outsiders:
        names = dict(Member.objects.filter(pk__in=outsiders).values_list("pk", "name"))
        listed = ", ".join(names.get(i, str(i)) for i in outsiders)
        raise RuleError(_("not members of %(org)s on %(date)s: %(names)s")
                        % {"org": attendance_pool(org, on), "date": on, "names": listed}, field="attendance")


# --- quorum ---------------------------------------------------------------------------------------------
def seats_on(org: Organization, on: dt.date) -> set[int]:
    """The members holding a seat on org's committee on `on`."""
    return set(CommitteeSeat.objects.filter(Q(until__isnull=True) | Q(until__gt=on), org=org, since__lte=on)
               .values_list("member_id", flat=True))


def voting_member_ids(org: Organization, on: dt.date) -> set[int]:
    """The full, not suspended members of org's subtree on `on` (those with a vote at its general meeting)."""
    return set(MemberPeriod.objects.on(on).filter(org_id__in=subtree_org_ids(org, on), status=Status.FULL,
                                                  suspended=False).values_list("member_id", flat=True))


def compute_quorum(meeting: Meeting) -> bool | None:
    """Whether the meeting reached its quorum (None for kinds that need none)."""
    if meeting.kind == MeetingKind.GENERAL_MEETING:
        entitled = voting_member_ids(meeting.org, meeting.date)
    elif meeting.kind == MeetingKind.COMMITTEE_MEETING:
        entitled = seats_on(meeting.org, meeting.date)
    else:
        return None
    attending = set(meeting.attendance.filter(presence__in=ATTENDING).values_list("member_id", flat=True))
    return bool(entitled) and 2 * len(attending & entitled) > len(entitled)


def _acting_user() -> Any:
    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def _write_attendance(meeting: Meeting, attendance: dict[int, tuple[str, str]]) -> None:
    existing = {a.member_id: a for a in meeting.attendance.all()}
    new = []
    for member_id, (presence, reason) in attendance.items():
        row = existing.get(member_id)
        if row is None:
            new.append(Attendance(meeting=meeting, member_id=member_id, presence=presence, reason=reason))
        elif (row.presence, row.reason) != (presence, reason):
            row.presence, row.reason = presence, reason
            row.save(update_fields=["presence", "reason"])
    Attendance.objects.bulk_create(new)


def _counts(meeting: Meeting) -> dict[str, int]:
    counts = dict.fromkeys(Presence.values, 0)
    for presence in meeting.attendance.values_list("presence", flat=True):
        counts[presence] += 1
    return counts


# --- the services ---------------------------------------------------------------------------------------
@transaction.atomic
def record_meeting(*, org: Organization, kind: str, date: dt.date, topic: str, place: str = "", host: str = "",
                   minutes: str = "", study_hours: Any = 0, attendance: Attendances | None = None,
                   recorded_by: Any = None, by_unit: bool = False, elsewhere: bool = False) -> Meeting:
    """Record a meeting held on `date` with its attendance ({member id: (presence, reason)}).

    `recorded_by` is the acting user; the argument is only used when no user is acting (an import run by
    the system on someone's behalf). A joint meeting with the resident units is recorded only by the `joint`
    app (`by_unit`: its attendance is by unit, kept there), never with members' attendance; so are the kinds of
    `ATTENDANCE_ELSEWHERE` by their app (`elsewhere`: the deliberation app keeps their attendance by seat)."""
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    kind = _check_kind(kind)
    if (kind == MeetingKind.JOINT_MEETING) != by_unit or (by_unit and attendance):
        raise RuleError(_("a joint meeting is recorded from its joint meeting's page, with attendance by unit"),
                        field="kind")
    if kind != MeetingKind.JOINT_MEETING and ((kind in ATTENDANCE_ELSEWHERE) != elsewhere or (elsewhere and attendance)):
        raise RuleError(_("a %(kind)s is recorded from the deliberation pages, with attendance by seat")
                        % {"kind": MeetingKind(kind).label}, field="kind")
    date = _check_date(date)
    org = _check_org(org, kind, date)
    topic = _check_text(topic, "topic", 300, required=True)
    place = _check_text(place, "place", 200)
    host = _check_text(host, "host", 50)
    minutes = str(minutes or "").strip()
    hours = _check_hours(study_hours, kind)
    rows = _normalize(attendance)
    _check_attendees(org, date, rows)
    user = _acting_user() or recorded_by
    meeting = Meeting.objects.create(org=org, kind=kind, date=date, topic=topic, place=place, host=host,
                                     minutes=minutes, study_hours=hours, entered_late=today() > date,
                                     recorded_by=user)
    _write_attendance(meeting, rows)
    meeting.quorate = compute_quorum(meeting)
    meeting.save(update_fields=["quorate"])
    audit.record("meeting.record", meeting, after=audit.snapshot(meeting, MEETING_FIELDS), org_id=org.pk,
                 extra={"attendance": _counts(meeting)})
    return meeting


@transaction.atomic
def update_attendance(meeting: Meeting, attendance: Attendances, *, version: int | None = None) -> Meeting:
    """Set the attendance of the members given (others stay as recorded) and recompute the quorum. `version`: the
    meeting's version as read; refused (StaleVersionError, naming who changed what) when it changed since."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_write_org(meeting.org)
    check_version(meeting, version)
    if meeting.kind == MeetingKind.JOINT_MEETING:
        raise RuleError(_("a joint meeting is recorded from its joint meeting's page, with attendance by unit"),
                        field="kind")
    if meeting.kind in ATTENDANCE_ELSEWHERE:
        raise RuleError(_("a %(kind)s is recorded from the deliberation pages, with attendance by seat")
                        % {"kind": meeting.get_kind_display()}, field="kind")
    rows = _normalize(attendance)
    if not rows:
        raise RuleError(_("no attendance given"), field="attendance")
    _check_attendees(meeting.org, meeting.date, rows)
    before = {**audit.snapshot(meeting, ("quorate",)), **_counts(meeting)}
    _write_attendance(meeting, rows)
    meeting.quorate = compute_quorum(meeting)
    meeting.save(update_fields=["quorate"])
    audit.record("meeting.attendance", meeting, before=before,
                 after={**audit.snapshot(meeting, ("quorate",)), **_counts(meeting)}, org_id=meeting.org_id,
                 extra={"members": sorted(rows)})
    return meeting


def add_attachment(meeting: Meeting, *, file: Any, caption: str = "") -> Attachment:
    """Attach a photo (JPEG, PNG, GIF, WebP) or a PDF of at most 10 MB: the sign-in sheet, scanned minutes.
    The extension and the first bytes must agree. Attachments are evidence, never required."""
    meeting = Meeting.objects.select_related("org").get(pk=meeting.pk)
    require_write_org(meeting.org)
    caption = _check_text(caption, "caption", 200)
    name, size = check_attachment(file)
    attachment = Attachment(meeting=meeting, caption=caption)
    attachment.file.save(name, file, save=True)
    audit.record("meeting.attachment", meeting, org_id=meeting.org_id,
                 extra={"attachment": attachment.pk, "file": attachment.file.name, "size": size,
                        "caption": caption})
    return attachment


@transaction.atomic
def record_appraisal(member: Member, *, year: int, rating: str, meeting: Meeting | None = None) -> Appraisal:
    """The democratic appraisal of a member for a year (one a year), optionally at an appraisal meeting."""
    require_write_member(member)
    if member.org_id is None:
        raise RuleError(_("%(name)s belongs to no organization") % {"name": member.name}, field="member")
    if not isinstance(year, int) or isinstance(year, bool) or not 1921 <= year <= today().year:
        raise RuleError(_("the year must be between 1921 and this year"), field="year")
    if rating not in Rating.values:
        raise RuleError(_("unknown rating %(v)s") % {"v": repr(rating)}, field="rating")
    if meeting is not None:
        if meeting.kind != MeetingKind.APPRAISAL:
            raise RuleError(_("the meeting is not a democratic appraisal"), field="meeting")
        if meeting.date.year != year:
            raise RuleError(_("the meeting was held in %(held)s, not in %(year)s")
                            % {"held": meeting.date.year, "year": year}, field="meeting")
    existing = Appraisal.objects.filter(member=member, year=year).first()
    if existing is not None:
        raise RuleError(_("%(name)s was already appraised for %(year)s (%(rating)s)")
                        % {"name": member.name, "year": year, "rating": existing.get_rating_display()},
                        field="year")
    try:
        with transaction.atomic():
            appraisal = Appraisal.objects.create(member=member, org_id=member.org_id, year=year, rating=rating,
                                                 meeting=meeting)
    except IntegrityError as exc:
        raise RuleError(_("%(name)s was already appraised for %(year)s") % {"name": member.name, "year": year},
                        field="year") from exc
    audit.record("meeting.appraisal", appraisal, after=audit.snapshot(appraisal, ("member", "year", "rating",
                                                                                  "meeting")),
                 org_id=member.org_id)
    return appraisal


SEAT_FIELDS = ("org", "member", "role", "since", "until")


@transaction.atomic
def seat_add(org: Organization, member: Member, *, role: str, since: dt.date) -> CommitteeSeat:
    """Seat a member of org's subtree on its committee from `since`; one open seat a member, one secretary."""
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    since = _check_date(since, "since")
    if org.kind == OrgKind.PARTY_GROUP:
        raise RuleError(_("a party group has no committee"), field="org")
    if role not in SeatRole.values:
        raise RuleError(_("unknown role %(v)s") % {"v": repr(role)}, field="role")
    if member.pk not in set(MemberPeriod.objects.on(since).filter(org_id__in=subtree_org_ids(org, since),
                                                                 member=member).values_list("member_id", flat=True)):
        raise RuleError(_("%(name)s is not a member of %(org)s on %(date)s")
                        % {"name": member.name, "org": org, "date": since}, field="member")
    open_seats = CommitteeSeat.objects.select_for_update().filter(Q(until__isnull=True) | Q(until__gt=since),
                                                                  org=org)
    if open_seats.filter(member=member).exists():
        raise RuleError(_("%(name)s already holds a seat on this committee") % {"name": member.name},
                        field="member")
    if role == SeatRole.SECRETARY and open_seats.filter(role=SeatRole.SECRETARY).exists():
        raise RuleError(_("the committee already has a secretary on %(date)s: end that seat first")
                        % {"date": since}, field="role")
    seat = CommitteeSeat.objects.create(org=org, member=member, role=role, since=since)
    audit.record("meeting.seat_add", seat, after=audit.snapshot(seat, SEAT_FIELDS), org_id=org.pk)
    return seat


@transaction.atomic
def seat_end(seat: CommitteeSeat, *, until: dt.date) -> CommitteeSeat:
    """End a seat: `until` is the first day the member no longer holds it."""
    seat = CommitteeSeat.objects.select_for_update().get(pk=seat.pk)
    require_write_org(seat.org)
    until = _check_date(until, "until")
    if seat.until is not None:
        raise RuleError(_("the seat already ended on %(date)s") % {"date": seat.until}, field="until")
    if until <= seat.since:
        raise RuleError(_("a seat held since %(since)s cannot end on %(date)s")
                        % {"since": seat.since, "date": until}, field="until")
    before = audit.snapshot(seat, SEAT_FIELDS)
    seat.until = until
    seat.save(update_fields=["until"])
    audit.record("meeting.seat_end", seat, before=before, after=audit.snapshot(seat, SEAT_FIELDS),
                 org_id=seat.org_id)
    return seat
