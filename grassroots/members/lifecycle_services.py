"""The member lifecycle between joining and leaving: going mobile and coming back, in-service members reporting
to the community where they live, suspension on lost contact and removal.

Suspension and removal are always decisions recorded by people (the meeting, the approval): no function here
suspends or removes anyone on its own, and the rules only say when a decision may be recorded (judged by the
version of `lifecycle.*` in force on the decision's date, see grassroots/rules/data/lifecycle.json).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import Scope, current_scope, require_write_member
from grassroots.core import audit
from grassroots.core.dates import add_months
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.orgs.models import Organization, OrgKind, TerritoryKind
from grassroots.rules.registry import in_force

from . import services
from .models import CommunityReport, EventKind, Member, MemberEvent, MemberPeriod, Occupation, TransferState

REMOVAL_REASONS = ("self_withdrawal", "persuaded", "expelled")
# Where an in-service member may report: a Party organization of a community (its territory is a community),
# or any branch or general branch (a community's organization is usually one of these even when the platform
# has no territory for it). Never a party group, a committee without a community, or a revoked organization.
COMMUNITY_ORG_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


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


# --- community reports ------------------------------------------------------------------------------------

def _check_community_org(org: Organization | None, on: dt.date) -> Organization:
    if org is None:
        raise RuleError(_("a community Party organization is required"), field="community_org")
    in_community = org.territory is not None and org.territory.kind == TerritoryKind.COMMUNITY
    if org.kind == OrgKind.PARTY_GROUP or not (in_community or org.kind in COMMUNITY_ORG_KINDS):
        raise RuleError(_("%(org)s is not a community Party organization (a branch or general branch, or an "
                          "organization of a community)") % {"org": org}, field="community_org")
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on},
                        field="community_org")
    if on < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(founded)s, after %(date)s")
                        % {"org": org, "founded": org.founded_on, "date": on}, field="community_org")
    return org


def community_org_by_code(code: str) -> Organization | None:
    """The community organization a report names by code: members live anywhere, so any active organization
    of the platform may be named (`community_report` checks its kind)."""
    return Organization.objects.filter(code=(code or "").strip(), revoked_on__isnull=True).first()


@transaction.atomic
def community_report(member: Member, *, community_org: Organization, on: dt.date, first: bool = False,
                     activities: str = "") -> CommunityReport:
    """An in-service member reports to the community where they live (`first` for the first report), and what
    they did there. The member's branch (a writer of the member) records a report to any community; the
    community's writers record later reports of a member who has already reported to them (so that nobody
    can attach reports to members they have never seen)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    scope = current_scope()
    known_there = member.community_reports.filter(community_org=community_org).exists()
    if not (scope.can_write_member(member) or (known_there and scope.can_write_org(community_org))):
        raise PermissionDeniedError(_("you may not record reports of %(name)s") % {"name": member.name})
    _check_day(on)
    period = MemberPeriod.objects.on(on).filter(member=member).first()
    if period is None:
        raise RuleError(_("%(name)s was not a member on %(date)s") % {"name": member.name, "date": on}, field="on")
    _check_community_org(community_org, on)
    if period.occupation != Occupation.IN_SERVICE:
        raise RuleError(_("only in-service members report to their community; %(name)s was %(occ)s on %(date)s")
                        % {"name": member.name, "occ": Occupation(period.occupation).label, "date": on},
                        field="member")
    if period.org_id == community_org.pk:
        raise RuleError(_("%(org)s is %(name)s's own organization") % {"org": community_org, "name": member.name},
                        field="community_org")
    earlier = member.community_reports.all()
    if first and earlier.filter(first=True).exists():
        raise RuleError(_("%(name)s already made a first report") % {"name": member.name}, field="first")
    if first and earlier.filter(date__lt=on).exists():
        raise RuleError(_("%(name)s has reports before %(date)s; this one cannot be the first")
                        % {"name": member.name, "date": on}, field="first")
    report = CommunityReport.objects.create(member=member, community_org=community_org, date=on, first=first,
                                            activities=(activities or "").strip())
    audit.record("member.community_report", report, after=audit.snapshot(report, ("member", "community_org", "date",
                                                                                   "first")),
                 org_id=member.org_id, extra={"member": member.pk})
    return report


def readable_community_reports(scope: Scope) -> QuerySet[CommunityReport]:
    """Reports the user may read: those of members they can read, and those made to organizations they can
    read (the community sees who reported to it)."""
    qs = CommunityReport.objects.select_related("member", "community_org")
    if scope.unrestricted:
        return qs
    return qs.filter(Q(member__in=scope.members()) | Q(community_org__in=scope.orgs()))


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
