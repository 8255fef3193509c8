"""Writes to proposals: entering one (a secretary may enter it on a representative's behalf, after the day), its
attachments, the review (accept and assign to a lead unit with co-handlers; merge into a duplicate; or not accept
and turn it into a residents' opinion of the station in one step), the extension of its deadline (once, with a
reason), the answer in the seed's parts (background, handling, problems, measures, the handler's name and office
phone, published), the proposer's rating, the reopening of an answer rated unsatisfied (a new round with a new
deadline) and the closing.

Each write is one function, keyword-only, in a transaction, permission-checked (whoever writes the proposal's
organization), audited, raising `RuleError` naming the field with nothing written when the request breaks a rule.
Edits carry the `version` read (stale: 409).

Deadlines come from the rules in force on the day received (`proposals.terms`, cited on the proposal as `rule`),
where an organization (or the nearest one above it) may have its own numbers (`by_org`): the review within
`pass_on_workdays` working days of the day received, the answer within `answer_workdays` working days (or
`answer_months`) of the day accepted or reopened, extendable once by `extend_workdays`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_org
from grassroots.congress.models import PracticalProject
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.dates import add_months
from grassroots.core.errors import RuleError
from grassroots.core.files import check_attachment
from grassroots.core.values import past_day as _past
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.core.workdays import add_workdays
from grassroots.deliberation.models import Seat
from grassroots.members.models import Member, MemberPeriod
from grassroots.opinions import services as opinion_services
from grassroots.opinions.models import Category, Channel, Opinion
from grassroots.orgs.models import Organization, Territory
from grassroots.orgs.selectors import ancestor_paths
from grassroots.rules.registry import RuleVersion, in_force

from .models import (
    Proposal,
    ProposalAnswer,
    ProposalAttachment,
    ProposalCategory,
    ProposalState,
    Proposer,
    ProposerRole,
    Satisfaction,
)

PROPOSAL_FIELDS = ("org", "number", "title", "category", "territory", "received_on", "project", "state",
                   "review_due", "reviewed_on", "review_note", "lead_unit", "co_handlers", "merged_into", "opinion",
                   "round", "answer_due", "extended_on", "extension_reason", "answered_on", "satisfaction",
                   "rated_on", "reopened_on", "closed_on")
ANSWER_PARTS = ("background", "handling", "problems", "measures")
MAX_PROPOSERS = 30
MAX_ATTACHMENTS = 10
SCOPE_KINDS = ("street", "town", "community", "village", "villager_group", "grid")


def today() -> dt.date:
    return timezone.localdate()


def _user() -> Any:
    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) else None


# --- the terms ------------------------------------------------------------------------------------------------

def terms_for(org: Organization, day: dt.date) -> tuple[RuleVersion, dict[str, Any]]:
    """The rule in force on `day` and its numbers for `org`: the rule's own, with those of the nearest
    organization at or above `org` that `by_org` names put over them."""
    rule = in_force("proposals.terms", day)
    params = {k: v for k, v in rule.params.items() if k != "by_org"}
    by_org = rule.params.get("by_org") or {}
    if by_org:
        codes = dict(Organization.objects.filter(path__in=ancestor_paths(org, including=True))
                     .values_list("path", "code"))
        for path in sorted(codes, key=len):
            override = by_org.get(codes[path])
            if override:
                params.update(override)
                if "answer_workdays" in override:
                    params.pop("answer_months", None)
                elif "answer_months" in override:
                    params.pop("answer_workdays", None)
    return rule, params


def review_due_from(received_on: dt.date, params: Mapping[str, Any]) -> dt.date:
    """The last day to review: `pass_on_workdays` working days counted from the working day after receipt."""
    return add_workdays(received_on + dt.timedelta(days=1), int(params["pass_on_workdays"]))


def answer_due_from(start: dt.date, params: Mapping[str, Any]) -> dt.date:
    """The last day to answer, counted from `start` (the day accepted or reopened)."""
    if params.get("answer_months"):
        return add_months(start, int(params["answer_months"]))
    return add_workdays(start + dt.timedelta(days=1), int(params["answer_workdays"]))


def _params(p: Proposal) -> dict[str, Any]:
    return terms_for(p.org, p.received_on)[1]


# --- entering -------------------------------------------------------------------------------------------------

def _next_number(org: Organization, year: int) -> str:
    prefix = f"{org.code}-{year}-T"
    numbers = [n or "" for n in Proposal.objects.filter(number__startswith=prefix).values_list("number", flat=True)]
    seq = max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0) + 1
    return f"{prefix}{seq:03d}"


def _related(a: Organization, b: Organization) -> bool:
    return a.path.startswith(b.path) or b.path.startswith(a.path)


def _proposers(org: Organization, proposers: Iterable[Mapping[str, Any]], day: dt.date) -> list[Proposer]:
    out: list[Proposer] = []
    seen: set[tuple[str, Any]] = set()
    for i, given in enumerate(proposers, 1):
        seat, member = given.get("seat"), given.get("member")
        name = _text(given.get("name"), "proposers", 50)
        role = str(given.get("role") or "")
        if seat is not None:
            seat = Seat.objects.select_related("body__org").get(pk=getattr(seat, "pk", seat))
            if not _related(seat.body.org, org):
                raise RuleError(_("%(name)s holds a seat of %(body)s, not of %(org)s's area")
                                % {"name": seat.name, "body": seat.body.name, "org": org}, field="proposers")
            if not seat.on(day):
                raise RuleError(_("%(name)s did not hold the seat on %(date)s") % {"name": seat.name, "date": day},
                                field="proposers")
            by_seat = member is None
            member = member or seat.member
            name = name or seat.name
            role = role or ProposerRole.REPRESENTATIVE
        else:
            by_seat = False
        if member is not None:
            member = Member.objects.select_related("org").get(pk=getattr(member, "pk", member))
            # The member's organization on the day (from the periods, not today's field: a representative may
            # have moved since); a member who holds the seat is of the seat's area by the seat itself.
            period = MemberPeriod.objects.on(day).filter(member=member).select_related("org").first()
            if not by_seat and (period is None or not _related(period.org, org)):
                raise RuleError(_("%(name)s is not a Party member of %(org)s's area") % {"name": member.name,
                                                                                        "org": org},
                                field="proposers")
            name = name or member.name
            role = role or ProposerRole.MEMBER
        if not name:
            continue
        role = role or ProposerRole.RESIDENTS_REP
        if role not in ProposerRole.values:
            raise RuleError(_("unknown role %(v)s") % {"v": role}, field="proposers")
        key = ("seat", seat.pk) if seat else ("member", member.pk) if member else ("name", name)
        if key in seen:
            raise RuleError(_("%(name)s is named twice") % {"name": name}, field="proposers")
        seen.add(key)
        out.append(Proposer(seat=seat, member=member, name=name, role=role, order=len(out) + 1))
        del i
    if not out:
        raise RuleError(_("name who proposes it"), field="proposers")
    if len(out) > MAX_PROPOSERS:
        raise RuleError(_("at most %(n)d proposers") % {"n": MAX_PROPOSERS}, field="proposers")
    return out


def _check_scope(org: Organization, territory: Territory | None) -> None:
    if territory is None:
        return
    if territory.kind not in SCOPE_KINDS:
        raise RuleError(_("a proposal's scope is a street, a community or a grid"), field="territory")
    if org.territory_id is not None:
        top = Territory.objects.get(pk=org.territory_id)
        if not territory.path.startswith(top.path):
            raise RuleError(_("%(place)s is not in %(org)s's area") % {"place": territory.name, "org": org},
                            field="territory")


def _check_project(org: Organization, project: PracticalProject | None) -> None:
    if project is not None:
        project = PracticalProject.objects.select_related("org").get(pk=project.pk)
        if not _related(project.org, org):
            raise RuleError(_("%(project)s is not a project of %(org)s's area") % {"project": project, "org": org},
                            field="project")


@transaction.atomic
def proposal_create(*, org: Organization, title: Any, received_on: Any, proposers: Iterable[Mapping[str, Any]],
                    text: Any = "", category: Any = ProposalCategory.OTHER, territory: Territory | None = None,
                    project: PracticalProject | None = None,
                    attachments: Iterable[tuple[Any, Any]] = ()) -> Proposal:
    """Enter a proposal received on `received_on` (a past day is fine: a secretary enters it for a representative
    without a phone), with its proposers in order (the first the lead: each {seat, member, name, role}), and
    number it for the organization and year."""
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    org = Organization.objects.select_for_update().get(pk=org.pk)  # one number at a time per organization
    require_write_org(org)
    if not org.is_active:
        raise RuleError(_("%(org)s has been revoked") % {"org": org}, field="org")
    day = _past(received_on, "received_on")
    if day < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(date)s") % {"org": org, "date": org.founded_on},
                        field="received_on")
    title = _text(title, "title", 200, required=True)
    text = _text(text, "text", 5000)
    category = str(category or ProposalCategory.OTHER)
    if category not in ProposalCategory.values:
        raise RuleError(_("unknown category %(v)s") % {"v": category}, field="category")
    _check_scope(org, territory)
    _check_project(org, project)
    people = _proposers(org, proposers, day)
    rule, params = terms_for(org, day)
    p = Proposal.objects.create(org=org, number=_next_number(org, day.year), title=title, text=text,
                                category=category, territory=territory, received_on=day, project=project,
                                rule=rule.cite, review_due=review_due_from(day, params))
    for person in people:
        person.proposal = p
    Proposer.objects.bulk_create(people)
    audit.record("proposals.create", p, after=audit.snapshot(p, PROPOSAL_FIELDS), org_id=org.pk,
                 extra={"proposers": [x.name for x in people]})
    for file, caption in attachments:
        attachment_add(proposal=p, file=file, caption=caption)
    return p


def _locked(p: Proposal, version: Any) -> Proposal:
    locked = Proposal.objects.select_for_update(of=("self",)).select_related("org").get(pk=p.pk)
    require_write_org(locked.org)
    check_version(locked, version)
    return locked


def _saved(p: Proposal, action: str, before: dict[str, Any], **extra: Any) -> Proposal:
    p.save()
    audit.record(f"proposals.{action}", p, before=before, after=audit.snapshot(p, PROPOSAL_FIELDS),
                 org_id=p.org_id, extra=extra or None)
    return p


def _on(value: Any, field: str, not_before: dt.date, what: str) -> dt.date:
    day = _past(value, field)
    if day < not_before:
        raise RuleError(_("%(date)s is before %(what)s on %(when)s") % {"date": day, "what": what,
                                                                        "when": not_before}, field=field)
    return day


def _state(p: Proposal, *states: str, field: str = "state") -> None:
    if p.state not in states:
        raise RuleError(_("the proposal is %(state)s") % {"state": p.get_state_display()}, field=field)


@transaction.atomic
def attachment_add(*, proposal: Proposal, file: Any, caption: Any = "") -> ProposalAttachment:
    """Attach a photo or a PDF (the paper proposal), checked by `core.files.check_attachment`."""
    p = Proposal.objects.select_for_update(of=("self",)).select_related("org").get(pk=proposal.pk)
    require_write_org(p.org)
    if p.attachments.count() >= MAX_ATTACHMENTS:
        raise RuleError(_("at most %(n)d attachments") % {"n": MAX_ATTACHMENTS}, field="file")
    name, size = check_attachment(file)
    a = ProposalAttachment(proposal=p, caption=_text(caption, "caption", 200), size=size,
                           content_type=getattr(file, "content_type", "") or "")
    a.file.save(name, file, save=False)
    a.save()
    audit.record("proposals.attachment_add", p, org_id=p.org_id, extra={"file": name, "size": size})
    return a


@transaction.atomic
def set_project(*, proposal: Proposal, project: PracticalProject | None, version: Any = None) -> Proposal:
    """Link the proposal to a practical project of its organization's area (or unlink it)."""
    p = _locked(proposal, version)
    _check_project(p.org, project)
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.project = project
    return _saved(p, "set_project", before)


# --- the review -----------------------------------------------------------------------------------------------

@transaction.atomic
def accept(*, proposal: Proposal, on: Any, lead_unit: Any, co_handlers: Any = "", note: Any = "",
           version: Any = None) -> Proposal:
    """Accept the proposal on `on` and assign it to a lead unit with co-handlers; the answer is due by the terms'
    deadline counted from that day."""
    p = _locked(proposal, version)
    _state(p, ProposalState.RECEIVED)
    day = _on(on, "on", p.received_on, _("the proposal was received"))
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.lead_unit = _text(lead_unit, "lead_unit", 100, required=True)
    p.co_handlers = _text(co_handlers, "co_handlers", 300)
    p.review_note = _text(note, "note", 300)
    p.state, p.reviewed_on, p.round = ProposalState.ACCEPTED, day, 1
    p.answer_due = p.first_answer_due = answer_due_from(day, _params(p))
    return _saved(p, "accept", before)


@transaction.atomic
def merge(*, proposal: Proposal, into: Proposal | None, on: Any, note: Any = "", version: Any = None) -> Proposal:
    """Merge the proposal into a duplicate of the same organization (not itself merged or turned into an
    opinion): it is handled and answered there."""
    p = _locked(proposal, version)
    _state(p, ProposalState.RECEIVED)
    if into is None:
        raise RuleError(_("name the proposal it duplicates"), field="into")
    target = Proposal.objects.get(pk=into.pk)
    if target.pk == p.pk or target.org_id != p.org_id:
        raise RuleError(_("merge into another proposal of %(org)s") % {"org": p.org}, field="into")
    if target.state in (ProposalState.MERGED, ProposalState.CONVERTED):
        raise RuleError(_("%(number)s is %(state)s") % {"number": target.number,
                                                        "state": target.get_state_display()}, field="into")
    day = _on(on, "on", p.received_on, _("the proposal was received"))
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.state, p.reviewed_on, p.merged_into = ProposalState.MERGED, day, target
    p.review_note = _text(note, "note", 300)
    p.closed_on = day
    return _saved(p, "merge", before)


def station_of(org: Organization) -> Organization | None:
    """The residents' opinion station a proposal of `org` goes to when not accepted: the nearest organization at
    or above `org` that has categories of opinions."""
    paths = ancestor_paths(org, including=True)
    return (Organization.objects.filter(path__in=paths, opinion_categories__active=True).distinct()
            .order_by("-depth").first())


@transaction.atomic
def convert(*, proposal: Proposal, on: Any, category: Category | None, note: Any = "",
            version: Any = None) -> Opinion:
    """Not accepted: in one step, the proposal becomes a residents' opinion of the station (`station_of`) in the
    opinion `category` given, received on `on` from the lead proposer at a meeting, routed as the category says;
    the proposal keeps the opinion (`opinion`) and is closed."""
    p = _locked(proposal, version)
    _state(p, ProposalState.RECEIVED)
    day = _on(on, "on", p.received_on, _("the proposal was received"))
    station = station_of(p.org)
    if station is None:
        raise RuleError(_("%(org)s has no residents' opinion station above it") % {"org": p.org}, field="category")
    if category is None or category.org_id != station.pk:
        raise RuleError(_("choose a category of %(station)s") % {"station": station}, field="category")
    lead = p.proposers.order_by("order").first()
    text = p.title if not p.text else f"{p.title}\n{p.text}"
    values: dict[str, Any] = {"text": text[:opinion_services.MAX_TEXT], "category": category,
                              "channel": Channel.VISIT, "territory": p.territory,
                              "submitter_name": lead.name if lead else ""}
    if day < today():
        opinion = opinion_services.submit_past_opinion(station, received_on=day, **values)
    else:
        opinion = opinion_services.submit_opinion(station, received_on=day, **values)
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.state, p.reviewed_on, p.opinion, p.closed_on = ProposalState.CONVERTED, day, opinion, day
    p.review_note = _text(note, "note", 300)
    _saved(p, "convert", before, opinion=opinion.number)
    return opinion


# --- handling -------------------------------------------------------------------------------------------------

@transaction.atomic
def extend(*, proposal: Proposal, on: Any, reason: Any, version: Any = None) -> Proposal:
    """Extend the first answer's deadline once by the terms' `extend_workdays`, with a reason, on or before it."""
    p = _locked(proposal, version)
    _state(p, ProposalState.ACCEPTED)
    if p.extended_on is not None:
        raise RuleError(_("the deadline was already extended on %(date)s") % {"date": p.extended_on},
                        field="reason")
    if p.round != 1:
        raise RuleError(_("only the first answer's deadline may be extended"), field="reason")
    reason = _text(reason, "reason", 300, required=True)
    assert p.reviewed_on is not None and p.answer_due is not None
    day = _on(on, "on", p.reviewed_on, _("the proposal was accepted"))
    if day > p.answer_due:
        raise RuleError(_("the deadline %(due)s has passed") % {"due": p.answer_due}, field="on")
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.answer_due = add_workdays(p.answer_due + dt.timedelta(days=1), int(_params(p)["extend_workdays"]))
    p.extended_on, p.extension_reason = day, reason
    return _saved(p, "extend", before)


@transaction.atomic
def answer(*, proposal: Proposal, answered_on: Any, handling: Any, handler_name: Any, background: Any = "",
           problems: Any = "", measures: Any = "", handler_phone: Any = "", version: Any = None) -> ProposalAnswer:
    """The answer of the round, in the seed's parts, with the handler's name and office phone (both published)."""
    p = _locked(proposal, version)
    _state(p, ProposalState.ACCEPTED)
    assert p.reviewed_on is not None and p.answer_due is not None
    start = p.reopened_on if p.round > 1 and p.reopened_on else p.reviewed_on
    day = _on(answered_on, "answered_on", start, _("the round began"))
    parts = {name: _text(v, name, 3000, required=name == "handling")
             for name, v in (("background", background), ("handling", handling), ("problems", problems),
                             ("measures", measures))}
    phone = _text(handler_phone, "handler_phone", 30)
    if phone and not all(c.isdigit() or c in "-+() " for c in phone):
        raise RuleError(_("not a phone number"), field="handler_phone")
    a = ProposalAnswer.objects.create(proposal=p, round=p.round, answered_on=day, due=p.answer_due,
                                      handler_name=_text(handler_name, "handler_name", 50, required=True),
                                      handler_phone=phone, written_by=_user(), **parts)
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.state, p.answered_on = ProposalState.ANSWERED, day
    p.first_answered_on = p.first_answered_on or day
    _saved(p, "answer", before, round=a.round)
    return a


@transaction.atomic
def rate(*, proposal: Proposal, satisfaction: Any, on: Any, comment: Any = "", version: Any = None) -> Proposal:
    """The proposer's satisfaction with the round's answer: satisfied, basically satisfied or unsatisfied."""
    p = _locked(proposal, version)
    _state(p, ProposalState.ANSWERED)
    if satisfaction not in Satisfaction.values:
        raise RuleError(_("choose satisfied, basically satisfied or unsatisfied"), field="satisfaction")
    assert p.answered_on is not None
    day = _on(on, "on", p.answered_on, _("the answer"))
    comment = _text(comment, "comment", 300)
    ProposalAnswer.objects.filter(proposal=p, round=p.round).update(satisfaction=satisfaction, rated_on=day,
                                                                     rating_comment=comment)
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.state, p.satisfaction, p.rated_on, p.rating_comment = ProposalState.RATED, satisfaction, day, comment
    return _saved(p, "rate", before)


@transaction.atomic
def reopen(*, proposal: Proposal, on: Any, reason: Any, version: Any = None) -> Proposal:
    """An answer rated unsatisfied is handled again: a new round, answered by a new deadline counted from `on`."""
    p = _locked(proposal, version)
    _state(p, ProposalState.RATED)
    if p.satisfaction != Satisfaction.UNSATISFIED:
        raise RuleError(_("only an answer rated unsatisfied is reopened"), field="on")
    assert p.rated_on is not None
    day = _on(on, "on", p.rated_on, _("the rating"))
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.state, p.round = ProposalState.ACCEPTED, p.round + 1
    p.answer_due = answer_due_from(day, _params(p))
    p.review_note = _text(reason, "reason", 300, required=True)
    p.satisfaction, p.rated_on, p.rating_comment = "", None, ""
    p.reopened_on = day  # the round starts then: its answer may not be dated before it
    return _saved(p, "reopen", before, round=p.round, reopened_on=day.isoformat())


@transaction.atomic
def close(*, proposal: Proposal, on: Any, note: Any = "", version: Any = None) -> Proposal:
    """Close a rated proposal (an unsatisfied one too, when it is not to be handled again: say why)."""
    p = _locked(proposal, version)
    _state(p, ProposalState.RATED)
    assert p.rated_on is not None
    day = _on(on, "on", p.rated_on, _("the rating"))
    note = _text(note, "note", 300, required=p.satisfaction == Satisfaction.UNSATISFIED)
    before = audit.snapshot(p, PROPOSAL_FIELDS)
    p.state, p.closed_on = ProposalState.CLOSED, day
    if note:
        p.review_note = note
    return _saved(p, "close", before)
