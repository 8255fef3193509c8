"""Writes to points: proposals from the records, the branch's decisions, manual entries (a deduction among them),
schemes, exemptions, the ranking switch and each member's opt-in.

Each write is one function, in a transaction, permission-checked, audited, and raising `RuleError` naming the
field with nothing written when the request breaks a rule.

- `propose_points(org, year)` asks every module's point source (`core.modules.point_sources()`) for the records
  of the subtree in the year up to today, and proposes one entry per record not proposed before (the evidence key
  is unique: a record never earns twice, and running it again adds nothing). A member exempt on the record's day
  (retired or mobile by the members' data, or exempted by the branch) gets no proposal; an item the scheme in
  force that day does not list (or gives 0 points) is not proposed.
- A proposal counts only once the branch (secretary or organizer) approves it; it may decline it with a reason.
- Nothing is deducted automatically: a deduction is a manual entry by the branch, with a reason, and never for an
  exempt member. The floor holds in the totals (`selectors`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_member, require_write_org
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.modules import PointEvidence, point_sources
from grassroots.core.versions import check_version
from grassroots.members.models import Member, MemberPeriod, Occupation
from grassroots.orgs.models import Organization

from .models import (
    EntryStatus,
    ExemptionReason,
    PointEntry,
    PointExemption,
    PointOptIn,
    PointScheme,
    PointSetting,
)
from .schemes import DEDUCTION, Scheme, SchemeBook, validate_params

ENTRY_FIELDS = ("org", "member", "item", "day", "year", "quantity", "points", "scheme", "evidence_key", "status",
                "manual", "reason")
CENT = Decimal("0.01")


def today() -> dt.date:
    return timezone.localdate()


def _actor_name() -> str:
    actor = current_actor()
    return str(getattr(actor, "username", "") or "system")


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("give the reason"), field=field)
    if len(text) > max_length:
        raise RuleError(_("longer than %(n)d characters") % {"n": max_length}, field=field)
    return text


def _date(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(_("a date is required"), field=field)
    return value


# --- who is exempt -------------------------------------------------------------------------------------------

class Exemptions:
    """Who is exempt on a day, read once for a set of members: by the members' data on the day (a period that
    is mobile, or whose occupation is retired) as far as the scheme exempts them, and by the branch's exemptions."""

    def __init__(self, member_ids: Iterable[int]) -> None:
        ids = sorted(set(member_ids))
        self.periods: dict[int, list[MemberPeriod]] = defaultdict(list)
        for p in MemberPeriod.objects.filter(member_id__in=ids).select_related("org"):
            self.periods[p.member_id].append(p)
        self.recorded: dict[int, list[PointExemption]] = defaultdict(list)
        for e in PointExemption.objects.filter(member_id__in=ids):
            self.recorded[e.member_id].append(e)

    def period_on(self, member_id: int, day: dt.date) -> MemberPeriod | None:
        for p in self.periods.get(member_id, ()):
            if p.start <= day and (p.end is None or p.end > day):
                return p
        return None

    def reason(self, member_id: int, day: dt.date, scheme: Scheme) -> str:
        """Why the member is exempt on `day` ("retired", "mobile", "sick", "other"), or ""."""
        period = self.period_on(member_id, day)
        if period is not None:
            if period.mobile and "mobile" in scheme.exempt:
                return "mobile"
            if period.occupation == Occupation.RETIRED and "retired" in scheme.exempt:
                return "retired"
        for e in self.recorded.get(member_id, ()):
            if e.covers(day) and (e.reason != ExemptionReason.SICK or "sick" in scheme.exempt):
                return str(e.reason)
        return ""


def exemption_reason(member: Member, day: dt.date, scheme: Scheme | None = None) -> str:
    book = Exemptions([member.pk])
    period = book.period_on(member.pk, day)
    if scheme is None:
        scheme = SchemeBook().on(period.org if period else member.org, day)
    return book.reason(member.pk, day, scheme)


# --- proposals -----------------------------------------------------------------------------------------------

def _value(scheme: Scheme, item: str, quantity: Any) -> tuple[Decimal, Decimal] | None:
    """(quantity, points) the scheme gives for the item, or None when the item earns nothing under it."""
    spec = scheme.items.get(item)
    if spec is None or spec.points <= 0:
        return None
    qty = Decimal(str(quantity)).quantize(CENT)
    if qty <= 0:
        return None
    return qty, (qty * spec.points).quantize(CENT)


def gather_evidence(org: Organization, start: dt.date, end: dt.date) -> list[PointEvidence]:
    found: list[PointEvidence] = []
    for _module, fn in point_sources():
        found.extend(fn(org, start, end))
    return found


@transaction.atomic
def propose_points(org: Organization, year: int, *, until: dt.date | None = None) -> list[PointEntry]:
    """Propose the entries the records of `org`'s subtree in `year` (up to `until`, default today) give, each
    once. Returns the entries made (none when run again)."""
    require_write_org(org)
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), until or today())
    if end < start:
        return []
    evidence = [e for e in gather_evidence(org, start, end) if start <= e.day <= end]
    if not evidence:
        return []
    keys = {e.key for e in evidence}
    existing = set(PointEntry.objects.filter(evidence_key__in=keys).values_list("evidence_key", flat=True))
    fresh: dict[str, PointEvidence] = {}
    for e in evidence:
        if e.key not in existing and e.key not in fresh:
            fresh[e.key] = e
    if not fresh:
        return []
    people = Exemptions(e.member_id for e in fresh.values())
    book = SchemeBook()
    subtree = set(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))
    made: list[PointEntry] = []
    for e in sorted(fresh.values(), key=lambda x: (x.day, x.member_id, x.key)):
        period = people.period_on(e.member_id, e.day)
        if period is None or period.org_id not in subtree:
            continue  # not a member of the subtree that day
        scheme = book.on(period.org, e.day)
        if people.reason(e.member_id, e.day, scheme):
            continue
        valued = _value(scheme, e.item, e.quantity)
        if valued is None:
            continue
        quantity, points = valued
        made.append(PointEntry(org_id=period.org_id, member_id=e.member_id, item=e.item, day=e.day, year=e.day.year,
                               quantity=quantity, points=points, scheme=scheme.cite, evidence_key=e.key[:120],
                               text=e.text[:300], url=e.url[:300], status=EntryStatus.PROPOSED))
    actor = current_actor()
    user = actor if getattr(actor, "is_authenticated", False) else None
    for entry in made:
        entry.recorded_by = user
    try:
        with transaction.atomic():
            PointEntry.objects.bulk_create(made)
    except IntegrityError:  # another run proposed the same records a moment ago
        raise RuleError(_("the records are being proposed by someone else right now: try again"),
                        field="year") from None
    by_item: dict[str, int] = defaultdict(int)
    for entry in made:
        by_item[entry.item] += 1
    audit.record("points.propose", org, org_id=org.pk,
                 extra={"year": year, "until": end, "proposed": len(made), "by_item": dict(by_item)})
    return made


# --- decisions ----------------------------------------------------------------------------------------------

def _lock_entry(entry: PointEntry) -> PointEntry:
    return PointEntry.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=entry.pk)


@transaction.atomic
def approve_entry(entry: PointEntry, *, version: Any) -> PointEntry:
    """The branch approves a proposal: it counts from now on."""
    locked = _lock_entry(entry)
    require_write_org(locked.org)
    check_version(locked, version)
    if locked.status != EntryStatus.PROPOSED:
        raise RuleError(_("only a proposal awaiting approval can be approved (this one is %(status)s)")
                        % {"status": locked.get_status_display()}, field="status")
    before = audit.snapshot(locked, ("status",))
    locked.status = EntryStatus.APPROVED
    locked.decided_at = timezone.now()
    locked.decided_by = _actor_name()
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record("points.approve", locked, before=before, after={"status": locked.status}, org_id=locked.org_id)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def decline_entry(entry: PointEntry, *, reason: str, version: Any) -> PointEntry:
    """The branch declines a proposal, with its reason: it never counts (and the record is not proposed again)."""
    locked = _lock_entry(entry)
    require_write_org(locked.org)
    check_version(locked, version)
    reason = _text(reason, "reason", 300, required=True)
    if locked.status != EntryStatus.PROPOSED:
        raise RuleError(_("only a proposal awaiting approval can be declined (this one is %(status)s)")
                        % {"status": locked.get_status_display()}, field="status")
    before = audit.snapshot(locked, ("status", "reason"))
    locked.status = EntryStatus.DECLINED
    locked.reason = reason
    locked.decided_at = timezone.now()
    locked.decided_by = _actor_name()
    locked.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    audit.record("points.decline", locked, before=before, after={"status": locked.status, "reason": reason},
                 org_id=locked.org_id)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def decide_entries(decisions: list[tuple[PointEntry, Any]], *, approve: bool, reason: str = "") -> int:
    """Approve (or decline, with one reason) several proposals at once, each with the version the page showed:
    all or nothing."""
    if not decisions:
        raise RuleError(_("choose at least one proposal"), field="entries")
    if not approve:
        reason = _text(reason, "reason", 300, required=True)
    for entry, version in decisions:
        if approve:
            approve_entry(entry, version=version)
        else:
            decline_entry(entry, reason=reason, version=version)
    return len(decisions)


@transaction.atomic
def approve_all_proposals(org: Organization, *, year: int, until: dt.date) -> int:
    """The branch approves at once every proposal of `year` in its subtree dated up to `until` (the queue's
    "approve all"): one update, one audit entry per proposal. Returns how many."""
    require_write_org(org)
    qs = PointEntry.objects.select_for_update(of=("self",)).filter(
        org__path__startswith=org.path, year=year, status=EntryStatus.PROPOSED, day__lte=until)
    entries = list(qs.order_by("day", "id"))
    if not entries:
        return 0
    with audit.batch():
        for entry in entries:
            audit.record("points.approve", entry, before={"status": EntryStatus.PROPOSED},
                         after={"status": EntryStatus.APPROVED}, org_id=entry.org_id)
    PointEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        status=EntryStatus.APPROVED, decided_at=timezone.now(), decided_by=_actor_name(), version=F("version") + 1)
    return len(entries)


# --- manual entries ------------------------------------------------------------------------------------------

def member_org_on(member: Member, day: dt.date) -> Organization | None:
    period = MemberPeriod.objects.filter(member=member).on(day).select_related("org").first()
    return period.org if period is not None else None


def check_manual(member: Member, *, item: str, day: Any, points: Any, reason: Any,
                 book: SchemeBook | None = None) -> tuple[Organization, Scheme, Decimal, str]:
    """What a manual entry would be (the organization, the scheme, the points, the reason), or RuleError."""
    day = _date(day, "day")
    if day > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": day}, field="day")
    reason = _text(reason, "reason", 300, required=True)
    org = member_org_on(member, day)
    if org is None:
        raise RuleError(_("%(name)s was not a member of an organization on %(date)s") % {"name": member.name,
                                                                                        "date": day}, field="day")
    scheme = (book or SchemeBook()).on(org, day)
    spec = scheme.items.get(item)
    if spec is None or not spec.manual:
        raise RuleError(_("%(item)s is not a manual item of the scheme in force on %(date)s")
                        % {"item": str(item)[:60], "date": day}, field="item")
    if isinstance(points, float | bool):
        raise RuleError(_("give the points as a decimal number"), field="points")
    try:
        value = Decimal(str(points).strip()) if points not in (None, "") else spec.points
    except ArithmeticError:
        raise RuleError(_("%(value)s is not a number") % {"value": str(points)[:40]}, field="points") from None
    if not value.is_finite() or value != value.quantize(CENT) or abs(value) >= Decimal("1000"):
        raise RuleError(_("%(value)s is not a number of points") % {"value": str(points)[:40]}, field="points")
    if value == 0:
        raise RuleError(_("the points must not be zero"), field="points")
    if item == DEDUCTION and value > 0:
        value = -value  # a deduction is given as how many points are taken
    if item != DEDUCTION and value < 0:
        raise RuleError(_("only a deduction takes points away"), field="points")
    if value < 0:
        why = Exemptions([member.pk]).reason(member.pk, day, scheme)
        if why:
            raise RuleError(_("%(name)s is exempt from points on %(date)s: no deduction")
                            % {"name": member.name, "date": day}, field="member")
    return org, scheme, value.quantize(CENT), reason


@transaction.atomic
def give_points(member: Member, *, item: str, day: Any, points: Any = None, reason: str) -> PointEntry:
    """The branch gives a member points by hand (a manual item of the scheme, e.g. 先锋模范), or takes some
    (`manual.deduction`), always with a reason. It is the branch's own decision, so it counts at once."""
    require_write_member(member)
    org, scheme, value, reason = check_manual(member, item=item, day=day, points=points, reason=reason)
    require_write_org(org)
    entry = PointEntry.objects.create(
        org=org, member=member, item=item, day=day, year=day.year, quantity=Decimal(1), points=value,
        scheme=scheme.cite, text=reason, status=EntryStatus.APPROVED, manual=True, reason=reason,
        decided_at=timezone.now(), decided_by=_actor_name())
    audit.record("points.give", entry, after=audit.snapshot(entry, ENTRY_FIELDS), org_id=org.pk)
    return entry


# --- schemes -------------------------------------------------------------------------------------------------

@transaction.atomic
def set_scheme(org: Organization, *, effective_from: Any, params: Any, note: str = "",
               version: Any = None) -> PointScheme:
    """Set `org`'s scheme from `effective_from` on (its subtree's, where no nearer organization has one). The
    scheme of the same day is replaced (with the version the form showed); entries already proposed keep the
    values they were given."""
    require_write_org(org)
    effective_from = _date(effective_from, "effective_from")
    clean = validate_params(params)
    note = _text(note, "note", 300)
    existing = PointScheme.objects.select_for_update().filter(org=org, effective_from=effective_from).first()
    if existing is not None:
        check_version(existing, version)
        before = audit.snapshot(existing, ("params", "note"))
        existing.params, existing.note = clean, note
        existing.save()
        audit.record("points.scheme.update", existing, before=before, after={"params": clean, "note": note},
                     org_id=org.pk)
        existing.refresh_from_db()
        return existing
    scheme = PointScheme.objects.create(org=org, effective_from=effective_from, params=clean, note=note)
    audit.record("points.scheme.create", scheme,
                 after=audit.snapshot(scheme, ("org", "effective_from", "params", "note")), org_id=org.pk)
    return scheme


# --- the ranking: off unless the branch turns it on; only members who opted in ------------------------------

def setting_of(org: Organization) -> PointSetting:
    return PointSetting.objects.filter(org=org).first() or PointSetting(org=org)


@transaction.atomic
def set_ranking(org: Organization, *, enabled: bool, version: Any = None) -> PointSetting:
    """Turn the organization's ranking page on or off (audited)."""
    require_write_org(org)
    if not isinstance(enabled, bool):
        raise RuleError(_("say on or off"), field="enabled")
    setting = PointSetting.objects.select_for_update().filter(org=org).first()
    if setting is None:
        setting = PointSetting.objects.create(org=org, ranking_enabled=enabled)
        audit.record("points.ranking", setting, after={"ranking_enabled": enabled}, org_id=org.pk)
        return setting
    check_version(setting, version)
    before = audit.snapshot(setting, ("ranking_enabled",))
    setting.ranking_enabled = enabled
    setting.save()
    audit.record("points.ranking", setting, before=before, after={"ranking_enabled": enabled}, org_id=org.pk)
    setting.refresh_from_db()
    return setting


def can_set_opt_in(member: Member) -> bool:
    scope = current_scope()
    return member.pk in scope.own_member_ids or scope.can_write_member(member)


@transaction.atomic
def set_opt_in(member: Member, *, opted_in: bool) -> PointOptIn:
    """The member (or the secretary on their behalf) chooses whether they appear on a ranking page."""
    if not can_set_opt_in(member):
        raise PermissionDeniedError(_("you may not change %(name)s") % {"name": member.name})
    if not isinstance(opted_in, bool):
        raise RuleError(_("say yes or no"), field="opted_in")
    row, _created = PointOptIn.objects.select_for_update().get_or_create(member=member)
    before = {"opted_in": row.opted_in}
    row.opted_in = opted_in
    row.save()
    audit.record("points.opt_in", member, before=before, after={"opted_in": opted_in},
                 object_type="members.member", object_id=member.pk,
                 org_id=member.org_id)
    return row


# --- exemptions ----------------------------------------------------------------------------------------------

EXEMPTION_FIELDS = ("org", "member", "reason", "start", "end", "note")


@transaction.atomic
def record_exemption(member: Member, *, reason: str, start: Any, end: Any = None, note: str = "") -> PointExemption:
    """The branch exempts a member from points (sick, or another reason it decided) from `start` to `end`."""
    require_write_member(member)
    if reason not in ExemptionReason.values:
        raise RuleError(_("choose sick or another reason"), field="reason")
    start = _date(start, "start")
    if end is not None:
        end = _date(end, "end")
        if end < start:
            raise RuleError(_("the end is before the start"), field="end")
    note = _text(note, "note", 300, required=reason == ExemptionReason.OTHER)
    if member.org is None:
        raise RuleError(_("%(name)s belongs to no organization") % {"name": member.name}, field="member")
    exemption = PointExemption.objects.create(org=member.org, member=member, reason=reason, start=start, end=end,
                                              note=note)
    audit.record("points.exempt", exemption, after=audit.snapshot(exemption, EXEMPTION_FIELDS),
                 org_id=member.org_id)
    return exemption


@transaction.atomic
def end_exemption(exemption: PointExemption, *, end: Any) -> PointExemption:
    locked = PointExemption.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=exemption.pk)
    require_write_org(locked.org)
    end = _date(end, "end")
    if end < locked.start:
        raise RuleError(_("the end is before the start"), field="end")
    before = audit.snapshot(locked, ("end",))
    locked.end = end
    locked.save(update_fields=["end"])
    audit.record("points.exempt.end", locked, before=before, after=audit.snapshot(locked, ("end",)),
                 org_id=locked.org_id)
    return locked
