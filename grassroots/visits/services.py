"""Every write to links and visits: one named function each, in a transaction, permission-checked by place
(`access.scope.require_write_place`: the writers of the organizations that hold the household's place, and the
grid workers of its grid), audited under the organization that holds the place (`households.services.holder_id`),
raising `RuleError` naming the field.

A visit is recorded once: `client_id` (a UUID made on the phone) is unique, and sending the same visit again gives
back the one recorded (`visit_record` returns it with `created=False`). A visit recorded after its day is marked
entered late, with who and when; it counts all the same.

A finding becomes, in one step, a residents' opinion (`finding_to_opinion`, through
`opinions.services.submit_from_visit`, at the station serving the household's place) or a micro-wish
(`finding_to_wish`, through `wishes.services.wish_from_visit`); both name the visit back (`visit_ref`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_place
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.versions import check_version
from grassroots.households.models import Household, HouseholdPlace
from grassroots.households.services import holder_id
from grassroots.members.models import Member
from grassroots.orgs.models import Territory

from .models import (
    FindingState,
    FindingType,
    HouseholdLink,
    LinkKind,
    LinkTarget,
    Purpose,
    Visit,
    VisitFinding,
)

LINK_FIELDS = ("household", "member", "user", "kind", "valid_from", "valid_to")
VISIT_FIELDS = ("household", "territory", "day", "purpose", "entered_late")


def today() -> dt.date:
    return timezone.localdate()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("at most %(n)s characters") % {"n": max_length}, field=field)
    return text


def _day(value: Any, field: str) -> dt.date:
    if value is None:
        return today()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(_("enter a date"), field=field)
    if value > today():
        raise RuleError(_("the date cannot be in the future"), field=field)
    return value


def _user() -> Any:
    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) else None


def place_on(household: Household, day: dt.date) -> Territory | None:
    """Where the household lived on `day` (None: it did not live in the area then)."""
    period = HouseholdPlace.objects.on(day).filter(household=household).select_related("territory").first()
    return period.territory if period is not None else None


# --- links ------------------------------------------------------------------------------------------------

def _person(member: Member | None, user: Any, person_name: Any, kind: str) -> str:
    if kind not in LinkKind.values:
        raise RuleError(_("unknown kind %(kind)s") % {"kind": kind}, field="kind")
    if member is not None and user is not None:
        raise RuleError(_("name a member or an account, not both"), field="member")
    name = _text(person_name, "person_name", 100)
    if member is not None:
        return name or member.name
    if user is not None:
        return name or str(user.get_full_name() or user.username)
    if not name:
        raise RuleError(_("name the linked person: a member, an account or a name"), field="person_name")
    return name


@transaction.atomic
def link_create(*, household: Household, kind: str, valid_from: dt.date, member: Member | None = None,
                user: Any = None, person_name: str = "", valid_to: dt.date | None = None,
                note: str = "") -> HouseholdLink:
    """Link a person (a member, an account, or a name: a cadre without an account, a unit) to a household from
    `valid_from` (until `valid_to`, exclusive; None: still linked)."""
    require_write_place(household.territory)
    name = _person(member, user, person_name, kind)
    if not isinstance(valid_from, dt.date):
        raise RuleError(_("enter a date"), field="valid_from")
    if valid_to is not None and valid_to <= valid_from:
        raise RuleError(_("the link must end after it starts"), field="valid_to")
    if household.left_on is not None and valid_from >= household.left_on:
        raise RuleError(_("the household left on %(date)s") % {"date": household.left_on}, field="valid_from")
    if member is None and user is None:
        same = HouseholdLink.objects.filter(household=household, member=None, user=None, person_name=name)
    else:
        same = HouseholdLink.objects.filter(household=household, member=member, user=user)
    for other in same:
        if (other.valid_to is None or other.valid_to > valid_from) and (valid_to is None
                                                                         or valid_to > other.valid_from):
            raise RuleError(_("%(name)s is already linked to this household from %(date)s")
                            % {"name": name, "date": other.valid_from.isoformat()}, field="valid_from")
    link = HouseholdLink.objects.create(household=household, member=member, user=user, person_name=name, kind=kind,
                                        valid_from=valid_from, valid_to=valid_to, note=_text(note, "note", 300))
    audit.record("visits.link_create", link, after=audit.snapshot(link, LINK_FIELDS),
                 org_id=holder_id(household.territory, valid_from))
    return link


@transaction.atomic
def link_end(link: HouseholdLink, *, on: dt.date, version: Any = None) -> HouseholdLink:
    """The person is no longer linked to the household from `on`."""
    link = HouseholdLink.objects.select_for_update(of=("self",)).select_related("household__territory").get(
        pk=link.pk)
    require_write_place(link.household.territory)
    check_version(link, version)
    if link.valid_to is not None:
        raise RuleError(_("the link ended on %(date)s") % {"date": link.valid_to.isoformat()}, field="on")
    if not isinstance(on, dt.date) or on <= link.valid_from:
        raise RuleError(_("the link must end after it starts"), field="on")
    before = audit.snapshot(link, LINK_FIELDS)
    link.valid_to = on
    link.save()
    audit.record("visits.link_end", link, before=before, after=audit.snapshot(link, LINK_FIELDS),
                 org_id=holder_id(link.household.territory, on))
    return link


@transaction.atomic
def target_set(*, territory: Territory, households: int, member: Member | None = None, user: Any = None,
               person_name: str = "", note: str = "") -> LinkTarget:
    """One person's own target (households to link), replacing their kind's default from the rules."""
    require_write_place(territory)
    name = _person(member, user, person_name, LinkKind.MEMBER)
    if isinstance(households, bool) or not isinstance(households, int) or not 0 <= households <= 200:
        raise RuleError(_("a target is 0 to 200 households"), field="households")
    if member is not None or user is not None:
        row = LinkTarget.objects.filter(member=member, user=user).first()
    else:
        row = LinkTarget.objects.filter(member=None, user=None, person_name=name).first()
    before = audit.snapshot(row, ("households", "territory")) if row else None
    row = row or LinkTarget(member=member, user=user)
    row.person_name, row.territory, row.households, row.note = name, territory, households, _text(note, "note", 300)
    row.save()
    audit.record("visits.target_set", row, before=before, after=audit.snapshot(row, ("households", "territory")),
                 org_id=holder_id(territory))
    return row


# --- visits -----------------------------------------------------------------------------------------------

def _client_id(value: Any) -> uuid.UUID:
    if value in (None, ""):
        return uuid.uuid4()
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise RuleError(_("the client id is not a UUID"), field="client_id") from None


@transaction.atomic
def visit_record(*, household: Household, day: dt.date | None = None, purpose: str = Purpose.ROUTINE,
                 notes: str = "", members: Sequence[Member] = (), users: Sequence[Any] = (),
                 client_id: Any = None, findings: Iterable[dict[str, Any]] = (),
                 entered_on: dt.date | None = None) -> tuple[Visit, bool]:
    """Record a visit of `household` on `day` (default today) by `members` and `users` (the recording account is
    always one of the visitors), with its findings ({"type", "text"}). Returns (visit, created): a visit whose
    `client_id` is already recorded is given back as it was, and nothing is written. `entered_on` (the day it was
    typed in, when not today) is for the system only: the demo town's history."""
    cid = _client_id(client_id)
    existing = Visit.objects.filter(client_id=cid).first()
    if existing is not None:
        return _same(existing, household), False
    day = _day(day, "day")
    if purpose not in Purpose.values:
        raise RuleError(_("unknown purpose %(p)s") % {"p": purpose}, field="purpose")
    place = place_on(household, day)
    if place is None:
        raise RuleError(_("household %(code)s did not live in the area on %(date)s")
                        % {"code": household.code, "date": day.isoformat()}, field="day")
    require_write_place(place)
    user = _user()
    visitor_users = list({u.pk: u for u in [*users, *([user] if user is not None else [])]}.values())
    visitor_members = list({m.pk: m for m in members}.values())
    if not visitor_users and not visitor_members:
        raise RuleError(_("name who visited"), field="members")
    found = [(str(f.get("type") or ""), _text(f.get("text"), "findings", 1000, required=True)) for f in findings]
    for kind, _t in found:
        if kind not in FindingType.values:
            raise RuleError(_("unknown finding type %(t)s") % {"t": kind}, field="findings")
    if entered_on is not None and not current_scope().unrestricted:
        raise PermissionDeniedError(_("a visit is entered on the day it is sent"))
    entered = entered_on or today()
    if entered < day:
        raise RuleError(_("a visit cannot be entered before it happened"), field="day")
    late = day < entered
    late_at = (timezone.make_aware(dt.datetime.combine(entered, dt.time(20, 0))) if entered_on is not None
               else timezone.now())
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                household=household, territory=place, day=day, purpose=purpose, notes=_text(notes, "notes", 2000),
                client_id=cid, entered_late=late, late_by=user if late else None,
                late_at=late_at if late else None)
    except IntegrityError:  # the same visit sent twice at once: the first one wins
        return _same(Visit.objects.get(client_id=cid), household), False
    visit.visitor_users.set(visitor_users)
    visit.visitor_members.set(visitor_members)
    links = HouseholdLink.objects.on(day).filter(household=household)
    member_ids = {m.pk for m in visitor_members}
    user_ids = {u.pk for u in visitor_users}
    visit.links.set([ln for ln in links if (ln.member_id in member_ids) or (ln.user_id in user_ids)])
    for kind, text in found:
        VisitFinding.objects.create(visit=visit, type=kind, text=text)
    audit.record("visits.visit_record", visit, after={
        **audit.snapshot(visit, VISIT_FIELDS), "client_id": str(cid), "findings": [k for k, _t in found]},
        org_id=holder_id(place, day))
    return visit, True


def _same(visit: Visit, household: Household) -> Visit:
    if visit.household_id != household.pk:
        raise RuleError(_("this client id names another visit"), field="client_id")
    if not current_scope().can_read_place(visit.territory):
        raise PermissionDeniedError(_("you may not see this visit"))
    return visit


@transaction.atomic
def finding_add(visit: Visit, *, type: str, text: str) -> VisitFinding:
    require_write_place(visit.territory)
    if type not in FindingType.values:
        raise RuleError(_("unknown finding type %(t)s") % {"t": type}, field="type")
    finding = VisitFinding.objects.create(visit=visit, type=type, text=_text(text, "text", 1000, required=True))
    audit.record("visits.finding_add", finding, after={"visit": visit.pk, "type": type},
                 org_id=holder_id(visit.territory, visit.day))
    return finding


def _open_finding(finding: VisitFinding) -> VisitFinding:
    locked = (VisitFinding.objects.select_for_update(of=("self",))
              .select_related("visit__household", "visit__territory").get(pk=finding.pk))
    require_write_place(locked.visit.territory)
    if locked.state != FindingState.OPEN:
        raise RuleError(_("this finding was already handled: %(state)s") % {"state": locked.get_state_display()},
                        field="state")
    return locked


@transaction.atomic
def finding_to_opinion(finding: VisitFinding, *, category: Any = None, on: dt.date | None = None) -> VisitFinding:
    """The finding becomes a residents' opinion at the station serving the household's place (channel "visit"),
    in the category chosen (default: the station's first active one), received `on` (default today)."""
    from grassroots.opinions.services import submit_from_visit

    from .selectors import station_for

    finding = _open_finding(finding)
    visit = finding.visit
    station, categories = station_for(visit.territory, visit.day)
    if station is None or not categories:
        raise RuleError(_("no opinions station serves %(place)s") % {"place": visit.territory.name},
                        field="category")
    if category is None:
        category = categories[0]
    elif category not in categories:
        raise RuleError(_("not a category of this station"), field="category")
    household = visit.household
    opinion = submit_from_visit(station, territory=visit.territory, text=f"{finding.get_type_display()}: {finding.text}",
                                category=category, received_on=on, address=household.address_text,
                                submitter_name=household.head_name, submitter_phone=household.phone,
                                visit_ref=visit.ref)
    finding.state, finding.opinion, finding.handled_on = FindingState.OPINION, opinion, opinion.received_on
    finding.save(update_fields=["state", "opinion", "handled_on"])
    audit.record("visits.finding_to_opinion", finding, after={"opinion": opinion.number, "visit": visit.pk},
                 org_id=holder_id(visit.territory, visit.day))
    return finding


@transaction.atomic
def finding_to_wish(finding: VisitFinding, *, category: str = "") -> VisitFinding:
    """The finding becomes a micro-wish collected by the organization holding the household's place on the
    visit's day, dated the visit's day."""
    from grassroots.orgs.selectors import holder_of
    from grassroots.wishes.services import wish_from_visit

    finding = _open_finding(finding)
    visit = finding.visit
    org = holder_of(visit.territory, visit.day)
    if org is None:
        raise RuleError(_("no organization holds %(place)s") % {"place": visit.territory.name}, field="state")
    household = visit.household
    wish = wish_from_visit(org, resident_name=household.head_name, text=finding.text, visited_on=visit.day,
                           resident_phone=household.phone, category=category, place=household.address_text,
                           visit_ref=visit.ref, territory=visit.territory)
    finding.state, finding.wish, finding.handled_on = FindingState.WISH, wish, today()
    finding.save(update_fields=["state", "wish", "handled_on"])
    audit.record("visits.finding_to_wish", finding, after={"wish": wish.number, "visit": visit.pk},
                 org_id=holder_id(visit.territory, visit.day))
    return finding


@transaction.atomic
def finding_handled(finding: VisitFinding, *, note: str, on: dt.date | None = None) -> VisitFinding:
    """The finding was dealt with on the spot (a note says how)."""
    finding = _open_finding(finding)
    finding.state, finding.handled_on = FindingState.HANDLED, _day(on, "on")
    finding.handled_note = _text(note, "note", 300, required=True)
    finding.save(update_fields=["state", "handled_on", "handled_note"])
    audit.record("visits.finding_handled", finding, after={"on": _iso(finding.handled_on)},
                 org_id=holder_id(finding.visit.territory, finding.visit.day))
    return finding
