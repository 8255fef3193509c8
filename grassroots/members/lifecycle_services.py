"""The member lifecycle between joining and leaving: going mobile and coming back, suspension on lost contact and
removal. (In-service members reporting to the community where they live: `grassroots.inservice`.)

Suspension and removal are always decisions recorded by people (the meeting, the approval): no function here
suspends or removes anyone on its own, and the rules only say when a decision may be recorded (judged by the
version of `lifecycle.*` in force on the decision's date, see grassroots/rules/data/lifecycle.json).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_member
from grassroots.core.dates import add_months
from grassroots.core.errors import RuleError
from grassroots.rules.registry import in_force

from . import services
from .models import EventKind, Member, MemberEvent, TransferState

REMOVAL_REASONS = ("self_withdrawal", "persuaded", "expelled")


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RuleError(_("this is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("at most %(n)s characters") % {"n": max_length}, field=field)
    return text


def _check_day(on: dt.date | None, field: str = "on") -> dt.date:
    if on is None:
        raise RuleError(_("a date is required"), field=field)
    if on > _today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field=field)
    return on


# --- mobile members ---------------------------------------------------------------------------------------

@transaction.atomic
def mobile_out(member: Member, *, on: dt.date, destination: str, contact: str = "") -> MemberEvent:
    """The member goes away (6 months or more, without transferring): the home branch keeps contact."""
    _check_day(on)
    details = {"destination": _text(destination, "destination", 200, required=True),
               "contact": _text(contact, "contact", 100)}
    return services.member_record_event(member, kind=EventKind.MOBILE_OUT, on=on, details=details)


@transaction.atomic
def mobile_back(member: Member, *, on: dt.date) -> MemberEvent:
    """The member is back from being mobile."""
    _check_day(on)
    went = member.events.filter(kind=EventKind.MOBILE_OUT).order_by("-date", "-id").first()
    details = {"away_since": went.date.isoformat(), "destination": went.details.get("destination", "")} if went else {}
    return services.member_record_event(member, kind=EventKind.MOBILE_BACK, on=on, details=details)


def mobile_report_due(member: Member, *, last_contact: dt.date) -> dt.date:
    """When a mobile member's next report to the home branch is due, by the rule in force on `last_contact`."""
    rule = in_force("lifecycle.mobile_report", last_contact)
    return add_months(last_contact, 12 * int(rule["years"]))


# --- suspension and removal -------------------------------------------------------------------------------

def suspension_allowed_from(lost_contact_since: dt.date, on: dt.date) -> dt.date:
    """The first day a suspension may be decided for contact lost since `lost_contact_since`."""
    rule = in_force("lifecycle.lost_contact_suspend", on)
    return add_months(lost_contact_since, int(rule["months"]))


def removal_allowed_from(suspended_on: dt.date) -> dt.date:
    """The first day a member suspended on `suspended_on`, still out of contact, may be removed."""
    rule = in_force("lifecycle.lost_contact_remove", suspended_on)
    return add_months(suspended_on, 12 * int(rule["years"]))


@transaction.atomic
def suspend(member: Member, *, on: dt.date, lost_contact_since: dt.date, decision: str) -> MemberEvent:
    """Record the decision to suspend a member who lost contact (at least the rule's months before `on`)."""
    require_write_member(member)
    _check_day(on)
    decision = _text(decision, "decision", 250, required=True)
    if lost_contact_since is None:
        raise RuleError(_("a date is required"), field="lost_contact_since")
    if lost_contact_since > on:
        raise RuleError(_("contact cannot be lost after the decision date"), field="lost_contact_since")
    rule = in_force("lifecycle.lost_contact_suspend", on)
    allowed = suspension_allowed_from(lost_contact_since, on)
    if on < allowed:
        raise RuleError(_("contact lost since %(since)s: a suspension may be decided from %(allowed)s (%(months)s "
                          "months, %(rule)s)") % {"since": lost_contact_since, "allowed": allowed,
                                                  "months": rule["months"], "rule": rule.cite},
                        field="lost_contact_since")
    details = {"lost_contact_since": lost_contact_since.isoformat(), "decision": decision, "rule": rule.cite}
    return services.member_record_event(member, kind=EventKind.SUSPENDED, on=on, details=details, note=decision)


@transaction.atomic
def restore(member: Member, *, on: dt.date, note: str) -> MemberEvent:
    """Contact restored: the suspension ends (`note` says how contact came back)."""
    require_write_member(member)
    _check_day(on)
    note = _text(note, "note", 300, required=True)
    return services.member_record_event(member, kind=EventKind.RESTORED, on=on, note=note)


@transaction.atomic
def remove(member: Member, *, on: dt.date, reason: str, decision: str, approved_on: dt.date) -> MemberEvent:
    """Record a removal decided by the branch meeting (`decision`: the meeting and the approval) and approved by
    the higher level on `approved_on`. The member leaves the roster on `on`."""
    require_write_member(member)
    _check_day(on)
    if reason not in REMOVAL_REASONS:
        raise RuleError(_("the reason must be one of: %(r)s") % {"r": ", ".join(REMOVAL_REASONS)}, field="reason")
    decision = _text(decision, "decision", 250, required=True)
    _check_day(approved_on, "approved_on")
    if approved_on < on:
        raise RuleError(_("the approval (%(a)s) cannot come before the decision (%(d)s)")
                        % {"a": approved_on, "d": on}, field="approved_on")
    if member.transfers.filter(state=TransferState.PENDING).exists():
        raise RuleError(_("%(name)s has a pending transfer; decide or cancel it first") % {"name": member.name},
                        field="member")
    details: dict[str, Any] = {"reason": reason, "decision": decision, "approved_on": approved_on.isoformat()}
    return services.member_record_event(member, kind=EventKind.REMOVED, on=on, details=details, note=decision)
