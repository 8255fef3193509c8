"""The writes of in-service members' reports to their community: the report (by the member, or by the home
branch on the member's behalf; the community's writers record a later report of a member already known to them),
its acceptance or refusal, the grid and the post it is assigned to, and the services the community logs.

Every write checks the scope, runs in one transaction, is audited, and refuses bad input with a `RuleError`
naming the field (nothing written)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_org
from grassroots.core import audit
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.grids.models import Grid
from grassroots.members.models import Member, MemberPeriod, Occupation
from grassroots.orgs.models import Organization, OrgKind, TerritoryKind
from grassroots.posts.models import Post

from .models import Report, Service, State
from .selectors import evaluation_levels

COMMUNITY_ORG_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
REPORT_FIELDS = ("member", "community_org", "date", "first", "mobile", "skills", "offers", "state")




def _check_day(on: dt.date | None, field: str = "on") -> dt.date:
    if on is None:
        raise RuleError(_("a date is required"), field=field)
    if on > timezone.localdate():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field=field)
    return on


def check_community_org(org: Organization | None, on: dt.date) -> Organization:
    """A community Party organization: a branch or general branch, or any organization on a community's place;
    active on `on`."""
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
    """The community organization a report names by code: members live anywhere, so any active organization of
    the platform may be named (`report` checks its kind)."""
    return Organization.objects.filter(code=(code or "").strip(), revoked_on__isnull=True).first()


def _audit(action: str, report: Report, before: dict[str, Any] | None = None, **extra: Any) -> None:
    """Audited under the community's organization (its findings and pages key on it), naming the member."""
    audit.record(action, report, before=before, after=audit.snapshot(report, REPORT_FIELDS + ("grid", "post")),
                 org_id=report.community_org_id, extra={"member": report.member_id, **extra})


@transaction.atomic
def report(member: Member, *, community_org: Organization, on: dt.date, first: bool = False, skills: str = "",
           offers: str = "", address: str = "", workplace: str = "", phone: str = "",
           activities: str = "") -> Report:
    """The member reports to the community where they live (`first` for the first report). The member records it
    themself, or the home branch on their behalf: it awaits the community's acceptance. The community's writers
    may record a later report of a member already accepted there: it is accepted at once.

    In-service members report; a mobile member (away from the home branch, not transferred) reports to the
    community they flowed into whatever their occupation, giving the contact card's fields (address, phone)."""
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    scope = current_scope()
    known_there = member.inservice_reports.filter(community_org=community_org, state=State.ACCEPTED).exists()
    by_home = scope.can_write_member(member) or member.pk in scope.own_member_ids
    by_community = known_there and scope.can_write_org(community_org)
    if not (by_home or by_community):
        raise PermissionDeniedError(_("you may not record reports of %(name)s") % {"name": member.name})
    _check_day(on)
    period = MemberPeriod.objects.on(on).filter(member=member).first()
    if period is None:
        raise RuleError(_("%(name)s was not a member on %(date)s") % {"name": member.name, "date": on}, field="on")
    check_community_org(community_org, on)
    if period.occupation != Occupation.IN_SERVICE and not period.mobile:
        raise RuleError(_("only in-service members (and mobile members) report to their community; %(name)s was "
                          "%(occ)s on %(date)s") % {"name": member.name, "occ": Occupation(period.occupation).label,
                                                    "date": on}, field="member")
    if period.org_id == community_org.pk:
        raise RuleError(_("%(org)s is %(name)s's own organization") % {"org": community_org, "name": member.name},
                        field="community_org")
    earlier = member.inservice_reports.all()
    # Every fact entered once: a card's field left blank keeps what the member's latest report gave.
    last = earlier.exclude(state=State.DECLINED).order_by("-date", "-id").first()
    given = {"skills": (skills, 200), "offers": (offers, 300), "address": (address, 200),
             "workplace": (workplace, 100), "phone": (phone, 20)}
    fields: dict[str, str] = {}
    for name, (value, length) in given.items():
        text = _text(value, name, length) or (getattr(last, name) if last is not None else "")
        if not text and period.mobile and name in ("address", "phone"):
            raise RuleError(_("this field is required"), field=name)
        fields[name] = text
    fields["activities"] = (activities or "").strip()
    if first and earlier.filter(first=True).exists():
        raise RuleError(_("%(name)s already made a first report") % {"name": member.name}, field="first")
    if first and earlier.filter(date__lt=on).exists():
        raise RuleError(_("%(name)s has reports before %(date)s; this one cannot be the first")
                        % {"name": member.name, "date": on}, field="first")
    accepted = by_community and not by_home
    r = Report.objects.create(member=member, home_org_id=period.org_id, community_org=community_org, date=on,
                              first=first, mobile=period.mobile, state=State.ACCEPTED if accepted else State.PENDING,
                              decided_on=on if accepted else None, **fields)
    _audit("inservice.report", r)
    return r


def _lock(r: Report, version: Any) -> Report:
    locked = Report.objects.select_for_update(of=("self",)).select_related("community_org", "member").get(pk=r.pk)
    require_write_org(locked.community_org)
    check_version(locked, version)
    return locked


@transaction.atomic
def accept(r: Report, *, on: dt.date, version: Any = None) -> Report:
    """The community accepts the report (on or after its date)."""
    r = _lock(r, version)
    _check_day(on)
    if r.state != State.PENDING:
        raise RuleError(_("this report was already decided"), field="state")
    if on < r.date:
        raise RuleError(_("the decision cannot come before the report (%(date)s)") % {"date": r.date}, field="on")
    before = audit.snapshot(r, REPORT_FIELDS)
    r.state, r.decided_on = State.ACCEPTED, on
    r.save(update_fields=["state", "decided_on"])
    _audit("inservice.accept", r, before)
    return r


@transaction.atomic
def decline(r: Report, *, on: dt.date, reason: str, version: Any = None) -> Report:
    """The community declines the report (the member does not live there, ...), saying why."""
    r = _lock(r, version)
    _check_day(on)
    reason = _text(reason, "reason", 200, required=True)
    if r.state != State.PENDING:
        raise RuleError(_("this report was already decided"), field="state")
    if on < r.date:
        raise RuleError(_("the decision cannot come before the report (%(date)s)") % {"date": r.date}, field="on")
    before = audit.snapshot(r, REPORT_FIELDS)
    r.state, r.decided_on, r.decline_reason = State.DECLINED, on, reason
    r.save(update_fields=["state", "decided_on", "decline_reason"])
    _audit("inservice.decline", r, before)
    return r


def _in_community(r: Report) -> tuple[str, str]:
    """The paths of the community's organization and of its place ("" when it has none)."""
    org = r.community_org
    return org.path, (org.territory.path if org.territory_id and org.territory else "")


@transaction.atomic
def assign(r: Report, *, grid: Grid | None, post: Post | None, version: Any = None) -> Report:
    """The community assigns the accepted member to one of its grids and one of its posts (None: none)."""
    r = _lock(r, version)
    if r.state != State.ACCEPTED:
        raise RuleError(_("only an accepted report is assigned a grid and a post"), field="state")
    org_path, place_path = _in_community(r)
    if grid is not None and not (place_path and grid.territory.path.startswith(place_path)):
        raise RuleError(_("%(grid)s is not a grid of %(org)s's community") % {"grid": grid, "org": r.community_org},
                        field="grid")
    if post is not None and not post.org.path.startswith(org_path):
        raise RuleError(_("%(post)s is not a post of %(org)s") % {"post": post, "org": r.community_org},
                        field="post")
    if post is not None and not post.open_on(timezone.localdate()):
        raise RuleError(_("the term of %(post)s is over") % {"post": post}, field="post")
    before = audit.snapshot(r, REPORT_FIELDS + ("grid", "post"))
    r.grid, r.post = grid, post
    r.save(update_fields=["grid", "post"])
    _audit("inservice.assign", r, before)
    return r


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(_("enter a number of hours"), field="hours") from None
    if not hours.is_finite() or hours < 0 or hours > 24 or hours != hours.quantize(Decimal("0.1")):
        raise RuleError(_("hours between 0 and 24, with at most one decimal"), field="hours")
    return hours


@transaction.atomic
def log_service(r: Report, *, day: dt.date, activity: str, hours: Any, evaluation: str = "",
                logged_on: dt.date | None = None) -> Service:
    """The community logs a service of a member it accepted: the activity, the hours and an evaluation on the
    scale in force on the day (`inservice.evaluation_scale`; empty: not evaluated). Entered after the day is fine."""
    r = _lock(r, None)
    if r.state != State.ACCEPTED:
        raise RuleError(_("services are logged for accepted reports only"), field="report")
    _check_day(day, "day")
    if day < r.date:
        raise RuleError(_("the member reported on %(date)s, after this day") % {"date": r.date}, field="day")
    text = _text(activity, "activity", 200, required=True)
    h = _hours(hours)
    evaluation = (evaluation or "").strip()
    if evaluation and evaluation not in {lv["code"] for lv in evaluation_levels(day)}:
        raise RuleError(_("not a level of the evaluation scale"), field="evaluation")
    logged = _check_day(logged_on or timezone.localdate(), "logged_on")
    if logged < day:
        raise RuleError(_("a service is logged on or after its day"), field="logged_on")
    s = Service.objects.create(report=r, day=day, activity=text, hours=h, evaluation=evaluation, logged_on=logged)
    audit.record("inservice.service", s, after=audit.snapshot(s, ("report", "day", "activity", "hours", "evaluation")),
                 org_id=r.community_org_id, extra={"member": r.member_id})
    return s


@transaction.atomic
def service_update(s: Service, *, version: Any, activity: str, hours: Any, evaluation: str = "") -> Service:
    """The community corrects a logged service (its day stays)."""
    s = Service.objects.select_for_update(of=("self",)).select_related("report__community_org").get(pk=s.pk)
    require_write_org(s.report.community_org)
    check_version(s, version)
    before = audit.snapshot(s, ("activity", "hours", "evaluation"))
    s.activity = _text(activity, "activity", 200, required=True)
    s.hours = _hours(hours)
    evaluation = (evaluation or "").strip()
    if evaluation and evaluation not in {lv["code"] for lv in evaluation_levels(s.day)}:
        raise RuleError(_("not a level of the evaluation scale"), field="evaluation")
    s.evaluation = evaluation
    s.save(update_fields=["activity", "hours", "evaluation"])
    audit.record("inservice.service_update", s, before=before,
                 after=audit.snapshot(s, ("activity", "hours", "evaluation")), org_id=s.report.community_org_id,
                 extra={"member": s.report.member_id})
    return s


@transaction.atomic
def reveal_phone(r: Report) -> str:
    """The full phone of a report, for the member's own side (who may reveal the member's details) and the
    community's writers; the reveal is logged."""
    scope = current_scope()
    if not (scope.can_reveal(r.member) or scope.can_write_org(r.community_org)):
        raise PermissionDeniedError(_("you may not see %(name)s's full phone") % {"name": r.member.name})
    audit.record("inservice.reveal", r, org_id=r.community_org_id, extra={"member": r.member_id, "field": "phone"})
    return r.phone
