"""Writes to members: each a named function, in one transaction, checked, audited."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_reveal, require_write_member, require_write_org
from grassroots.core import audit, idnumber
from grassroots.core.bulk import insert as insert_many
from grassroots.core.bulk import new, uses_copy
from grassroots.core.context import current_actor
from grassroots.core.dates import add_years
from grassroots.core.errors import RuleError
from grassroots.core.versions import check_version
from grassroots.orgs.models import Organization, OrgKind

from . import rollups
from .lifecycle import Ev, replay
from .models import Education, EventKind, Member, MemberEvent, MemberPeriod, Occupation, Sex, Status
from .selectors import members_of_on

MEMBER_FIELDS = ("name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "occupation",
                 "status", "standing", "joined_on", "converted_on", "org", "party_group", "mobile")
STATIC_FIELDS = ("name", "sex", "ethnicity", "birth_date", "id_number", "phone", "party_group")
DATED_FIELDS = ("education", "occupation")
_SEX_CODES, _EDUCATION_CODES = frozenset(Sex.values), frozenset(Education.values)  # (`.values` builds a list)
_OCCUPATION_CODES, _STATUS_CODES = frozenset(Occupation.values), frozenset(Status.values)
MEMBER_ORG_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE)


def _snapshot(member: Member) -> dict[str, Any]:
    snap = audit.snapshot(member, MEMBER_FIELDS)
    snap["id_number"] = idnumber.mask(member.id_number)  # the log never holds the full number
    snap["phone"] = idnumber.mask_phone(member.phone)
    return snap


def _today() -> dt.date:
    kept = _bulk.get()
    return kept.today if kept is not None else timezone.localdate()  # (a bulk's rows: read once)


def _evs(events: list[MemberEvent]) -> list[Ev]:
    return [Ev(e.kind, e.date, e.org_id, e.details) for e in events]


def rebuild_periods(member: Member) -> None:
    """Recompute the member's periods and cached fields from all of its events."""
    events = list(member.events.order_by("date", "id"))
    periods = _replayed(member, events)
    removed = list(MemberPeriod.objects.filter(member=member))
    for p in removed:
        p.member = member  # what the rollups read of the member, without reading it again
    MemberPeriod.objects.filter(member=member).delete()
    MemberPeriod.objects.bulk_create(periods)
    rollups.periods_replaced(removed, periods)
    member.save(update_fields=["standing", "joined_on", "converted_on", "status", "mobile", "education",
                               "occupation", "org", "updated_at"])


def _replayed(member: Member, events: list[MemberEvent]) -> list[MemberPeriod]:
    """The member's periods from its events (in date order), its cached fields set from them (not saved)."""
    outcome = replay(_evs(events))
    periods = [  # (a new member's id is None: its periods take it once it is saved)
        new(MemberPeriod, member_id=member.pk, org_id=s.state.org_id, start=s.start, end=s.end,
            status=s.state.status, mobile=s.state.mobile, suspended=s.state.suspended, education=s.state.education,
            occupation=s.state.occupation)
        for s in outcome.spans
    ]
    last = outcome.spans[-1].state if outcome.spans else None
    member.standing = outcome.standing
    member.joined_on = outcome.joined_on or member.joined_on
    member.converted_on = outcome.converted_on
    if last is not None:
        member.status = last.status
        member.mobile = last.mobile if outcome.final is not None else False
        member.education = last.education
        member.occupation = last.occupation
    member.org_id = outcome.final.org_id if outcome.final is not None else None
    return periods


def new_member_periods(member: Member, *, first_status: str) -> list[MemberPeriod]:
    """The periods of a new member whose only events are its joining (with `first_status`) and, when
    `member.converted_on` is set, its conversion (after the joining: `_check_join`): what `_replayed` gives for
    those events, without the general replay (an import builds 100,000 of them). The member's cached fields are
    already what the replay would set (active, not mobile, its status, org, education and occupation)."""
    org_id, joined, converted = member.org_id, member.joined_on, member.converted_on
    education, occupation = member.education, member.occupation
    if converted is None:
        return [new(MemberPeriod, member_id=member.pk, org_id=org_id, start=joined, end=None, status=first_status,
                    mobile=False, suspended=False, education=education, occupation=occupation)]
    return [new(MemberPeriod, member_id=member.pk, org_id=org_id, start=joined, end=converted,
                status=Status.PROBATIONARY, mobile=False, suspended=False, education=education,
                occupation=occupation),
            new(MemberPeriod, member_id=member.pk, org_id=org_id, start=converted, end=None, status=Status.FULL,
                mobile=False, suspended=False, education=education, occupation=occupation)]


def _check_member_org(org: Organization | None, field: str = "org", on: dt.date | None = None) -> Organization:
    if org is None:
        raise RuleError(_("an organization is required"), field=field)
    if org.kind not in MEMBER_ORG_KINDS:
        raise RuleError(_("members belong to a branch or committee, not a %(kind)s") % {"kind": org.get_kind_display()},
                        field=field)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field=field)
    if on is not None and on < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(founded)s, after %(date)s")
                        % {"org": org, "founded": org.founded_on, "date": on}, field=field)
    return org


def validate_person(*, name: str, sex: str, ethnicity: str, birth_date: dt.date | None, id_number: str,
                    education: str, occupation: str, exclude_pk: int | None = None) -> str:
    """Check a person's fixed attributes; return the normalized ID number."""
    if not (name or "").strip():
        raise RuleError(_("a name is required"), field="name")
    if sex not in _SEX_CODES:
        raise RuleError(_("sex must be male or female"), field="sex")
    if not (ethnicity or "").strip():
        raise RuleError(_("an ethnicity is required"), field="ethnicity")
    try:
        number = idnumber.validate(id_number)
    except idnumber.IDNumberError as exc:
        raise RuleError(_("ID number %(reason)s") % {"reason": exc}, field="id_number") from exc
    if birth_date is None:
        raise RuleError(_("a birth date is required"), field="birth_date")
    if birth_date != idnumber.birth_date(number):
        raise RuleError(_("birth date %(date)s does not match the ID number") % {"date": birth_date}, field="birth_date")
    if birth_date > _today():
        raise RuleError(_("the birth date is in the future"), field="birth_date")
    if education not in _EDUCATION_CODES:
        raise RuleError(_("unknown education %(v)s") % {"v": education}, field="education")
    if occupation not in _OCCUPATION_CODES:
        raise RuleError(_("unknown occupation %(v)s") % {"v": occupation}, field="occupation")
    if _id_taken(number, exclude_pk):
        held = Member.objects.filter(id_number=number).select_related("org")
        holder = (held.exclude(pk=exclude_pk) if exclude_pk is not None else held).first()
        if holder is not None and not current_scope().can_read_member(holder):
            raise HiddenIDNumberError(number)
        raise RuleError(_("the ID number is already held by another member"), field="id_number")
    return number


def id_number_refused_message() -> str:
    """What a user is told of an ID number held by a member they may not read: the same whoever holds it and
    wherever, so that it does not say whether the person is a Party member elsewhere."""
    return _("this ID number cannot be used here; ask the organizer of the committee above")


class HiddenIDNumberError(RuleError):
    """An ID number held by a member outside the user's scope: said neutrally (`id_number_refused_message`);
    `member_create` and `member_update` log the attempt (`record_duplicate_id_attempt`) once their own writes are
    undone."""

    def __init__(self, number: str) -> None:
        super().__init__(id_number_refused_message(), field="id_number")
        self.masked = idnumber.mask(number)


def record_duplicate_id_attempt(number: str, org: Organization | None) -> None:
    """Log that the acting user gave an ID number held by a member they may not read (the number masked, the
    user as the entry's actor), under the organization above `org`: its organizer sees the attempt, the user's
    own organization does not (its audit log would otherwise say what the message does not)."""
    above = org.get_parent() if org is not None else None
    target = above or org
    masked = idnumber.mask(number)
    with transaction.atomic():
        audit.record("member.duplicate_id_attempt", object_type="members.member", object_repr=masked,
                     org_id=target.pk if target is not None else None,
                     extra={"id_number": masked, "org": org.pk if org is not None else None})


def _id_taken(number: str, exclude_pk: int | None) -> bool:
    bulk = _bulk.get()
    if bulk is not None and exclude_pk is None:
        if number in bulk.numbers:  # kept, not yet written
            return True
        if number in bulk.looked_up:  # read with the others when the bulk began
            return number in bulk.taken
    dup = Member.objects.filter(id_number=number)
    if exclude_pk is not None:
        dup = dup.exclude(pk=exclude_pk)
    return dup.exists()


def _check_join(birth_date: dt.date, joined_on: dt.date, converted_on: dt.date | None, status: str) -> None:
    today = _today()
    if joined_on > today:
        raise RuleError(_("the joining date %(date)s is in the future") % {"date": joined_on}, field="joined_on")
    eighteen = add_years(birth_date, 18)
    if joined_on < eighteen:
        raise RuleError(_("joined on %(date)s, before turning 18") % {"date": joined_on}, field="joined_on")
    if status not in _STATUS_CODES:
        raise RuleError(_("unknown status %(s)s") % {"s": status}, field="status")
    if converted_on is not None:
        if status != Status.FULL:
            raise RuleError(_("a probationary member has no conversion date"), field="converted_on")
        if converted_on <= joined_on:
            raise RuleError(_("conversion %(c)s is not after joining %(j)s") % {"c": converted_on, "j": joined_on},
                            field="converted_on")
        if converted_on > today:
            raise RuleError(_("the conversion date %(date)s is in the future") % {"date": converted_on},
                            field="converted_on")


def member_create(
    *, name: str, sex: str, birth_date: dt.date, id_number: str, education: str, occupation: str,
    org: Organization, joined_on: dt.date, status: str = Status.PROBATIONARY, converted_on: dt.date | None = None,
    ethnicity: str = "汉族", phone: str = "", party_group: Organization | None = None,
) -> Member:
    """Put a member on the roster: joined on `joined_on` (converted on `converted_on` when given). An ID number
    held by a member the user may not read is refused neutrally and the attempt logged (after the refused
    write is undone, so that the entry stays)."""
    kwargs = dict(name=name, sex=sex, birth_date=birth_date, id_number=id_number, education=education,
                  occupation=occupation, org=org, joined_on=joined_on, status=status, converted_on=converted_on,
                  ethnicity=ethnicity, phone=phone, party_group=party_group)
    try:
        if _bulk.get() is not None:  # nothing is written until the bulk flushes: no savepoint a member
            return _member_build(**kwargs)  # type: ignore[arg-type]
        with transaction.atomic():
            return _member_build(**kwargs)  # type: ignore[arg-type]
    except HiddenIDNumberError:
        record_duplicate_id_attempt(idnumber.normalize(id_number), org)
        raise


def _member_build(
    *, name: str, sex: str, birth_date: dt.date, id_number: str, education: str, occupation: str,
    org: Organization, joined_on: dt.date, status: str, converted_on: dt.date | None, ethnicity: str, phone: str,
    party_group: Organization | None,
) -> Member:
    # Not checked against the org's founding date: a member who joined the Party in 1965 elsewhere now belongs
    # to a branch founded in 2000. Before the branch existed the member is in no subtree of the tree as it
    # stood then, so as-of figures simply do not count them there (where they were is not on record).
    _check_member_org(org)
    require_write_org(org)
    number = validate_person(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, id_number=id_number,
                             education=education, occupation=occupation)
    _check_join(birth_date, joined_on, converted_on, status)
    if party_group is not None and not (party_group.kind == OrgKind.PARTY_GROUP and party_group.path.startswith(org.path)):
        raise RuleError(_("the party group must be under the member's organization"), field="party_group")
    member = new(
        Member, name=name.strip(), sex=sex, ethnicity=ethnicity.strip(), birth_date=birth_date, id_number=number,
        phone=(phone or "").strip(), education=education, occupation=occupation, status=status,
        joined_on=joined_on, converted_on=converted_on, org_id=org.pk,
        party_group_id=party_group.pk if party_group is not None else None,
    )
    _ORG.set_cached_value(member, org)
    _PARTY_GROUP.set_cached_value(member, party_group)
    first_status = Status.PROBATIONARY if converted_on is not None else status
    actor = current_actor()
    recorded_by = actor.pk if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    events = [new(MemberEvent, kind=EventKind.JOINED, date=joined_on, org_id=org.pk, recorded_by_id=recorded_by,
                  details={"status": first_status, "education": education, "occupation": occupation})]
    if converted_on is not None:
        events.append(new(MemberEvent, kind=EventKind.CONVERTED, date=converted_on, recorded_by_id=recorded_by))
    # A new member's events are these two at most: its periods follow from them directly (`new_member_periods`,
    # what the replay gives, property-tested against it), its cached fields are the ones just set.
    periods = new_member_periods(member, first_status=first_status)
    bulk = _bulk.get()
    if bulk is not None:  # kept; written with others, in a savepoint of their own
        bulk.add(member, events, periods)
    else:
        member.save(force_insert=True)
        _belong(member, events, periods)
        MemberEvent.objects.bulk_create(events)
        MemberPeriod.objects.bulk_create(periods)
        rollups.periods_replaced((), periods)
    audit.record("member.create", member, after=_snapshot(member), org_id=org.id)
    return member


_ORG, _PARTY_GROUP = Member._meta.get_field("org"), Member._meta.get_field("party_group")
_PERIOD_MEMBER = MemberPeriod._meta.get_field("member")


def _belong(member: Member, events: list[MemberEvent], periods: list[MemberPeriod]) -> None:
    """A new member's events and periods take its id once it has one."""
    for obj in (*events, *periods):
        obj.member_id = member.pk  # type: ignore[attr-defined]


class _Bulk:
    """New members kept by `creating_in_bulk`, with their events and periods, until written together."""

    def __init__(self, size: int, expected: Iterable[str], taken: Iterable[str] | None = None) -> None:
        self.size = size
        self.today = timezone.localdate()
        self.numbers: set[str] = set()  # of the members kept or written here
        # The ID numbers of the members to come, looked up together: which of them the roster already holds.
        self.looked_up = {idnumber.normalize(n) for n in expected}
        if taken is not None:  # looked up by the caller, in this transaction
            self.taken = {idnumber.normalize(n) for n in taken}
        else:
            self.taken = set()
            wanted = sorted(self.looked_up)
            for start in range(0, len(wanted), LOOKUP_BATCH):
                self.taken.update(Member.objects.filter(id_number__in=wanted[start:start + LOOKUP_BATCH])
                                  .values_list("id_number", flat=True))
        self.members: list[Member] = []
        self.events: list[list[MemberEvent]] = []
        self.periods: list[list[MemberPeriod]] = []
        self.rollups = rollups.Changes()  # every batch's deltas, summed, written once at the end (`finish`)

    def add(self, member: Member, events: list[MemberEvent], periods: list[MemberPeriod]) -> None:
        self.numbers.add(member.id_number)
        self.members.append(member)
        self.events.append(events)
        self.periods.append(periods)
        if len(self.members) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Write the kept members, then their events and periods (COPY on PostgreSQL), in a savepoint: when the
        database refuses the batch, the members are tried one by one to find the one it refuses, whose ID
        number the error then carries (`id_number`: an importer names its row)."""
        if not self.members:
            return
        members, events, periods = self.members, self.events, self.periods
        self.members, self.events, self.periods = [], [], []
        try:
            with transaction.atomic():
                self._write(members, events, periods)
        except DatabaseError as exc:
            raise self._culprit(members, events, periods) or exc from exc

    def finish(self) -> None:
        """Write what is kept, then the rollups' deltas of every batch, summed by node and day."""
        self.flush()
        self.rollups.write()

    def _write(self, members: list[Member], events_of: list[list[MemberEvent]],
               periods_of: list[list[MemberPeriod]]) -> None:
        if uses_copy() or connection.features.can_return_rows_from_bulk_insert:
            insert_many(Member, members)  # sets their ids, which their events and periods then take
        else:  # (SQLite before 3.35)
            for member in members:
                member.save(force_insert=True)
        for member, evs, ps in zip(members, events_of, periods_of, strict=True):
            _belong(member, evs, ps)
            for p in ps:  # the rollups read the member's sex, ethnicity and birth date from it, not the table
                _PERIOD_MEMBER.set_cached_value(p, member)
        events = [e for evs in events_of for e in evs]
        periods = [p for ps in periods_of for p in ps]
        insert_many(MemberEvent, events, ids=False, prepared=True)
        insert_many(MemberPeriod, periods, ids=False, prepared=True)
        rollups.periods_replaced((), periods, into=self.rollups)

    def _culprit(self, members: list[Member], events: list[list[MemberEvent]],
                 periods: list[list[MemberPeriod]]) -> DatabaseError | None:
        for member, evs, ps in zip(members, events, periods, strict=True):
            member.pk = None
            member._state.adding = True
            for obj in (*evs, *ps):
                obj.member_id = None  # type: ignore[attr-defined]
        for member, evs, ps in zip(members, events, periods, strict=True):
            try:
                with transaction.atomic():
                    member.save(force_insert=True)
                    _belong(member, evs, ps)
                    for obj in (*evs, *ps):
                        obj.save(force_insert=True)
            except DatabaseError as exc:
                exc.id_number = member.id_number  # type: ignore[attr-defined]
                return exc
        return None


LOOKUP_BATCH = 2000  # ID numbers per query


_bulk: contextvars.ContextVar[_Bulk | None] = contextvars.ContextVar("grassroots_members_bulk", default=None)


@contextlib.contextmanager
def creating_in_bulk(size: int = 5000, expected: Iterable[str] = (), taken: Iterable[str] | None = None
                     ) -> Iterator[None]:
    """Inside (and inside a transaction), `member_create` checks each member as always but writes the new members,
    their events and periods `size` at a time, in a few inserts, and the rest on leaving without an error (an error
    undoes the caller's transaction). A member it returned has its id once written. `expected`: the ID numbers of
    the members to come, whether any is already held looked up together on entering rather than one by one;
    `taken`, when the caller looked them up itself in this transaction: those of them the roster holds. A member
    is not written in a savepoint of its own (its batch is): an error inside must undo the caller's transaction.
    For an import of many rows; use it inside `audit.batch()`, whose entries take the members' ids when it ends."""
    if _bulk.get() is not None:
        yield
        return
    bulk = _Bulk(size, expected, taken)
    token = _bulk.set(bulk)
    try:
        yield
        bulk.finish()
    finally:
        _bulk.reset(token)


def member_update(member: Member, *, on: dt.date | None = None, version: int | None = None,
                  **changes: Any) -> Member:
    """Change a member's attributes. Education and occupation change from `on` (default today) through an
    `updated` event, so that as-of statistics see the value in force then; the rest are corrections.
    `version`: the record's version the page or client read; refused (StaleVersionError) when the record changed
    since, naming who changed what. None (an import, which reads and writes in one go) checks nothing.
    A new ID number held by a member the user may not read is refused neutrally and the attempt logged (after the
    refused change is undone and the row's lock released, so that the entry stays), as `member_create` does."""
    try:
        return _member_update(member, on=on, version=version, **changes)
    except HiddenIDNumberError:
        record_duplicate_id_attempt(idnumber.normalize(changes.get("id_number") or member.id_number), member.org)
        raise


@transaction.atomic
def _member_update(member: Member, *, on: dt.date | None, version: int | None, **changes: Any) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_write_member(member)
    check_version(member, version)
    unknown = set(changes) - set(STATIC_FIELDS) - set(DATED_FIELDS)
    if unknown:
        raise RuleError(_("these fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = _snapshot(member)
    person = rollups.person_of(member)
    merged = {f: changes.get(f, getattr(member, f)) for f in ("name", "sex", "ethnicity", "birth_date", "id_number",
                                                              "education", "occupation")}
    number = validate_person(**merged, exclude_pk=member.pk)
    for f in STATIC_FIELDS:
        if f in changes:
            setattr(member, f, number if f == "id_number" else changes[f])
    if "party_group" in changes and changes["party_group"] is not None:
        pg = changes["party_group"]
        if pg.kind != OrgKind.PARTY_GROUP or member.org is None or not pg.path.startswith(member.org.path):
            raise RuleError(_("the party group must be under the member's organization"), field="party_group")
    member.save()
    rollups.member_changed(member, person)  # sex, ethnicity or birth date: the figures its periods count in
    dated = {f: changes[f] for f in DATED_FIELDS if f in changes and changes[f] != getattr(member, f)}
    if dated:
        _add_event(member, EventKind.UPDATED, on or _today(), details=dated)
    member.refresh_from_db()
    audit.record("member.update", member, before=before, after=_snapshot(member), org_id=member.org_id)
    return member


def _add_event(member: Member, kind: str, on: dt.date, *, org: Organization | None = None,
               details: dict[str, Any] | None = None, note: str = "") -> MemberEvent:
    if on > _today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="date")
    existing = list(member.events.order_by("date", "id"))
    if existing and on < existing[-1].date:
        raise RuleError(_("%(name)s has an event dated %(last)s; record events in date order (this one is %(date)s)")
                        % {"name": member.name, "last": existing[-1].date, "date": on}, field="date")
    ev = MemberEvent(member=member, kind=kind, date=on, org=org, details=details or {}, note=note)
    replay(_evs(existing) + [Ev(kind, on, org.pk if org else None, details)])  # raises if the event cannot happen
    ev.save()
    rebuild_periods(member)
    return ev


@transaction.atomic
def member_record_event(member: Member, *, kind: str, on: dt.date, org: Organization | None = None,
                        details: dict[str, Any] | None = None, note: str = "") -> MemberEvent:
    """Record a dated event (converted, transfer in/out, mobile out/back, suspended, removed, died, ...)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if kind not in EventKind.values or kind == EventKind.JOINED:
        raise RuleError(_("unknown event %(kind)s") % {"kind": kind}, field="kind")
    if member.org_id is not None:
        require_write_member(member)
    if org is not None:
        _check_member_org(org, on=on)
        require_write_org(org)
    before = _snapshot(member)
    if kind == EventKind.TRANSFERRED_IN:
        # Coming back keeps what is known of the member unless the caller says otherwise: without this the
        # replay would start the new period with no education or occupation, and always as a full member.
        details = {"status": member.status, "education": member.education, "occupation": member.occupation,
                   **(details or {})}
    ev = _add_event(member, kind, on, org=org, details=details, note=note)
    member.refresh_from_db()
    audit.record(f"member.{kind}", member, before=before, after=_snapshot(member),
                 org_id=member.org_id or (org.pk if org else before.get("org")),
                 extra={"date": on, "note": note, **idnumber.mask_personal(details or {})})  # a contact masked
    return ev


def member_reassign(member: Member, *, to_org: Organization, on: dt.date, reason: str) -> MemberEvent:
    """Move a member to another organization inside the tree (used by merge, split and revoke)."""
    return member_record_event(member, kind=EventKind.TRANSFERRED, on=on, org=to_org, details={"reason": reason})


# The roster the organization tree's services use (registered in MembersConfig.ready as an `orgs.services.Roster`).
def member_ids_on(org: Organization, on: dt.date) -> list[int]:
    """The ids of org's own members on `on` (by name), whom revoking, merging or splitting org must move."""
    return list(members_of_on(org, on).values_list("pk", flat=True))


def member_reassign_by_id(member_id: int, to_org: Organization, on: dt.date, reason: str) -> None:
    member_reassign(Member.objects.get(pk=member_id), to_org=to_org, on=on, reason=reason)


@transaction.atomic
def member_reveal(member: Member, *, field: str) -> str:
    """Return the full ID number or phone, and log that it was shown to the acting user."""
    if field not in ("id_number", "phone"):
        raise RuleError(_("only the ID number and the phone can be revealed"), field="field")
    require_reveal(member)
    audit.record(f"member.reveal_{field}", member, org_id=member.org_id)
    return str(getattr(member, field))
