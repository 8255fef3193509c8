"""Every write of volunteer service: one named function each, in one transaction, permission-checked, audited,
raising RuleError naming the field on bad input.

Who may do what: staff (an organizer or secretary of the organization or above: `require_write_org`) do
everything; a volunteer who is a member with an account acts for themselves (signs up, withdraws, checks in,
reports hours, asks for a correction). Hours count once the organizer confirms them; a confirmed record then
changes only through a correction the organizer approves, audited with before and after.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil import rrule as dateutil_rrule
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_reveal, require_write_org
from grassroots.core import audit, idnumber
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.versions import check_version
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from . import hours as H
from .models import (
    Activity,
    ActivitySeries,
    Attendance,
    Certificate,
    Correction,
    Decision,
    IdType,
    NoteKind,
    Participation,
    RecordNote,
    SelfReport,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

TEAM_FIELDS = ["code", "name", "captain", "tenet", "founded_on", "active"]
VOLUNTEER_FIELDS = ["name", "id_type", "id_number", "phone", "skills", "availability", "registered_on", "number",
                    "left_on"]
ACTIVITY_FIELDS = ["title", "content", "place", "starts_at", "ends_at", "organizer", "capacity", "cancelled"]
PARTICIPATION_FIELDS = ["state", "actual_start", "actual_end", "hours", "confirmed_on", "checked_in_at"]
CHECKIN_SALT = "grassroots.volunteers.checkin"
CHECKIN_EARLY = dt.timedelta(hours=1)


# --- helpers -------------------------------------------------------------------------------------------------

def _text(value: Any, field: str, *, required: bool = False, max_length: int = 0) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if max_length and len(text) > max_length:
        raise RuleError(_("at most %(n)d characters") % {"n": max_length}, field=field)
    return text


def _hours_value(value: Any, field: str = "hours") -> Decimal:
    """Hours as typed: a positive number in half-hour units (the unit in force)."""
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise RuleError(_("enter a number of hours such as 2.5"), field=field) from exc
    if not number.is_finite() or number <= 0:
        raise RuleError(_("enter a number of hours greater than zero"), field=field)
    return number


def _check_units(number: Decimal, day: dt.date, field: str = "hours") -> Decimal:
    unit, cap = H.settings_on(day)
    minutes = number * H.HOUR
    if minutes != minutes.to_integral_value() or int(minutes) % unit:
        raise RuleError(_("hours are counted in units of %(unit)d minutes") % {"unit": unit}, field=field)
    if minutes > cap:
        raise RuleError(_("at most %(cap)s hours a day") % {"cap": H.to_hours(cap, 1)}, field=field)
    return number.quantize(Decimal("0.1"))


def _is_self(volunteer: Volunteer) -> bool:
    return volunteer.member_id is not None and volunteer.member_id in current_scope().own_member_ids


def _require_self_or_staff(volunteer: Volunteer, org: Organization) -> None:
    if _is_self(volunteer):
        return
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("only the volunteer or the staff of %(org)s may do this") % {"org": org})


def _actor_user() -> Any:
    from grassroots.core.context import current_actor

    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def _same_line(a: Organization, b: Organization) -> bool:
    return a.path.startswith(b.path) or b.path.startswith(a.path)


def _now() -> dt.datetime:
    return timezone.now()


# --- teams ---------------------------------------------------------------------------------------------------

@transaction.atomic
def team_create(org: Organization, *, code: str, name: str, captain: str = "", tenet: str = "",
                founded_on: dt.date | None = None) -> VolunteerTeam:
    require_write_org(org)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org}, field="org")
    code = _text(code, "code", required=True, max_length=30)
    if VolunteerTeam.objects.filter(org=org, code=code).exists():
        raise RuleError(_("%(org)s already has a team with the code %(code)s") % {"org": org, "code": code},
                        field="code")
    team = VolunteerTeam.objects.create(org=org, code=code, name=_text(name, "name", required=True, max_length=100),
                                        captain=_text(captain, "captain", max_length=50), tenet=_text(tenet, "tenet"),
                                        founded_on=founded_on)
    audit.record("volunteer.team_create", team, org_id=org.pk, after=audit.snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def team_update(team: VolunteerTeam, *, version: Any, **changes: Any) -> VolunteerTeam:
    require_write_org(team.org)
    team = VolunteerTeam.objects.select_for_update(of=("self",)).select_related("org").get(pk=team.pk)
    check_version(team, version)
    before = audit.snapshot(team, TEAM_FIELDS)
    for key, value in changes.items():
        if key not in TEAM_FIELDS:
            raise RuleError(_("unknown field"), field=key)
        if key in ("name", "code"):
            value = _text(value, key, required=True, max_length=100 if key == "name" else 30)
        elif key in ("captain", "tenet"):
            value = _text(value, key, max_length=50 if key == "captain" else 0)
        setattr(team, key, value)
    if VolunteerTeam.objects.filter(org=team.org, code=team.code).exclude(pk=team.pk).exists():
        raise RuleError(_("%(org)s already has a team with the code %(code)s") % {"org": team.org, "code": team.code},
                        field="code")
    team.save()
    team.refresh_from_db()
    audit.record("volunteer.team_update", team, org_id=team.org_id, before=before,
                 after=audit.snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def team_join(team: VolunteerTeam, volunteer: Volunteer, *, joined_on: dt.date) -> TeamMembership:
    require_write_org(team.org)
    if not _same_line(team.org, volunteer.org):
        raise RuleError(_("the volunteer is registered elsewhere"), field="volunteer")
    if volunteer.left_on is not None:
        raise RuleError(_("the volunteer has left"), field="volunteer")
    if team.memberships.filter(volunteer=volunteer, left_on__isnull=True).exists():
        raise RuleError(_("%(name)s is already in this team") % {"name": volunteer.display_name}, field="volunteer")
    membership = TeamMembership.objects.create(team=team, volunteer=volunteer, joined_on=joined_on)
    audit.record("volunteer.team_join", membership, org_id=team.org_id,
                 after={"team": team.pk, "volunteer": volunteer.pk, "joined_on": joined_on.isoformat()})
    return membership


@transaction.atomic
def team_leave(membership: TeamMembership, *, left_on: dt.date) -> TeamMembership:
    require_write_org(membership.team.org)
    membership = TeamMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise RuleError(_("already left the team"), field="left_on")
    if left_on < membership.joined_on:
        raise RuleError(_("cannot leave before joining"), field="left_on")
    membership.left_on = left_on
    membership.save()
    audit.record("volunteer.team_leave", membership, org_id=membership.team.org_id,
                 after={"left_on": left_on.isoformat()})
    return membership


# --- volunteers ----------------------------------------------------------------------------------------------

def _next_number(org: Organization) -> str:
    taken = set(Volunteer.objects.filter(org=org, number__startswith=f"{org.code}-").values_list("number", flat=True))
    n = len(taken) + 1
    while f"{org.code}-{n:05d}" in taken:
        n += 1
    return f"{org.code}-{n:05d}"


@transaction.atomic
def volunteer_register(org: Organization, *, registered_on: dt.date, member: Member | None = None, name: str = "",
                       id_type: str = IdType.RESIDENT_ID, id_number: str = "", phone: str = "", skills: str = "",
                       availability: str = "", number: str = "") -> Volunteer:
    """Register a volunteer with `org` (the issuer of their number and their certificates): a member of the
    subtree (their name, ID number and phone stay on the roster), or a resident with a document."""
    if member is not None and member.pk in current_scope().own_member_ids:
        pass  # a member registers themselves
    else:
        require_write_org(org)
    Organization.objects.select_for_update().filter(pk=org.pk).first()  # numbers are given one at a time
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org}, field="org")
    if member is not None:
        if member.org is None or not member.org.path.startswith(org.path):
            raise RuleError(_("%(name)s is not a member of %(org)s") % {"name": member.name, "org": org},
                            field="member")
        if Volunteer.objects.filter(org=org, member=member).exists():
            raise RuleError(_("%(name)s is already registered") % {"name": member.name}, field="member")
        name, id_type, id_number, phone = "", IdType.RESIDENT_ID, "", ""
    else:
        name = _text(name, "name", required=True, max_length=50)
        if id_type not in IdType.values:
            raise RuleError(_("unknown document type"), field="id_type")
        id_number = _text(id_number, "id_number", required=True, max_length=30)
        if id_type == IdType.RESIDENT_ID:
            try:
                id_number = idnumber.validate(id_number)
            except idnumber.IDNumberError as exc:
                raise RuleError(str(exc), field="id_number") from exc
        if Volunteer.objects.filter(org=org, member__isnull=True, id_type=id_type, id_number=id_number).exists():
            raise RuleError(_("a volunteer with this document is already registered"), field="id_number")
        phone = _text(idnumber.normalize(phone) if phone else "", "phone", max_length=20)
    number = _text(number, "number", max_length=40) or _next_number(org)
    if Volunteer.objects.filter(org=org, number=number).exists():
        raise RuleError(_("the volunteer number %(n)s is taken") % {"n": number}, field="number")
    volunteer = Volunteer.objects.create(org=org, member=member, name=name, id_type=id_type, id_number=id_number,
                                         phone=phone, skills=_text(skills, "skills", max_length=200),
                                         availability=_text(availability, "availability", max_length=200),
                                         registered_on=registered_on, number=number)
    audit.record("volunteer.register", volunteer, org_id=org.pk,
                 after={**audit.snapshot(volunteer, VOLUNTEER_FIELDS), "member": member.pk if member else None})
    return volunteer


@transaction.atomic
def volunteer_update(volunteer: Volunteer, *, version: Any, **changes: Any) -> Volunteer:
    require_write_org(volunteer.org)
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=volunteer.pk)
    check_version(volunteer, version)
    before = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    for key, value in changes.items():
        if key not in ("skills", "availability", "phone", "name", "left_on"):
            raise RuleError(_("this field cannot be changed here"), field=key)
        if key in ("name", "phone") and volunteer.member_id:
            raise RuleError(_("a member's name and phone are changed on the roster"), field=key)
        if key == "name":
            value = _text(value, key, required=True, max_length=50)
        elif key != "left_on":
            value = _text(value, key, max_length=200)
        setattr(volunteer, key, value)
    volunteer.save()
    volunteer.refresh_from_db()
    audit.record("volunteer.update", volunteer, org_id=volunteer.org_id, before=before,
                 after=audit.snapshot(volunteer, VOLUNTEER_FIELDS))
    return volunteer


def can_reveal(volunteer: Volunteer) -> bool:
    scope = current_scope()
    if volunteer.member is not None:
        return scope.can_reveal(volunteer.member)
    return scope.can_write_org(volunteer.org)


@transaction.atomic
def volunteer_reveal(volunteer: Volunteer, *, field: str) -> str:
    """The full document number or phone, written to the audit log as shown to the acting user."""
    if field not in ("id_number", "phone"):
        raise RuleError(_("only the document number and the phone can be revealed"), field="field")
    if volunteer.member is not None:
        require_reveal(volunteer.member)
    elif not current_scope().can_write_org(volunteer.org):
        raise PermissionDeniedError(_("you may not see %(name)s's full personal information")
                                    % {"name": volunteer.display_name})
    audit.record(f"volunteer.reveal_{field}", volunteer, org_id=volunteer.org_id)
    return volunteer.document_number if field == "id_number" else volunteer.contact


# --- activities ----------------------------------------------------------------------------------------------

def _activity_values(team: VolunteerTeam, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"title": _text(values.get("title"), "title", required=True, max_length=150),
           "content": _text(values.get("content"), "content"),
           "place": _text(values.get("place"), "place", max_length=150),
           "organizer": _text(values.get("organizer"), "organizer", max_length=50)}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, dt.datetime):
        raise RuleError(_("enter when the activity starts"), field="starts_at")
    if not isinstance(ends, dt.datetime):
        raise RuleError(_("enter when the activity ends"), field="ends_at")
    if ends <= starts:
        raise RuleError(_("the activity must end after it starts (an end past midnight is on the next day)"),
                        field="ends_at")
    if ends - starts > dt.timedelta(days=7):
        raise RuleError(_("an activity lasts at most seven days: record longer service as several activities"),
                        field="ends_at")
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
        raise RuleError(_("the capacity is a whole number of people, at least 1"), field="capacity")
    out.update(starts_at=starts, ends_at=ends, capacity=capacity)
    return out


@transaction.atomic
def activity_create(team: VolunteerTeam, *, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
                    content: str = "", place: str = "", organizer: str = "", capacity: int | None = None) -> Activity:
    require_write_org(team.org)
    if not team.active:
        raise RuleError(_("the team is no longer active"), field="team")
    values = _activity_values(team, {"title": title, "starts_at": starts_at, "ends_at": ends_at, "content": content,
                                     "place": place, "organizer": organizer, "capacity": capacity})
    activity = Activity.objects.create(team=team, org=team.org, **values)
    audit.record("volunteer.activity_create", activity, org_id=team.org_id,
                 after=audit.snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def activity_update(activity: Activity, *, version: Any, **changes: Any) -> Activity:
    require_write_org(activity.org)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("team", "org").get(pk=activity.pk)
    check_version(activity, version)
    if activity.cancelled:
        raise RuleError(_("the activity was cancelled"), field="cancelled")
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    current = {k: getattr(activity, k) for k in ACTIVITY_FIELDS}
    unknown = set(changes) - set(ACTIVITY_FIELDS) - {"cancelled"}
    if unknown or "cancelled" in changes:
        raise RuleError(_("this field cannot be changed here"), field=sorted(unknown or {"cancelled"})[0])
    values = _activity_values(activity.team, {**current, **changes})
    if activity.participations.filter(confirmed_on__isnull=False).exists() and (
            values["starts_at"] != activity.starts_at or values["ends_at"] != activity.ends_at):
        raise RuleError(_("hours have been confirmed: the times can no longer change"), field="starts_at")
    for key, value in values.items():
        setattr(activity, key, value)
    activity.save()
    activity.refresh_from_db()
    audit.record("volunteer.activity_update", activity, org_id=activity.org_id, before=before,
                 after=audit.snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def activity_cancel(activity: Activity, *, version: Any) -> Activity:
    require_write_org(activity.org)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    check_version(activity, version)
    if activity.cancelled:
        raise RuleError(_("the activity is already cancelled"), field="cancelled")
    if activity.participations.filter(state__in=(Attendance.PRESENT, Attendance.ABSENT)).exists():
        raise RuleError(_("attendance has been marked: the activity took place"), field="cancelled")
    activity.cancelled = True
    activity.save()
    audit.record("volunteer.activity_cancel", activity, org_id=activity.org_id, before={"cancelled": False},
                 after={"cancelled": True})
    return activity


# --- recurring activities ------------------------------------------------------------------------------------

def parse_rrule(text: str, starts_at: dt.datetime, *, horizon_from: dt.date) -> list[dt.datetime]:
    """The starts of an RRULE (RFC 5545, without the "RRULE:" prefix or with it) from `starts_at`, bounded: a rule
    without COUNT or UNTIL reaching past the horizon (`volunteers.recurrence`) is refused."""
    rule = in_force("volunteers.recurrence", horizon_from)
    horizon = dt.datetime.combine(horizon_from + dt.timedelta(days=int(rule["horizon_days"])), dt.time.max,
                                  tzinfo=starts_at.tzinfo)
    body = str(text or "").strip().removeprefix("RRULE:").strip()
    if not body:
        raise RuleError(_("enter a recurrence rule such as FREQ=MONTHLY;BYMONTHDAY=5;COUNT=12"), field="rrule")
    try:
        parsed = dateutil_rrule.rrulestr(body, dtstart=H.local(starts_at).replace(tzinfo=None))
    except (ValueError, TypeError) as exc:
        raise RuleError(_("not a recurrence rule: %(e)s") % {"e": exc}, field="rrule") from exc
    if not isinstance(parsed, dateutil_rrule.rrule):
        raise RuleError(_("give one rule"), field="rrule")
    if getattr(parsed, "_count", None) is None and getattr(parsed, "_until", None) is None:
        raise RuleError(_("the rule has no end: give COUNT or UNTIL (it may run to %(day)s at most)") % {
            "day": horizon.date().isoformat()}, field="rrule")
    limit = int(rule["max_occurrences"])
    tz = H.local(starts_at).tzinfo
    horizon = horizon.replace(tzinfo=None)
    starts = []
    for naive in parsed:
        if naive > horizon:
            raise RuleError(_("the rule reaches past %(day)s: shorten it (COUNT or UNTIL)") % {
                "day": horizon.date().isoformat()}, field="rrule")
        starts.append(naive.replace(tzinfo=tz))
        if len(starts) > limit:
            raise RuleError(_("the rule gives more than %(n)d activities") % {"n": limit}, field="rrule")
    if not starts:
        raise RuleError(_("the rule gives no date"), field="rrule")
    return starts


@transaction.atomic
def series_create(team: VolunteerTeam, *, title: str, starts_at: dt.datetime, minutes: int, rrule: str,
                  content: str = "", place: str = "", organizer: str = "", capacity: int | None = None,
                  today: dt.date | None = None) -> tuple[ActivitySeries, int]:
    """A recurring activity and its occurrences: (the series, how many activities were made)."""
    require_write_org(team.org)
    if not isinstance(minutes, int) or minutes < 1 or minutes > 24 * 60:
        raise RuleError(_("the duration is 1 to 1440 minutes"), field="minutes")
    values = _activity_values(team, {"title": title, "starts_at": starts_at,
                                     "ends_at": starts_at + dt.timedelta(minutes=minutes), "content": content,
                                     "place": place, "organizer": organizer, "capacity": capacity})
    parse_rrule(rrule, starts_at, horizon_from=today or timezone.localdate())
    series = ActivitySeries.objects.create(team=team, org=team.org, title=values["title"], content=values["content"],
                                           place=values["place"], organizer=values["organizer"],
                                           capacity=values["capacity"], starts_at=starts_at, minutes=minutes,
                                           rrule=rrule.strip().removeprefix("RRULE:").strip())
    audit.record("volunteer.series_create", series, org_id=team.org_id,
                 after={"title": series.title, "rrule": series.rrule, "starts_at": starts_at.isoformat()})
    made = _expand(series, today or timezone.localdate())
    return series, made


def _expand(series: ActivitySeries, today: dt.date) -> int:
    starts = parse_rrule(series.rrule, series.starts_at, horizon_from=today)
    existing = set(Activity.objects.filter(series=series).values_list("starts_at", flat=True))
    length = dt.timedelta(minutes=series.minutes)
    new = [Activity(team=series.team, org=series.org, series=series, title=series.title, content=series.content,
                    place=series.place, organizer=series.organizer, capacity=series.capacity, starts_at=start,
                    ends_at=start + length, recorded_by=_actor_user())
           for start in starts if start not in existing]
    Activity.objects.bulk_create(new)
    if new:
        audit.record("volunteer.series_expand", series, org_id=series.org_id, extra={"made": len(new)})
    return len(new)


@transaction.atomic
def series_expand(series: ActivitySeries, *, rrule: str | None = None, version: Any = None,
                  today: dt.date | None = None) -> int:
    """Make the occurrences not made yet (again: none); with a changed rule, only the missing ones (the ones
    made stay: cancel those no longer wanted). Returns how many were made."""
    require_write_org(series.org)
    series = ActivitySeries.objects.select_for_update(of=("self",)).select_related("team", "org").get(pk=series.pk)
    if rrule is not None and rrule.strip().removeprefix("RRULE:").strip() != series.rrule:
        check_version(series, version)
        parse_rrule(rrule, series.starts_at, horizon_from=today or timezone.localdate())
        before = {"rrule": series.rrule}
        series.rrule = rrule.strip().removeprefix("RRULE:").strip()
        series.save()
        series.refresh_from_db()
        audit.record("volunteer.series_update", series, org_id=series.org_id, before=before,
                     after={"rrule": series.rrule})
    return _expand(series, today or timezone.localdate())


# --- sign-up and attendance ----------------------------------------------------------------------------------

@transaction.atomic
def sign_up(activity: Activity, volunteer: Volunteer, *, now: dt.datetime | None = None) -> Participation:
    """The volunteer signs up (or staff sign them up, before or after the activity: a paper sheet)."""
    _require_self_or_staff(volunteer, activity.org)
    staff = current_scope().can_write_org(activity.org)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    now = now or _now()
    if activity.cancelled:
        raise RuleError(_("the activity was cancelled"), field="activity")
    if not staff and activity.starts_at <= now:
        raise RuleError(_("sign-up closed when the activity began"), field="activity")
    if volunteer.left_on is not None:
        raise RuleError(_("the volunteer has left"), field="volunteer")
    if not _same_line(activity.org, volunteer.org):
        raise RuleError(_("the volunteer is registered elsewhere"), field="volunteer")
    existing = Participation.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if existing is not None and existing.state != Attendance.WITHDRAWN:
        raise RuleError(_("%(name)s has already signed up") % {"name": volunteer.display_name}, field="volunteer")
    taken = activity.participations.exclude(state__in=(Attendance.WITHDRAWN, Attendance.ABSENT)).count()
    if activity.capacity is not None and taken >= activity.capacity:
        raise RuleError(_("the activity is full (%(n)d places)") % {"n": activity.capacity}, field="activity")
    on_behalf = not _is_self(volunteer)
    if existing is not None:
        existing.state = Attendance.SIGNED_UP
        existing.on_behalf = on_behalf
        existing.save()
        participation = existing
    else:
        participation = Participation.objects.create(activity=activity, volunteer=volunteer, on_behalf=on_behalf)
    audit.record("volunteer.sign_up", participation, org_id=activity.org_id,
                 after={"activity": activity.pk, "volunteer": volunteer.pk, "on_behalf": on_behalf})
    return participation


@transaction.atomic
def withdraw(participation: Participation, *, version: Any = None, now: dt.datetime | None = None) -> Participation:
    activity = participation.activity
    _require_self_or_staff(participation.volunteer, activity.org)
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    check_version(participation, version)
    if participation.state != Attendance.SIGNED_UP:
        raise RuleError(_("only a sign-up not yet marked can be withdrawn"), field="state")
    if activity.starts_at <= (now or _now()) and not current_scope().can_write_org(activity.org):
        raise RuleError(_("the activity has begun: ask the organizer"), field="state")
    participation.state = Attendance.WITHDRAWN
    participation.save()
    audit.record("volunteer.withdraw", participation, org_id=activity.org_id, before={"state": "signed_up"},
                 after={"state": "withdrawn"})
    return participation


def _used_minutes(volunteer: Volunteer, days: set[dt.date], *, exclude: int | None = None) -> dict[dt.date, int]:
    """Minutes already counted for the volunteer on `days`: other attendances with hours, self-reports not
    declined."""
    used: dict[dt.date, int] = defaultdict(int)
    if not days:
        return used
    low = dt.datetime.combine(min(days) - dt.timedelta(days=8), dt.time(0), tzinfo=timezone.get_current_timezone())
    high = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time(0), tzinfo=timezone.get_current_timezone())
    others = (Participation.objects.filter(volunteer=volunteer, state=Attendance.PRESENT, hours__gt=0,
                                           activity__starts_at__lt=high, activity__ends_at__gt=low)
              .select_related("activity"))
    if exclude is not None:
        others = others.exclude(pk=exclude)
    for p in others:
        start, end = service_span(p)
        for day, minutes in H.minutes_by_day(start, end).items():
            used[day] += minutes
    for day, hours in SelfReport.objects.filter(volunteer=volunteer, day__in=days).exclude(
            state=Decision.DECLINED).values_list("day", "hours"):
        used[day] += int(hours * H.HOUR)
    return used


def service_span(p: Participation) -> tuple[dt.datetime, dt.datetime]:
    """The actual service time: the times marked by the organizer, else the activity's."""
    return p.actual_start or p.activity.starts_at, p.actual_end or p.activity.ends_at


def compute_hours(p: Participation) -> Decimal:
    start, end = service_span(p)
    days = set(H.minutes_by_day(start, end))
    return H.counted_hours(start, end, _used_minutes(p.volunteer, days, exclude=p.pk))


@transaction.atomic
def mark_attendance(participation: Participation, *, present: bool, actual_start: dt.datetime | None = None,
                    actual_end: dt.datetime | None = None, version: Any = None,
                    now: dt.datetime | None = None) -> Participation:
    """The organizer marks a volunteer present (with the actual times, if they differ from the activity's) or
    absent. Hours are computed at once and count once confirmed."""
    activity = participation.activity
    require_write_org(activity.org)
    participation = Participation.objects.select_for_update(of=("self",)).select_related("activity", "volunteer").get(
        pk=participation.pk)
    check_version(participation, version)
    if activity.cancelled:
        raise RuleError(_("the activity was cancelled"), field="state")
    if activity.starts_at > (now or _now()):
        raise RuleError(_("attendance is marked once the activity has begun"), field="state")
    if participation.confirmed_on is not None:
        raise RuleError(_("the hours are confirmed: the record changes only through a correction request"),
                        field="state")
    if participation.state == Attendance.WITHDRAWN:
        raise RuleError(_("the volunteer withdrew: sign them up again first"), field="state")
    before = audit.snapshot(participation, PARTICIPATION_FIELDS)
    if present:
        if (actual_start is None) != (actual_end is None):
            raise RuleError(_("give both the actual start and end, or neither"),
                            field="actual_end" if actual_end is None else "actual_start")
        if actual_start is not None and actual_end is not None:
            if actual_end <= actual_start:
                raise RuleError(_("the end must come after the start (an end past midnight is on the next day)"),
                                field="actual_end")
            if actual_end - actual_start > dt.timedelta(hours=24):
                raise RuleError(_("at most 24 hours at a time"), field="actual_end")
        participation.state = Attendance.PRESENT
        participation.actual_start, participation.actual_end = actual_start, actual_end
        participation.hours = compute_hours(participation)
    else:
        participation.state = Attendance.ABSENT
        participation.actual_start = participation.actual_end = None
        participation.hours = None
    participation.save()
    participation.refresh_from_db()
    audit.record("volunteer.attendance", participation, org_id=activity.org_id, before=before,
                 after=audit.snapshot(participation, PARTICIPATION_FIELDS))
    return participation


def checkin_token(activity: Activity) -> str:
    """The activity's signed check-in token (for its QR code): it names the activity and nothing else."""
    return signing.dumps({"a": activity.pk}, salt=CHECKIN_SALT)


def activity_of_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=CHECKIN_SALT)
    except signing.BadSignature:
        return None
    return int(data["a"]) if isinstance(data, dict) and isinstance(data.get("a"), int) else None


@transaction.atomic
def self_check_in(activity: Activity, volunteer: Volunteer, *, token: str,
                  now: dt.datetime | None = None) -> Participation:
    """A volunteer checks in with the activity's QR code (optional: the organizer's sheet is enough). It marks
    them present from now; the organizer still confirms the hours."""
    if not _is_self(volunteer):
        raise PermissionDeniedError(_("a volunteer checks in for themselves"))
    if activity_of_token(token) != activity.pk:
        raise RuleError(_("this check-in code is not this activity's"), field="token")
    now = now or _now()
    if activity.cancelled:
        raise RuleError(_("the activity was cancelled"), field="token")
    if not activity.starts_at - CHECKIN_EARLY <= now <= activity.ends_at:
        raise RuleError(_("check-in is open from an hour before the activity to its end"), field="token")
    p = Participation.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if p is None:
        if not _same_line(activity.org, volunteer.org):
            raise RuleError(_("the volunteer is registered elsewhere"), field="volunteer")
        p = Participation.objects.create(activity=activity, volunteer=volunteer)
    if p.checked_in_at is not None or p.state in (Attendance.PRESENT, Attendance.ABSENT):
        raise RuleError(_("already checked in or marked by the organizer"), field="token")
    before = audit.snapshot(p, PARTICIPATION_FIELDS)
    p.checked_in_at = now
    p.state = Attendance.PRESENT
    p.actual_start = max(now, activity.starts_at)
    p.actual_end = activity.ends_at
    p.hours = compute_hours(p)
    p.save()
    p.refresh_from_db()
    audit.record("volunteer.check_in", p, org_id=activity.org_id, before=before,
                 after=audit.snapshot(p, PARTICIPATION_FIELDS))
    return p


@transaction.atomic
def confirm_hours(participation: Participation, *, on: dt.date, version: Any = None) -> Participation:
    """The organizer confirms the hours of one attendance: from then on they count."""
    activity = participation.activity
    require_write_org(activity.org)
    p = Participation.objects.select_for_update().get(pk=participation.pk)
    check_version(p, version)
    if p.state != Attendance.PRESENT or p.hours is None:
        raise RuleError(_("only a volunteer marked present has hours to confirm"), field="state")
    if p.confirmed_on is not None:
        raise RuleError(_("the hours are already confirmed"), field="state")
    if on < H.local(activity.starts_at).date():
        raise RuleError(_("hours are confirmed after the service"), field="on")
    p.confirmed_on = on
    p.confirmed_by = _actor_user()
    p.save()
    p.refresh_from_db()
    audit.record("volunteer.confirm_hours", p, org_id=activity.org_id, before={"confirmed_on": None},
                 after={"confirmed_on": on.isoformat(), "hours": str(p.hours)})
    return p


@transaction.atomic
def confirm_activity(activity: Activity, *, on: dt.date) -> int:
    """Confirm every attendance of the activity marked present and not yet confirmed; how many."""
    require_write_org(activity.org)
    pending = list(activity.participations.filter(state=Attendance.PRESENT, confirmed_on__isnull=True,
                                                  hours__isnull=False))
    if not pending:
        raise RuleError(_("no hours await confirmation here"), field="state")
    for p in pending:
        confirm_hours(p, on=on)
    return len(pending)


# --- self-reported hours -------------------------------------------------------------------------------------

@transaction.atomic
def report_hours(volunteer: Volunteer, *, day: dt.date, hours: Any, content: str, place: str = "",
                 today: dt.date | None = None) -> SelfReport:
    _require_self_or_staff(volunteer, volunteer.org)
    if day > (today or timezone.localdate()):
        raise RuleError(_("report service already done"), field="day")
    if day < volunteer.registered_on:
        raise RuleError(_("before the volunteer registered"), field="day")
    number = _check_units(_hours_value(hours), day)
    _unit, cap = H.settings_on(day)
    used = _used_minutes(volunteer, {day}).get(day, 0)
    if used + int(number * H.HOUR) > cap:
        raise RuleError(_("with what is already counted that day, this passes %(cap)s hours") % {
            "cap": H.to_hours(cap, 1)}, field="hours")
    report = SelfReport.objects.create(volunteer=volunteer, org=volunteer.org, day=day, hours=number,
                                       content=_text(content, "content", required=True, max_length=300),
                                       place=_text(place, "place", max_length=150))
    audit.record("volunteer.report", report, org_id=volunteer.org_id,
                 after={"day": day.isoformat(), "hours": str(number), "content": report.content})
    return report


@transaction.atomic
def decide_report(report: SelfReport, *, approve: bool, on: dt.date, answer: str = "",
                  version: Any = None) -> SelfReport:
    require_write_org(report.org)
    report = SelfReport.objects.select_for_update().get(pk=report.pk)
    check_version(report, version)
    if report.state != Decision.PENDING:
        raise RuleError(_("the report has been answered"), field="state")
    answer = _text(answer, "answer", max_length=300, required=not approve)
    report.state = Decision.APPROVED if approve else Decision.DECLINED
    report.decided_on, report.answer = on, answer
    report.save()
    audit.record("volunteer.report_decide", report, org_id=report.org_id, before={"state": "pending"},
                 after={"state": report.state, "answer": answer})
    return report


# --- the rest of the record ----------------------------------------------------------------------------------

@transaction.atomic
def add_note(volunteer: Volunteer, *, kind: str, day: dt.date, title: str, hours: Any = None) -> RecordNote:
    require_write_org(volunteer.org)
    if kind not in NoteKind.values:
        raise RuleError(_("unknown kind"), field="kind")
    number = _hours_value(hours) if hours not in (None, "") else None
    note = RecordNote.objects.create(volunteer=volunteer, org=volunteer.org, kind=kind, day=day,
                                     title=_text(title, "title", required=True, max_length=200), hours=number)
    audit.record("volunteer.note", note, org_id=volunteer.org_id,
                 after={"kind": kind, "day": day.isoformat(), "title": note.title})
    return note


# --- certificates --------------------------------------------------------------------------------------------

def service_lines(volunteer: Volunteer, start: dt.date, end: dt.date) -> list[tuple[dt.date, str, Decimal]]:
    """The confirmed service of the volunteer from `start` to `end`: (day, what, hours), by day."""
    lines: list[tuple[dt.date, str, Decimal]] = []
    for p in (Participation.objects.filter(volunteer=volunteer, confirmed_on__isnull=False)
              .select_related("activity").order_by("activity__starts_at")):
        day = H.local(service_span(p)[0]).date()
        if start <= day <= end and p.hours:
            lines.append((day, p.activity.title, p.hours))
    for r in SelfReport.objects.filter(volunteer=volunteer, state=Decision.APPROVED, day__range=(start, end)):
        lines.append((r.day, r.content, r.hours))
    return sorted(lines, key=lambda line: line[0])


@transaction.atomic
def issue_certificate(volunteer: Volunteer, *, period_start: dt.date, period_end: dt.date, person_in_charge: str,
                      handler: str, contact: str, notes: str = "", on: dt.date | None = None) -> Certificate:
    """Issue a certificate of the confirmed hours of a period ("whoever records certifies": the organization the
    volunteer is registered with). Its number is sequential per issuer and year: <code>-<year>-<nnnn>."""
    org = volunteer.org
    require_write_org(org)
    on = on or timezone.localdate()
    if period_end < period_start:
        raise RuleError(_("the period ends before it starts"), field="period_end")
    if period_end > on:
        raise RuleError(_("the period cannot end after the day of issue"), field="period_end")
    lines = service_lines(volunteer, period_start, period_end)
    if not lines:
        raise RuleError(_("no confirmed hours in this period"), field="period_start")
    values = {"person_in_charge": _text(person_in_charge, "person_in_charge", required=True, max_length=50),
              "handler": _text(handler, "handler", required=True, max_length=50),
              "contact": _text(contact, "contact", required=True, max_length=50),
              "notes": _text(notes, "notes", max_length=300)}
    Organization.objects.select_for_update().filter(pk=org.pk).first()
    last = Certificate.objects.filter(org=org, year=on.year).aggregate(n=Max("seq"))["n"] or 0
    seq = last + 1
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                volunteer=volunteer, org=org, year=on.year, seq=seq, number=f"{org.code}-{on.year}-{seq:04d}",
                issued_on=on, period_start=period_start, period_end=period_end,
                hours=sum((line[2] for line in lines), Decimal(0)),
                content=[[d.isoformat(), what, str(h)] for d, what, h in lines], **values)
    except IntegrityError as exc:
        raise RuleError(_("another certificate took this number: try again"), field="number") from exc
    audit.record("volunteer.certificate", certificate, org_id=org.pk,
                 after={"number": certificate.number, "volunteer": volunteer.pk, "hours": str(certificate.hours),
                        "period": f"{period_start}/{period_end}"})
    return certificate


# --- corrections ---------------------------------------------------------------------------------------------

@transaction.atomic
def request_correction(volunteer: Volunteer, *, hours: Any, reason: str, participation: Participation | None = None,
                       report: SelfReport | None = None, on: dt.date | None = None) -> Correction:
    """The volunteer (or staff on their behalf) asks for the hours of a confirmed attendance or an approved
    report to be corrected, saying why."""
    _require_self_or_staff(volunteer, volunteer.org)
    if (participation is None) == (report is None):
        raise RuleError(_("name the attendance or the report to correct"), field="participation")
    target: Participation | SelfReport = participation or report  # type: ignore[assignment]
    if target.volunteer_id != volunteer.pk:
        raise RuleError(_("this record is not the volunteer's"), field="participation" if participation else "report")
    if participation is not None and participation.confirmed_on is None:
        raise RuleError(_("hours not yet confirmed are changed by the organizer: no request is needed"),
                        field="participation")
    if report is not None and report.state != Decision.APPROVED:
        raise RuleError(_("only an approved report can be corrected"), field="report")
    day = H.local(service_span(participation)[0]).date() if participation else report.day  # type: ignore[union-attr]
    number = _check_units(_hours_value(hours), day)
    if number == target.hours:
        raise RuleError(_("these are the hours already recorded"), field="hours")
    if Correction.objects.filter(participation=participation, report=report, state=Decision.PENDING).exists():
        raise RuleError(_("a request about this record awaits an answer"), field="participation")
    org = participation.activity.org if participation else report.org  # type: ignore[union-attr]
    correction = Correction.objects.create(volunteer=volunteer, org=org, participation=participation, report=report,
                                           hours=number, reason=_text(reason, "reason", required=True, max_length=300),
                                           requested_on=on or timezone.localdate())
    audit.record("volunteer.correction_request", correction, org_id=org.pk,
                 after={"hours": str(number), "reason": correction.reason})
    return correction


@transaction.atomic
def decide_correction(correction: Correction, *, approve: bool, on: dt.date, answer: str = "",
                      version: Any = None) -> Correction:
    """The organizer approves (the record takes the hours asked for, audited with before and after) or declines
    (with the reason)."""
    require_write_org(correction.org)
    correction = Correction.objects.select_for_update(of=("self",)).select_related("participation", "report").get(
        pk=correction.pk)
    check_version(correction, version)
    if correction.state != Decision.PENDING:
        raise RuleError(_("the request has been answered"), field="state")
    answer = _text(answer, "answer", max_length=300, required=not approve)
    if approve:
        target: Any = correction.participation or correction.report
        target = type(target).objects.select_for_update().get(pk=target.pk)
        before = {"hours": str(target.hours)}
        target.hours = correction.hours
        target.save()
        audit.record("volunteer.record_corrected", target, org_id=correction.org_id, before=before,
                     after={"hours": str(correction.hours)}, extra={"correction": correction.pk})
    correction.state = Decision.APPROVED if approve else Decision.DECLINED
    correction.decided_on, correction.answer = on, answer
    correction.save()
    audit.record("volunteer.correction_decide", correction, org_id=correction.org_id, before={"state": "pending"},
                 after={"state": correction.state, "answer": answer})
    return correction


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    """All the volunteer's confirmed hours (attendance confirmed, reports approved)."""
    a = Participation.objects.filter(volunteer=volunteer, confirmed_on__isnull=False).aggregate(s=Sum("hours"))["s"]
    b = SelfReport.objects.filter(volunteer=volunteer, state=Decision.APPROVED).aggregate(s=Sum("hours"))["s"]
    return (a or Decimal(0)) + (b or Decimal(0))
