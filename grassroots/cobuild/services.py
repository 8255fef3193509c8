"""Writes to co-construction: units, their reports, agreements and their files, needs, resources, projects and
their evidence, contributions.

Each write is one function, keyword-only, in a transaction, permission-checked (whoever writes the organization
that keeps the record: its secretary or organizer, or one above), audited, raising `RuleError` naming the field
with nothing written when the request breaks a rule. Edits carry the `version` read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_org
from grassroots.core import audit
from grassroots.core.errors import RuleError
from grassroots.core.files import check_attachment
from grassroots.core.values import day as _day
from grassroots.core.values import past_day as _date
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.orgs.models import Organization, Territory

from .models import (
    OPEN_PROJECT_STATES,
    Agreement,
    AgreementFile,
    Contribution,
    ContributionKind,
    Need,
    Project,
    ProjectEvidence,
    ProjectSource,
    ProjectState,
    ResidentUnit,
    Resource,
    UnitKind,
    UnitReport,
)

PROJECT_FIELDS = ("org", "title", "detail", "source", "agreement", "need", "unit", "owner", "started_on", "due_on",
                  "state", "done_on", "outcome")


def today() -> dt.date:
    return timezone.localdate()








def _on(value: Any, field: str) -> dt.date:
    """A required day that has come."""
    day = _date(value, field)
    assert day is not None
    return day


def _open_org(org: Organization) -> None:
    require_write_org(org)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="org")


@transaction.atomic
def project_create(*, org: Organization, title: Any, detail: Any = "", source: str = ProjectSource.OTHER,
                   agreement: Agreement | None = None, need: Need | None = None, unit: ResidentUnit | None = None,
                   owner: Any = "", started_on: Any, due_on: Any = None) -> Project:
    """A project of `org`'s, planned from `started_on` and due by `due_on` (a deadline may lie ahead), owned by
    `unit` and/or the person named `owner`. Its agreement, need and unit are the organization's own."""
    _open_org(org)
    if source not in ProjectSource.values:
        raise RuleError(_("unknown source: %(value)s") % {"value": source}, field="source")
    started = _date(started_on, "started_on")
    assert started is not None
    due = _day(due_on, "due_on", required=False)
    if due is not None:
        if due < started:
            raise RuleError(_("the deadline %(due)s is before the start %(start)s") % {"due": due, "start": started},
                            field="due_on")
    for name, record in (("agreement", agreement), ("need", need), ("unit", unit)):
        _own(record, org, name)
    project = Project.objects.create(
        org=org, title=_text(title, "title", 200, required=True), detail=_text(detail, "detail", 2000),
        source=source, agreement=agreement, need=need, unit=unit, owner=_text(owner, "owner", 50),
        started_on=started, due_on=due, state=ProjectState.PLANNED)
    audit.record("cobuild.project_create", project, after=audit.snapshot(project, PROJECT_FIELDS), org_id=org.pk)
    return project


UNIT_FIELDS = ("org", "name", "kind", "industry", "address", "territory", "contact_name", "contact_phone",
               "has_party_org", "party_members", "party_org", "joined_on", "left_on", "note")
REPORT_FIELDS = ("unit", "reported_on", "offers", "accepted_on")
AGREEMENT_FIELDS = ("org", "unit", "title", "signed_on", "starts_on", "ends_on", "renews", "terms", "ended_on")
NEED_FIELDS = ("org", "agreement", "title", "detail", "listed_on", "claimed_by", "claimed_on", "withdrawn_on")
RESOURCE_FIELDS = ("unit", "agreement", "title", "detail", "listed_on", "withdrawn_on")
CONTRIBUTION_FIELDS = ("unit", "agreement", "project", "kind", "given_on", "amount", "goods")
MAX_FILE_BYTES = 20 * 1024 * 1024


def _unit_snapshot(unit: ResidentUnit) -> dict[str, Any]:
    """The unit's fields for the audit log, its contact's phone under the key the log masks for every reader
    (`core.idnumber.PERSONAL_KEYS`)."""
    snap = audit.snapshot(unit, UNIT_FIELDS)
    snap["phone"] = snap.pop("contact_phone")
    return snap


def _phone(value: Any) -> str:
    text = _text(value, "contact_phone", 20).replace(" ", "").replace("-", "")
    if text and not (text.isascii() and text.isdigit() and 7 <= len(text) <= 12):
        raise RuleError(_("a phone number is 7 to 12 digits"), field="contact_phone")
    return text


def _count(value: Any, field: str) -> int:
    text = str(value if value is not None else "").strip() or "0"
    try:
        number = int(text)
    except ValueError as exc:
        raise RuleError(_("give a whole number"), field=field) from exc
    if not 0 <= number <= 100000:
        raise RuleError(_("give a number from 0 to %(n)d") % {"n": 100000}, field=field)
    return number


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        number = Decimal(str(value if value is not None else "").strip().replace(",", ""))
    except InvalidOperation as exc:
        raise RuleError(_("give an amount in yuan"), field=field) from exc
    if not number.is_finite() or number < 0 or number >= Decimal("10000000000"):
        raise RuleError(_("give an amount in yuan"), field=field)
    return number.quantize(Decimal("0.01"))


def _own(record: Any, org: Organization, field: str) -> None:
    """`record` (a unit, an agreement, a need) is kept by `org` itself."""
    if record is not None and record.org_id != org.pk:
        raise RuleError(_("%(record)s is not %(org)s's") % {"record": record, "org": org}, field=field)


def _file(upload: Any) -> UploadedFile:
    """A photo or a PDF whose content is what its name says (`core.files.check_attachment`), up to 20 MB."""
    check_attachment(upload, max_bytes=MAX_FILE_BYTES)
    return upload  # type: ignore[no-any-return]


def _save(record: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    record.refresh_from_db()


# --- resident units -------------------------------------------------------------------------------------------

def _unit_values(org: Organization, *, name: Any, kind: Any, industry: Any, address: Any, territory: Any,
                 contact_name: Any, contact_phone: Any, has_party_org: Any, party_members: Any, party_org: Any,
                 joined_on: Any, note: Any, unit: ResidentUnit | None = None) -> dict[str, Any]:
    title = _text(name, "name", 100, required=True)
    if kind not in UnitKind.values:
        raise RuleError(_("unknown type: %(value)s") % {"value": kind}, field="kind")
    clash = ResidentUnit.objects.filter(org=org, name=title)
    if unit is not None:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        raise RuleError(_("%(org)s already records a unit named %(name)s") % {"org": org, "name": title},
                        field="name")
    if territory is not None and not isinstance(territory, Territory):
        raise RuleError(_("unknown place"), field="territory")
    if party_org is not None and not isinstance(party_org, Organization):
        raise RuleError(_("unknown organization"), field="party_org")
    has = bool(has_party_org) or party_org is not None
    members = _count(party_members, "party_members")
    if members and not has:
        raise RuleError(_("a unit without a Party organization has no Party members recorded here: tick it"),
                        field="has_party_org")
    if party_org is not None and party_org.pk == org.pk:
        raise RuleError(_("a unit's Party organization is not the community's own"), field="party_org")
    return {"name": title, "kind": kind, "industry": _text(industry, "industry", 50),
            "address": _text(address, "address", 200), "territory": territory,
            "contact_name": _text(contact_name, "contact_name", 50), "contact_phone": _phone(contact_phone),
            "has_party_org": has, "party_members": members, "party_org": party_org,
            "joined_on": _date(joined_on, "joined_on", required=False), "note": _text(note, "note", 300)}


@transaction.atomic
def unit_create(*, org: Organization, name: Any, kind: Any, industry: Any = "", address: Any = "",
                territory: Territory | None = None, contact_name: Any = "", contact_phone: Any = "",
                has_party_org: Any = False, party_members: Any = 0, party_org: Organization | None = None,
                joined_on: Any = None, note: Any = "") -> ResidentUnit:
    """A resident unit (驻区单位) in the area of `org`, whose record `org` keeps."""
    _open_org(org)
    values = _unit_values(org, name=name, kind=kind, industry=industry, address=address, territory=territory,
                          contact_name=contact_name, contact_phone=contact_phone, has_party_org=has_party_org,
                          party_members=party_members, party_org=party_org, joined_on=joined_on, note=note)
    unit = ResidentUnit.objects.create(org=org, **values)
    audit.record("cobuild.unit_create", unit, after=_unit_snapshot(unit), org_id=org.pk)
    return unit


@transaction.atomic
def unit_update(unit: ResidentUnit, *, version: Any, name: Any, kind: Any, industry: Any = "", address: Any = "",
                territory: Territory | None = None, contact_name: Any = "", contact_phone: Any = "",
                has_party_org: Any = False, party_members: Any = 0, party_org: Organization | None = None,
                joined_on: Any = None, note: Any = "") -> ResidentUnit:
    unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("org").get(pk=unit.pk)
    _open_org(unit.org)
    check_version(unit, version)
    values = _unit_values(unit.org, name=name, kind=kind, industry=industry, address=address, territory=territory,
                          contact_name=contact_name, contact_phone=contact_phone, has_party_org=has_party_org,
                          party_members=party_members, party_org=party_org, joined_on=joined_on, note=note,
                          unit=unit)
    before = _unit_snapshot(unit)
    _save(unit, values)
    audit.record("cobuild.unit_update", unit, before=before, after=_unit_snapshot(unit),
                 org_id=unit.org_id)
    return unit


@transaction.atomic
def unit_leave(unit: ResidentUnit, *, version: Any, on: Any) -> ResidentUnit:
    """The unit left the area on `on` (moved, closed): kept, never deleted; its agreements in force end then."""
    unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("org").get(pk=unit.pk)
    _open_org(unit.org)
    check_version(unit, version)
    day = _date(on, "on")
    assert day is not None
    if unit.left_on is not None:
        raise RuleError(_("%(unit)s left on %(date)s") % {"unit": unit, "date": unit.left_on}, field="on")
    if unit.joined_on is not None and day < unit.joined_on:
        raise RuleError(_("%(date)s is before the unit was recorded (%(from)s)")
                        % {"date": day, "from": unit.joined_on}, field="on")
    before = _unit_snapshot(unit)
    _save(unit, {"left_on": day})
    audit.record("cobuild.unit_leave", unit, before=before, after=_unit_snapshot(unit),
                 org_id=unit.org_id)
    return unit


def _present(unit: ResidentUnit, day: dt.date, field: str = "unit") -> None:
    if unit.left_on is not None and day >= unit.left_on:
        raise RuleError(_("%(unit)s left on %(date)s") % {"unit": unit, "date": unit.left_on}, field=field)


# --- a unit's Party organization reports to the community ------------------------------------------------------

@transaction.atomic
def report_create(*, unit: ResidentUnit, reported_on: Any, offers: Any = "") -> UnitReport:
    """The unit's Party organization reported to the community (到社区报到), recorded by the community."""
    _open_org(unit.org)
    day = _date(reported_on, "reported_on")
    assert day is not None
    _present(unit, day)
    if not unit.has_party_org:
        raise RuleError(_("%(unit)s has no Party organization recorded") % {"unit": unit}, field="unit")
    report = UnitReport.objects.create(unit=unit, reported_on=day, offers=_text(offers, "offers", 2000))
    audit.record("cobuild.report_create", report, after=audit.snapshot(report, REPORT_FIELDS), org_id=unit.org_id)
    return report


@transaction.atomic
def report_accept(report: UnitReport, *, version: Any, on: Any = None) -> UnitReport:
    report = UnitReport.objects.select_for_update(of=("self",)).select_related("unit__org").get(pk=report.pk)
    _open_org(report.unit.org)
    check_version(report, version)
    day = _date(on, "on", required=False) or today()
    if report.accepted_on is not None:
        raise RuleError(_("accepted on %(date)s already") % {"date": report.accepted_on}, field="on")
    if day < report.reported_on:
        raise RuleError(_("%(date)s is before the report (%(report)s)") % {"date": day, "report": report.reported_on},
                        field="on")
    before = audit.snapshot(report, REPORT_FIELDS)
    _save(report, {"accepted_on": day})
    audit.record("cobuild.report_accept", report, before=before, after=audit.snapshot(report, REPORT_FIELDS),
                 org_id=report.unit.org_id)
    return report


# --- agreements -------------------------------------------------------------------------------------------------

def _term(*, signed_on: Any, starts_on: Any, ends_on: Any) -> dict[str, Any]:
    signed = _date(signed_on, "signed_on")
    start = _day(starts_on, "starts_on", required=False) or signed
    assert signed is not None and start is not None
    end = _day(ends_on, "ends_on", required=False)
    if end is not None and end < start:
        raise RuleError(_("the term ends (%(end)s) before it starts (%(start)s)") % {"end": end, "start": start},
                        field="ends_on")
    return {"signed_on": signed, "starts_on": start, "ends_on": end}


@transaction.atomic
def agreement_create(*, org: Organization, unit: ResidentUnit, title: Any, signed_on: Any, starts_on: Any = None,
                     ends_on: Any = None, terms: Any = "") -> Agreement:
    """A co-construction agreement (共建协议) of `org` with `unit`, signed on `signed_on`, in force from
    `starts_on` (the signing day when empty) until `ends_on` (none: no end set)."""
    _open_org(org)
    _own(unit, org, "unit")
    values = _term(signed_on=signed_on, starts_on=starts_on, ends_on=ends_on)
    _present(unit, values["signed_on"])
    agreement = Agreement.objects.create(org=org, unit=unit, title=_text(title, "title", 200, required=True),
                                         terms=_text(terms, "terms", 5000), **values)
    audit.record("cobuild.agreement_create", agreement, after=audit.snapshot(agreement, AGREEMENT_FIELDS),
                 org_id=org.pk)
    return agreement


def _locked_agreement(agreement: Agreement, version: Any) -> Agreement:
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("org", "unit").get(pk=agreement.pk)
    _open_org(agreement.org)
    check_version(agreement, version)
    return agreement


@transaction.atomic
def agreement_update(agreement: Agreement, *, version: Any, title: Any, signed_on: Any, starts_on: Any = None,
                     ends_on: Any = None, terms: Any = "") -> Agreement:
    agreement = _locked_agreement(agreement, version)
    values = _term(signed_on=signed_on, starts_on=starts_on, ends_on=ends_on)
    if agreement.ended_on is not None and values["starts_on"] > agreement.ended_on:
        raise RuleError(_("the agreement ended on %(date)s") % {"date": agreement.ended_on}, field="starts_on")
    before = audit.snapshot(agreement, AGREEMENT_FIELDS)
    _save(agreement, {"title": _text(title, "title", 200, required=True), "terms": _text(terms, "terms", 5000),
                      **values})
    audit.record("cobuild.agreement_update", agreement, before=before,
                 after=audit.snapshot(agreement, AGREEMENT_FIELDS), org_id=agreement.org_id)
    return agreement


@transaction.atomic
def agreement_renew(agreement: Agreement, *, version: Any, signed_on: Any, ends_on: Any, starts_on: Any = None,
                    title: Any = None, terms: Any = None) -> Agreement:
    """A new agreement following `agreement` (续签): in force from the day after the old one's term (or
    `starts_on`), its title and terms the old ones unless given. The old one is kept as it was."""
    old = _locked_agreement(agreement, version)
    if old.ended_on is not None:
        raise RuleError(_("the agreement ended early on %(date)s: sign a new one") % {"date": old.ended_on},
                        field="signed_on")
    if old.renewals.exists():
        raise RuleError(_("the agreement was renewed already"), field="signed_on")
    _present(old.unit, today(), "signed_on")
    default_start = old.ends_on + dt.timedelta(days=1) if old.ends_on else None
    values = _term(signed_on=signed_on, starts_on=starts_on or default_start, ends_on=ends_on)
    if values["ends_on"] is None:
        raise RuleError(_("this field is required"), field="ends_on")
    if values["signed_on"] < old.signed_on:
        raise RuleError(_("%(date)s is before the agreement renewed was signed (%(signed)s)")
                        % {"date": values["signed_on"], "signed": old.signed_on}, field="signed_on")
    if values["starts_on"] <= old.starts_on:
        raise RuleError(_("the renewal starts after the agreement it renews (%(start)s)") % {"start": old.starts_on},
                        field="starts_on")
    new = Agreement.objects.create(
        org=old.org, unit=old.unit, renews=old,
        title=_text(old.title if title is None else title, "title", 200, required=True),
        terms=_text(old.terms if terms is None else terms, "terms", 5000), **values)
    audit.record("cobuild.agreement_renew", new, after=audit.snapshot(new, AGREEMENT_FIELDS), org_id=new.org_id,
                 extra={"renews": old.pk})
    return new


@transaction.atomic
def agreement_end(agreement: Agreement, *, version: Any, on: Any, reason: Any = "") -> Agreement:
    """The agreement ended early on `on` (终止), before its term: the reason goes to its terms' record."""
    agreement = _locked_agreement(agreement, version)
    day = _date(on, "on")
    assert day is not None
    if agreement.ended_on is not None:
        raise RuleError(_("the agreement ended early on %(date)s") % {"date": agreement.ended_on}, field="on")
    if day < agreement.starts_on:
        raise RuleError(_("%(date)s is before the agreement is in force (%(start)s)")
                        % {"date": day, "start": agreement.starts_on}, field="on")
    if agreement.ends_on is not None and day >= agreement.ends_on:
        raise RuleError(_("the term ends on %(date)s anyway: nothing to end early") % {"date": agreement.ends_on},
                        field="on")
    why = _text(reason, "reason", 300, required=True)
    before = audit.snapshot(agreement, AGREEMENT_FIELDS)
    _save(agreement, {"ended_on": day})
    audit.record("cobuild.agreement_end", agreement, before=before,
                 after=audit.snapshot(agreement, AGREEMENT_FIELDS), org_id=agreement.org_id, extra={"reason": why})
    return agreement


@transaction.atomic
def agreement_file_add(*, agreement: Agreement, file: Any, caption: Any = "") -> AgreementFile:
    """An attachment of the agreement (the signed scan)."""
    _open_org(agreement.org)
    made = AgreementFile.objects.create(agreement=agreement, file=_file(file),
                                        caption=_text(caption, "caption", 200))
    audit.record("cobuild.agreement_file_add", agreement, after={"file": made.file.name, "caption": made.caption},
                 org_id=agreement.org_id)
    return made


# --- needs and resources --------------------------------------------------------------------------------------

@transaction.atomic
def need_create(*, org: Organization, title: Any, listed_on: Any, detail: Any = "",
                agreement: Agreement | None = None) -> Need:
    """A need of the community (需求清单), perhaps listed in one of `org`'s agreements."""
    _open_org(org)
    _own(agreement, org, "agreement")
    need = Need.objects.create(org=org, agreement=agreement, title=_text(title, "title", 200, required=True),
                               detail=_text(detail, "detail", 2000), listed_on=_on(listed_on, "listed_on"))
    audit.record("cobuild.need_create", need, after=audit.snapshot(need, NEED_FIELDS), org_id=org.pk)
    return need


@transaction.atomic
def need_claim(need: Need, *, version: Any, unit: ResidentUnit, on: Any = None, due_on: Any = None,
               owner: Any = "") -> Project:
    """`unit` claims the need (认领) on `on`: a project of the need's organization, source "need", owned by the
    unit (and the person named `owner`), due by `due_on`."""
    need = Need.objects.select_for_update(of=("self",)).select_related("org", "agreement").get(pk=need.pk)
    _open_org(need.org)
    check_version(need, version)
    _own(unit, need.org, "unit")
    day = _date(on, "on", required=False) or today()
    if need.withdrawn_on is not None:
        raise RuleError(_("the need was withdrawn on %(date)s") % {"date": need.withdrawn_on}, field="unit")
    if need.claimed_by_id is not None:
        raise RuleError(_("%(unit)s claimed the need already") % {"unit": need.claimed_by}, field="unit")
    if day < need.listed_on:
        raise RuleError(_("%(date)s is before the need was listed (%(listed)s)")
                        % {"date": day, "listed": need.listed_on}, field="on")
    _present(unit, day)
    before = audit.snapshot(need, NEED_FIELDS)
    _save(need, {"claimed_by": unit, "claimed_on": day})
    audit.record("cobuild.need_claim", need, before=before, after=audit.snapshot(need, NEED_FIELDS),
                 org_id=need.org_id)
    return project_create(org=need.org, title=need.title, detail=need.detail, source=ProjectSource.NEED,
                          agreement=need.agreement, need=need, unit=unit, owner=owner, started_on=day, due_on=due_on)


@transaction.atomic
def need_withdraw(need: Need, *, version: Any, on: Any = None) -> Need:
    """The community takes the need off its list (it was met otherwise, or is no longer a need). A claimed need
    whose project is open or done stays: drop the project first."""
    need = Need.objects.select_for_update(of=("self",)).select_related("org").get(pk=need.pk)
    _open_org(need.org)
    check_version(need, version)
    day = _date(on, "on", required=False) or today()
    if need.withdrawn_on is not None:
        raise RuleError(_("the need was withdrawn on %(date)s") % {"date": need.withdrawn_on}, field="on")
    project = Project.objects.filter(need=need).first()
    if project is not None and project.state != ProjectState.DROPPED:
        raise RuleError(_("the need's project %(project)s is %(state)s: drop it first")
                        % {"project": project, "state": project.get_state_display()}, field="on")
    if day < need.listed_on:
        raise RuleError(_("%(date)s is before the need was listed (%(listed)s)")
                        % {"date": day, "listed": need.listed_on}, field="on")
    before = audit.snapshot(need, NEED_FIELDS)
    _save(need, {"withdrawn_on": day})
    audit.record("cobuild.need_withdraw", need, before=before, after=audit.snapshot(need, NEED_FIELDS),
                 org_id=need.org_id)
    return need


@transaction.atomic
def resource_create(*, unit: ResidentUnit, title: Any, listed_on: Any, detail: Any = "",
                    agreement: Agreement | None = None) -> Resource:
    """A resource the unit offers (资源清单): a hall, a vehicle, expertise, money."""
    _open_org(unit.org)
    if agreement is not None and agreement.unit_id != unit.pk:
        raise RuleError(_("%(record)s is not %(org)s's") % {"record": agreement, "org": unit}, field="agreement")
    resource = Resource.objects.create(unit=unit, agreement=agreement, title=_text(title, "title", 200, required=True),
                                       detail=_text(detail, "detail", 2000), listed_on=_on(listed_on, "listed_on"))
    audit.record("cobuild.resource_create", resource, after=audit.snapshot(resource, RESOURCE_FIELDS),
                 org_id=unit.org_id)
    return resource


@transaction.atomic
def resource_withdraw(resource: Resource, *, version: Any, on: Any = None) -> Resource:
    resource = Resource.objects.select_for_update(of=("self",)).select_related("unit__org").get(pk=resource.pk)
    _open_org(resource.unit.org)
    check_version(resource, version)
    day = _date(on, "on", required=False) or today()
    if resource.withdrawn_on is not None or day < resource.listed_on:
        raise RuleError(_("the resource was listed on %(date)s and is withdrawn once") % {"date": resource.listed_on},
                        field="on")
    before = audit.snapshot(resource, RESOURCE_FIELDS)
    _save(resource, {"withdrawn_on": day})
    audit.record("cobuild.resource_withdraw", resource, before=before,
                 after=audit.snapshot(resource, RESOURCE_FIELDS), org_id=resource.unit.org_id)
    return resource


# --- projects -------------------------------------------------------------------------------------------------

def _locked_project(project: Project, version: Any) -> Project:
    project = Project.objects.select_for_update(of=("self",)).select_related("org").get(pk=project.pk)
    _open_org(project.org)
    check_version(project, version)
    return project


def _project_changed(action: str, project: Project, before: dict[str, Any], values: dict[str, Any],
                     detail: dict[str, Any] | None = None) -> Project:
    _save(project, values)
    audit.record(f"cobuild.{action}", project, before=before, after=audit.snapshot(project, PROJECT_FIELDS),
                 org_id=project.org_id, extra=detail)
    return project


@transaction.atomic
def project_update(project: Project, *, version: Any, title: Any, detail: Any = "", owner: Any = "",
                   due_on: Any = None, unit: ResidentUnit | None = None) -> Project:
    project = _locked_project(project, version)
    _own(unit, project.org, "unit")
    due = _day(due_on, "due_on", required=False)
    if due is not None and due < project.started_on:
        raise RuleError(_("the deadline %(due)s is before the start %(start)s")
                        % {"due": due, "start": project.started_on}, field="due_on")
    before = audit.snapshot(project, PROJECT_FIELDS)
    return _project_changed("project_update", project, before, {
        "title": _text(title, "title", 200, required=True), "detail": _text(detail, "detail", 2000),
        "owner": _text(owner, "owner", 50), "due_on": due, "unit": unit})


@transaction.atomic
def project_start(project: Project, *, version: Any) -> Project:
    """Planned → under way."""
    project = _locked_project(project, version)
    if project.state != ProjectState.PLANNED:
        raise RuleError(_("the project is %(state)s, not planned") % {"state": project.get_state_display()},
                        field="state")
    before = audit.snapshot(project, PROJECT_FIELDS)
    return _project_changed("project_start", project, before, {"state": ProjectState.UNDER_WAY})


@transaction.atomic
def project_done(project: Project, *, version: Any, on: Any = None, outcome: Any = "", evidence: Any = None,
                 caption: Any = "") -> Project:
    """Done on `on` (a planned project may be done at once), with what was done; a photo or a scan as evidence
    if there is one (never demanded)."""
    project = _locked_project(project, version)
    if project.state not in OPEN_PROJECT_STATES:
        raise RuleError(_("the project is %(state)s already") % {"state": project.get_state_display()},
                        field="state")
    day = _date(on, "on", required=False) or today()
    if day < project.started_on:
        raise RuleError(_("%(date)s is before the project started (%(start)s)")
                        % {"date": day, "start": project.started_on}, field="on")
    text = _text(outcome, "outcome", 2000, required=True)
    before = audit.snapshot(project, PROJECT_FIELDS)
    _project_changed("project_done", project, before, {"state": ProjectState.DONE, "done_on": day,
                                                         "outcome": text})
    if evidence is not None:
        evidence_add(project=project, file=evidence, caption=caption)
    return project


@transaction.atomic
def project_drop(project: Project, *, version: Any, reason: Any) -> Project:
    """An open project is dropped, with the reason (kept as its outcome)."""
    project = _locked_project(project, version)
    if project.state not in OPEN_PROJECT_STATES:
        raise RuleError(_("the project is %(state)s already") % {"state": project.get_state_display()},
                        field="state")
    before = audit.snapshot(project, PROJECT_FIELDS)
    return _project_changed("project_drop", project, before, {
        "state": ProjectState.DROPPED, "outcome": _text(reason, "reason", 2000, required=True)})


@transaction.atomic
def evidence_add(*, project: Project, file: Any, caption: Any = "") -> ProjectEvidence:
    """A photo or a document of a project's work (a photo of the paper sheet is enough)."""
    _open_org(project.org)
    made = ProjectEvidence.objects.create(project=project, file=_file(file), caption=_text(caption, "caption", 200))
    audit.record("cobuild.evidence_add", project, after={"file": made.file.name, "caption": made.caption},
                 org_id=project.org_id)
    return made


# --- contributions --------------------------------------------------------------------------------------------

@transaction.atomic
def contribution_create(*, unit: ResidentUnit, kind: Any, given_on: Any, amount: Any, goods: Any = "",
                        agreement: Agreement | None = None, project: Project | None = None) -> Contribution:
    """Money (yuan) or goods in kind (described, with an estimated value) the unit gave on `given_on`, under one
    of its agreements or a project of the unit's community."""
    _open_org(unit.org)
    values = _contribution_values(unit, kind=kind, given_on=given_on, amount=amount, goods=goods,
                                  agreement=agreement)
    _own(project, unit.org, "project")
    made = Contribution.objects.create(unit=unit, project=project, **values)
    audit.record("cobuild.contribution_create", made, after=audit.snapshot(made, CONTRIBUTION_FIELDS),
                 org_id=unit.org_id)
    return made


def _contribution_values(unit: ResidentUnit, *, kind: Any, given_on: Any, amount: Any, goods: Any,
                         agreement: Agreement | None) -> dict[str, Any]:
    if kind not in ContributionKind.values:
        raise RuleError(_("unknown kind: %(value)s") % {"value": kind}, field="kind")
    day = _date(given_on, "given_on")
    if agreement is not None and agreement.unit_id != unit.pk:
        raise RuleError(_("%(record)s is not %(org)s's") % {"record": agreement, "org": unit}, field="agreement")
    value = _amount(amount)
    described = _text(goods, "goods", 300, required=kind == ContributionKind.IN_KIND)
    if kind == ContributionKind.MONEY and value <= 0:
        raise RuleError(_("give an amount in yuan"), field="amount")
    return {"kind": kind, "given_on": day, "amount": value, "goods": described, "agreement": agreement}


@transaction.atomic
def contribution_update(contribution: Contribution, *, version: Any, kind: Any, given_on: Any, amount: Any,
                        goods: Any = "", agreement: Agreement | None = None) -> Contribution:
    """Correct a contribution typed wrong (the kind, day, amount, goods or agreement); its project stays. The
    figures as they were stay in the audit log."""
    made = Contribution.objects.select_for_update(of=("self",)).select_related("unit__org").get(pk=contribution.pk)
    _open_org(made.unit.org)
    check_version(made, version)
    values = _contribution_values(made.unit, kind=kind, given_on=given_on, amount=amount, goods=goods,
                                  agreement=agreement)
    before = audit.snapshot(made, CONTRIBUTION_FIELDS)
    for name, value in values.items():
        setattr(made, name, value)
    made.save()
    made.refresh_from_db()
    audit.record("cobuild.contribution_update", made, before=before,
                 after=audit.snapshot(made, CONTRIBUTION_FIELDS), org_id=made.unit.org_id)
    return made


def unit_reveal(unit: ResidentUnit, *, field: str = "contact_phone") -> str:
    """The contact's full phone, for one who writes the unit's organization: logged."""
    if field != "contact_phone":
        raise RuleError(_("this field cannot be revealed"), field="field")
    require_write_org(unit.org)
    with transaction.atomic():
        audit.record("cobuild.unit_reveal_phone", unit, org_id=unit.org_id)
    return unit.contact_phone
