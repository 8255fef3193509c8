"""Writes to recruitment: each a named function, in one transaction, permission-checked, audited.

Every function locks the candidate, checks the request against the recruitment rules in force on the
step's date (`grassroots.rules.registry.in_force`), writes the step, then derives the candidate's stage
dates from all of its steps (`rebuild_candidate`), so that no stage date is ever typed. A request that
breaks a rule raises `RuleError` and writes nothing.

The order of the procedure (a step needs every step listed for it, dated on or before its own date):

    talked, recommended ............ applied
    activist_decided ............... talked, recommended
    contacts_assigned, assessed .... activist_decided
    notice ......................... activist_decided
    target_listed .................. activist_decided (+ one year; + a completed notice under the 2026 rules)
    introducers_assigned, political_review, training ... target_listed
    committee_review ............... target_listed, introducers_assigned, political_review, training
    pre_review ..................... committee_review (+ a completed notice under the 2014 rules)
    admission_vote ................. pre_review (+ enough concentrated training)
    higher_approval ................ a passed admission vote
    oath, conversion_vote, probation_extended, probation_cancelled ... higher_approval
    conversion_approved ............ a passed conversion vote
    withdrawn ...................... applied (not once admitted: cancel the probation instead)

Lateness is recorded, never refused: a step with a deadline stores `due` and `late` in its details (and the
rule's cite in details["rule"]), and the findings engine reports it. Rules whose breach makes a step invalid
(the one-year minimum, the public notice, the training, the vote counts) refuse the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_org
from grassroots.core import audit, idnumber
from grassroots.core.dates import add_months, add_years
from grassroots.core.errors import RuleError
from grassroots.core.workdays import workdays_between
from grassroots.members.models import EventKind, Member, MemberPeriod, Status
from grassroots.members.services import (
    MEMBER_ORG_KINDS,
    HiddenIDNumberError,
    member_create,
    member_record_event,
    record_duplicate_id_attempt,
    validate_person,
)
from grassroots.orgs.models import Organization
from grassroots.rules.registry import RuleVersion, in_force

from .models import BranchVote, Candidate, CandidateStep, ContactRole, Sponsor, Stage, StepKind, VotePurpose

K = StepKind

PREREQUISITES: dict[str, tuple[str, ...]] = {
    K.TALKED: (K.APPLIED,),
    K.RECOMMENDED: (K.APPLIED,),
    K.ACTIVIST_DECIDED: (K.TALKED, K.RECOMMENDED),
    K.CONTACTS_ASSIGNED: (K.ACTIVIST_DECIDED,),
    K.ASSESSED: (K.ACTIVIST_DECIDED,),
    K.NOTICE: (K.ACTIVIST_DECIDED,),
    K.TARGET_LISTED: (K.ACTIVIST_DECIDED,),
    K.INTRODUCERS_ASSIGNED: (K.TARGET_LISTED,),
    K.POLITICAL_REVIEW: (K.TARGET_LISTED,),
    K.TRAINING: (K.TARGET_LISTED,),
    K.COMMITTEE_REVIEW: (K.TARGET_LISTED, K.INTRODUCERS_ASSIGNED, K.POLITICAL_REVIEW, K.TRAINING),
    K.PRE_REVIEW: (K.COMMITTEE_REVIEW,),
    K.ADMISSION_VOTE: (K.PRE_REVIEW,),
    K.HIGHER_APPROVAL: (K.ADMISSION_VOTE,),
    K.OATH: (K.HIGHER_APPROVAL,),
    K.CONVERSION_VOTE: (K.HIGHER_APPROVAL,),
    K.CONVERSION_APPROVED: (K.CONVERSION_VOTE,),
    K.PROBATION_EXTENDED: (K.HIGHER_APPROVAL,),
    K.PROBATION_CANCELLED: (K.HIGHER_APPROVAL,),
    K.WITHDRAWN: (K.APPLIED,),
}
# Steps that may happen more than once; every other step happens once per candidacy.
REPEATABLE = (K.ASSESSED, K.NOTICE, K.TRAINING, K.ADMISSION_VOTE, K.CONVERSION_VOTE, K.CONTACTS_ASSIGNED,
              K.INTRODUCERS_ASSIGNED)
# The steps `candidate_record_step` takes; the others have their own function.
GENERIC_KINDS = (K.TALKED, K.RECOMMENDED, K.ACTIVIST_DECIDED, K.ASSESSED, K.TARGET_LISTED, K.POLITICAL_REVIEW,
                 K.TRAINING, K.COMMITTEE_REVIEW, K.PRE_REVIEW, K.OATH)
# Steps of the way in, which make no sense once the candidate has been admitted.
BEFORE_ADMISSION = (K.TALKED, K.RECOMMENDED, K.ACTIVIST_DECIDED, K.CONTACTS_ASSIGNED, K.ASSESSED, K.NOTICE,
                    K.TARGET_LISTED, K.INTRODUCERS_ASSIGNED, K.POLITICAL_REVIEW, K.TRAINING, K.COMMITTEE_REVIEW,
                    K.PRE_REVIEW, K.ADMISSION_VOTE, K.WITHDRAWN)
CANDIDATE_FIELDS = ("name", "org", "stage", "applied_on", "activist_on", "target_on", "admitted_on",
                    "converted_on", "closed_on", "close_reason", "member")


# --- small helpers ----------------------------------------------------------------------------------------
def today() -> dt.date:
    return timezone.localdate()


def _snapshot(candidate: Candidate) -> dict[str, Any]:
    return audit.snapshot(candidate, CANDIDATE_FIELDS)


def _label(kind: str) -> str:
    return str(StepKind(kind).label)


def _lock(candidate: Candidate) -> Candidate:
    """Lock the candidate's row and bring the caller's instance up to date."""
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    candidate.refresh_from_db()
    return candidate


def _steps(candidate: Candidate) -> list[CandidateStep]:
    return list(candidate.steps.order_by("date", "id"))


def _of(steps: Iterable[CandidateStep], kind: str) -> list[CandidateStep]:
    return [s for s in steps if s.kind == kind]


def _done_on(step: CandidateStep) -> dt.date:
    """When a step was complete: the end of a notice or training, else its date."""
    return step.end_date or step.date


def _check_date(on: Any, field: str = "on") -> dt.date:
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise RuleError(_("a date is required"), field=field)
    if on > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field=field)
    return on


def _check_open(candidate: Candidate) -> None:
    if candidate.closed_on is not None:
        raise RuleError(_("the candidacy of %(name)s was closed on %(date)s")
                        % {"name": candidate.name, "date": candidate.closed_on})
    if candidate.converted_on is not None:
        raise RuleError(_("%(name)s is already a full member") % {"name": candidate.name})


def _check_order(candidate: Candidate, steps: list[CandidateStep], kind: str, on: dt.date,
                 field: str = "on") -> None:
    """The step's prerequisites exist and are dated on or before it; a one-off step is not repeated."""
    if kind not in REPEATABLE and _of(steps, kind):
        raise RuleError(_("%(step)s was already recorded on %(date)s")
                        % {"step": _label(kind), "date": _of(steps, kind)[0].date}, field="kind")
    if kind in BEFORE_ADMISSION and candidate.admitted_on is not None:
        raise RuleError(_("%(name)s was admitted on %(date)s: %(step)s is a step before admission")
                        % {"name": candidate.name, "date": candidate.admitted_on, "step": _label(kind)},
                        field="kind")
    for prev in PREREQUISITES.get(kind, ()):
        found = _of(steps, prev)
        if not found:
            raise RuleError(_("%(step)s needs %(prev)s first") % {"step": _label(kind), "prev": _label(prev)},
                            field="kind")
        first = min(_done_on(s) for s in found)
        if first > on:
            raise RuleError(_("%(step)s on %(date)s is dated before %(prev)s on %(prev_date)s")
                            % {"step": _label(kind), "date": on, "prev": _label(prev), "prev_date": first},
                            field=field)


def _deadline(details: dict[str, Any], rule: RuleVersion, due: dt.date, on: dt.date) -> None:
    details.update({"rule": rule.cite, "due": due.isoformat(), "late": on > due})


def _write_step(candidate: Candidate, kind: str, on: dt.date, *, end_date: dt.date | None = None,
                details: dict[str, Any] | None = None, note: str = "") -> CandidateStep:
    before = _snapshot(candidate)
    step = CandidateStep.objects.create(candidate=candidate, kind=kind, date=on, end_date=end_date,
                                        details=details or {}, note=(note or "").strip())
    rebuild_candidate(candidate)
    audit.record(f"candidate.{kind}", candidate, before=before, after=_snapshot(candidate),
                 org_id=candidate.org_id,
                 extra={"step": step.pk, "date": on, "end_date": end_date, "note": step.note, **step.details})
    return step


def _check_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > 300:
        raise RuleError(_("at most 300 characters"), field=field)
    return note


# The steps `candidate_take_step` records (the notice, the sponsors and the votes have services of their own).
TAKEN_KINDS = (*GENERIC_KINDS, K.HIGHER_APPROVAL, K.CONVERSION_APPROVED, K.PROBATION_EXTENDED,
               K.PROBATION_CANCELLED, K.WITHDRAWN)


# --- derived fields -------------------------------------------------------------------------------------
def rebuild_candidate(candidate: Candidate) -> None:
    """Derive the stage dates, the stage and the closing from the candidate's steps (never typed)."""
    steps = _steps(candidate)

    def first(kind: str) -> CandidateStep | None:
        found = _of(steps, kind)
        return found[0] if found else None

    applied = first(K.APPLIED)
    activist = first(K.ACTIVIST_DECIDED)
    target = first(K.TARGET_LISTED)
    approval = first(K.HIGHER_APPROVAL)
    conversion = first(K.CONVERSION_APPROVED)
    closing = first(K.WITHDRAWN) or first(K.PROBATION_CANCELLED)
    if applied is not None:
        candidate.applied_on = applied.date
    candidate.activist_on = activist.date if activist else None
    candidate.target_on = target.date if target else None
    candidate.admitted_on = dt.date.fromisoformat(approval.details["vote_date"]) if approval else None
    candidate.converted_on = dt.date.fromisoformat(conversion.details["converted_on"]) if conversion else None
    candidate.closed_on = closing.date if closing else None
    candidate.close_reason = str(closing.details.get("reason", ""))[:200] if closing else ""
    if candidate.closed_on is not None:
        candidate.stage = Stage.CLOSED
    elif candidate.converted_on is not None:
        candidate.stage = Stage.FULL
    elif candidate.admitted_on is not None:
        candidate.stage = Stage.PROBATIONARY
    elif candidate.target_on is not None:
        candidate.stage = Stage.DEVELOPMENT_TARGET
    elif candidate.activist_on is not None:
        candidate.stage = Stage.ACTIVIST
    else:
        candidate.stage = Stage.APPLICANT
    candidate.save(update_fields=["applied_on", "activist_on", "target_on", "admitted_on", "converted_on",
                                  "closed_on", "close_reason", "stage"])


def probation_end(candidate: Candidate) -> dt.date | None:
    """The end of probation: one year from the admitting meeting, plus any extension; None before admission."""
    if candidate.admitted_on is None:
        return None
    rule = in_force("recruitment.probation", candidate.admitted_on)
    end = add_years(candidate.admitted_on, int(rule["years"]))
    for step in candidate.steps.all():  # all(): a caller may have prefetched the steps (the pipeline board)
        if step.kind == K.PROBATION_EXTENDED:
            end = add_months(end, int(step.details.get("months", 0)))
    return end


def _full_on(member_ids: Iterable[int], day: dt.date) -> set[int]:
    """Which of these members were full members, not suspended, on `day` (from their periods)."""
    return set(MemberPeriod.objects.on(day).filter(member_id__in=list(member_ids), status=Status.FULL,
                                                   suspended=False).values_list("member_id", flat=True))


# --- the services ---------------------------------------------------------------------------------------
def candidate_apply(*, name: str, sex: str, birth_date: dt.date, id_number: str, education: str, occupation: str,
                    org: Organization, applied_on: dt.date, ethnicity: str = "汉族", phone: str = "") -> Candidate:
    """Receive an application to join (recruitment.min_age: at least 18 on the application date). An ID number
    held by a member or an open application the user may not read is refused neutrally, the attempt logged."""
    try:
        return _candidate_apply(name=name, sex=sex, birth_date=birth_date, id_number=id_number, education=education,
                                occupation=occupation, org=org, applied_on=applied_on, ethnicity=ethnicity,
                                phone=phone)
    except HiddenIDNumberError:
        record_duplicate_id_attempt(idnumber.normalize(id_number), org)
        raise


@transaction.atomic
def _candidate_apply(*, name: str, sex: str, birth_date: dt.date, id_number: str, education: str, occupation: str,
                     org: Organization, applied_on: dt.date, ethnicity: str, phone: str) -> Candidate:
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    applied_on = _check_date(applied_on, "applied_on")
    if org.kind not in MEMBER_ORG_KINDS:
        raise RuleError(_("applications go to a branch or committee, not a %(kind)s")
                        % {"kind": org.get_kind_display()}, field="org")
    if org.revoked_on is not None and org.revoked_on <= applied_on:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="org")
    if applied_on < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(founded)s, after %(date)s")
                        % {"org": org, "founded": org.founded_on, "date": applied_on}, field="applied_on")
    number = validate_person(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, id_number=id_number,
                             education=education, occupation=occupation)
    rule = in_force("recruitment.min_age", applied_on)
    if add_years(birth_date, int(rule["years"])) > applied_on:
        raise RuleError(_("the applicant was under %(years)s on %(date)s")
                        % {"years": rule["years"], "date": applied_on}, field="birth_date")
    open_one = Candidate.objects.filter(id_number=number, closed_on__isnull=True).select_related("org").first()
    if open_one is not None:
        if not current_scope().can_read_org(open_one.org):  # an application elsewhere: said neutrally
            raise HiddenIDNumberError(number)
        raise RuleError(_("this person already has an open application"), field="id_number")
    candidate = Candidate.objects.create(
        name=name.strip(), sex=sex, ethnicity=ethnicity.strip(), birth_date=birth_date, id_number=number,
        phone=(phone or "").strip(), education=education, occupation=occupation, org=org, applied_on=applied_on)
    CandidateStep.objects.create(candidate=candidate, kind=K.APPLIED, date=applied_on, details={"rule": rule.cite})
    rebuild_candidate(candidate)
    after = _snapshot(candidate)
    after["id_number"] = idnumber.mask(number)
    audit.record("candidate.applied", candidate, after=after, org_id=candidate.org_id, extra={"rule": rule.cite})
    return candidate


@transaction.atomic
def candidate_record_step(candidate: Candidate, *, kind: str, on: dt.date, end_date: dt.date | None = None,
                          details: dict[str, Any] | None = None, note: str = "") -> CandidateStep:
    """Record one dated step of the procedure (see the module docstring for the order).

    Concentrated training (`training`, from `on` to `end_date`, class hours in details["hours"]) is
    recorded whatever its length, with details days/hours/sufficient: a branch may hold it in several
    sessions, so the rule (3 days or 24 class hours, in total) is enforced when the admission vote is
    recorded, which is refused until the training adds up.
    """
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    if kind not in GENERIC_KINDS:
        raise RuleError(_("%(kind)s is not recorded here") % {"kind": kind}, field="kind")
    on = _check_date(on)
    note = _check_note(note)
    if details is not None and not isinstance(details, dict):
        raise RuleError(_("details must be a mapping"), field="details")
    details = dict(details or {})
    _check_open(candidate)
    if end_date is not None:
        if kind != K.TRAINING:
            raise RuleError(_("only a training has an end date"), field="end_date")
        end_date = _check_date(end_date, "end_date")
        if end_date < on:
            raise RuleError(_("the end %(end)s is before the start %(start)s") % {"end": end_date, "start": on},
                            field="end_date")
    steps = _steps(candidate)
    _check_order(candidate, steps, kind, on)

    if kind == K.TALKED:
        rule = in_force("recruitment.talk_within", candidate.applied_on)
        _deadline(details, rule, add_months(candidate.applied_on, int(rule["months"])), on)
    elif kind == K.ASSESSED:
        rule = in_force("recruitment.activist_assessment", on)
        assert candidate.activist_on is not None
        since = max([candidate.activist_on] + [s.date for s in _of(steps, K.ASSESSED)])
        _deadline(details, rule, add_months(since, int(rule["months"])), on)
    elif kind == K.TARGET_LISTED:
        _check_listing(candidate, steps, on, details)
    elif kind == K.POLITICAL_REVIEW:
        details["rule"] = in_force("recruitment.political_review", on).cite
    elif kind == K.TRAINING:
        rule = in_force("recruitment.training", on)
        hours = details.get("hours", 0)
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            raise RuleError(_("class hours must be a number of hours"), field="details")
        days = ((end_date or on) - on).days + 1
        details.update({"rule": rule.cite, "days": days, "hours": hours,
                        "sufficient": days >= int(rule["days"]) or hours >= rule["hours"]})
    elif kind == K.PRE_REVIEW:
        rule = in_force("recruitment.public_notice", on)
        if rule["stage"] == "pre_review":
            notice = _completed_notice(steps, rule, on)
            details.update({"rule": rule.cite, "notice": notice.pk})
    return _write_step(candidate, kind, on, end_date=end_date, details=details, note=note)


def _completed_notice(steps: list[CandidateStep], rule: RuleVersion, before: dt.date) -> CandidateStep:
    """A public notice of at least the rule's working days, after the activist decision, over before `before`."""
    need = int(rule["working_days"])
    activist = min((s.date for s in _of(steps, K.ACTIVIST_DECIDED)), default=None)
    for notice in reversed(_of(steps, K.NOTICE)):
        end = _done_on(notice)
        if end < before and (activist is None or notice.date >= activist) \
                and workdays_between(notice.date, end) >= need:
            return notice
    raise RuleError(_("a public notice of at least %(n)s working days must be completed before %(date)s (%(rule)s)")
                    % {"n": need, "date": before, "rule": rule.cite}, field="on")


def _check_listing(candidate: Candidate, steps: list[CandidateStep], on: dt.date, details: dict[str, Any]) -> None:
    assert candidate.activist_on is not None
    rule = in_force("recruitment.activist_min_period", on)
    earliest = add_years(candidate.activist_on, int(rule["years"]))
    if on < earliest:
        raise RuleError(_("an activist since %(since)s can be listed as development target from %(earliest)s (%(rule)s)")
                        % {"since": candidate.activist_on, "earliest": earliest, "rule": rule.cite}, field="on")
    details["rule"] = rule.cite
    notice_rule = in_force("recruitment.public_notice", on)
    if notice_rule["stage"] == "listing":
        notice = _completed_notice(steps, notice_rule, on)
        details.update({"notice_rule": notice_rule.cite, "notice": notice.pk})


@transaction.atomic
def candidate_publish_notice(candidate: Candidate, *, start: dt.date, end: dt.date, note: str = "") -> CandidateStep:
    """Record a public notice from `start` to `end` (both included); it must last at least the rule's working
    days (recruitment.public_notice in force on `start`, counted on the Chinese working-day calendar).
    The end may lie ahead (a notice running now); the listing or pre-review that needs it must come after it."""
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    start = _check_date(start, "start")
    if not isinstance(end, dt.date):
        raise RuleError(_("a date is required"), field="end")
    if end < start:
        raise RuleError(_("the end %(end)s is before the start %(start)s") % {"end": end, "start": start},
                        field="end")
    note = _check_note(note)
    _check_open(candidate)
    steps = _steps(candidate)
    _check_order(candidate, steps, K.NOTICE, start, field="start")
    rule = in_force("recruitment.public_notice", start)
    days = workdays_between(start, end)
    if days < int(rule["working_days"]):
        raise RuleError(_("the notice lasts %(days)s working days, fewer than %(n)s (%(rule)s)")
                        % {"days": days, "n": rule["working_days"], "rule": rule.cite}, field="end")
    return _write_step(candidate, K.NOTICE, start, end_date=end, note=note,
                       details={"rule": rule.cite, "working_days": days, "stage": rule["stage"]})


@transaction.atomic
def candidate_assign_sponsors(candidate: Candidate, *, role: str, members: Sequence[Member], on: dt.date
                              ) -> list[Sponsor]:
    """Assign training contacts (1-2, to an activist) or introducers (2, to a development target): full members
    on `on`, not suspended. A new assignment replaces the previous one of the same role from `on`."""
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    if role == ContactRole.TRAINING_CONTACT:
        kind, rule = K.CONTACTS_ASSIGNED, in_force("recruitment.training_contacts", on)
        low, high = int(rule["min"]), int(rule["max"])
    elif role == ContactRole.INTRODUCER:
        kind, rule = K.INTRODUCERS_ASSIGNED, in_force("recruitment.introducers", on)
        low = high = int(rule["count"])
    else:
        raise RuleError(_("unknown role %(role)s") % {"role": role}, field="role")
    _check_open(candidate)
    chosen = list(members or ())
    ids = [m.pk for m in chosen]
    if len(set(ids)) != len(ids):
        raise RuleError(_("the same member is named twice"), field="members")
    if not low <= len(ids) <= high:
        message = (_("exactly %(n)s members are needed (%(rule)s)") % {"n": low, "rule": rule.cite} if low == high
                   else _("%(low)s to %(high)s members are needed (%(rule)s)")
                   % {"low": low, "high": high, "rule": rule.cite})
        raise RuleError(message, field="members")
    full = _full_on(ids, on)
    for m in chosen:
        if m.pk not in full:
            raise RuleError(_("%(name)s was not a full member with rights on %(date)s (%(rule)s)")
                            % {"name": m.name, "date": on, "rule": rule.cite}, field="members")
        if candidate.member_id is not None and m.pk == candidate.member_id:
            raise RuleError(_("a candidate cannot sponsor themselves"), field="members")
    steps = _steps(candidate)
    _check_order(candidate, steps, kind, on)
    current = Sponsor.objects.filter(candidate=candidate, role=role, until__isnull=True)
    latest = max((s.since for s in current), default=None)
    if latest is not None and on < latest:
        raise RuleError(_("the current assignment dates from %(since)s; a new one cannot start before it")
                        % {"since": latest}, field="on")
    current.update(until=on)
    sponsors = [Sponsor.objects.create(candidate=candidate, member=m, role=role, since=on) for m in chosen]
    _write_step(candidate, kind, on, details={"rule": rule.cite, "members": ids, "names": [m.name for m in chosen]})
    return sponsors


def _active_sponsors(candidate: Candidate, role: str, day: dt.date) -> list[Sponsor]:
    return [s for s in candidate.sponsors.filter(role=role, since__lte=day) if s.until is None or s.until > day]


@transaction.atomic
def branch_vote_record(candidate: Candidate, *, purpose: str, on: dt.date, attended: Sequence[Member],
                       written: Sequence[Member] = (), yes: int, no: int, abstain: int, minutes: str = "") -> BranchVote:
    """Record the branch general meeting's vote on admission or conversion; quorum and result are computed.

    Entitled: full members of the candidate's branch on `on`, not suspended (probationary members have no
    vote). `attended` are the entitled members present; `written` the written opinions of entitled members
    who were absent. `yes`, `no` and `abstain` count every ballot, the in-person ballots and the written
    opinions together, so they add up to at most attended + written. Quorum: more than half of the entitled
    attended; passed: quorate and `yes` more than half of the entitled. A vote without quorum is recorded
    (quorate and passed False) and admits nobody. A meeting later than a month after the pre-review is
    recorded with details late=True.
    """
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    if purpose not in VotePurpose.values:
        raise RuleError(_("unknown purpose %(p)s") % {"p": purpose}, field="purpose")
    for field, value in (("yes", yes), ("no", no), ("abstain", abstain)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RuleError(_("a count of ballots is a whole number, 0 or more"), field=field)
    _check_open(candidate)
    kind = K.ADMISSION_VOTE if purpose == VotePurpose.ADMISSION else K.CONVERSION_VOTE
    steps = _steps(candidate)
    _check_order(candidate, steps, kind, on)
    if candidate.votes.filter(purpose=purpose, passed=True).exists():
        raise RuleError(_("a vote on %(purpose)s has already passed") % {"purpose": VotePurpose(purpose).label},
                        field="purpose")
    details: dict[str, Any] = {}
    if purpose == VotePurpose.ADMISSION:
        _check_ready_for_admission(candidate, steps, on, details)
    else:
        end = probation_end(candidate)
        assert end is not None
        if on < end:
            raise RuleError(_("the probation ends on %(end)s; the meeting on conversion comes after it")
                            % {"end": end}, field="on")
        details["probation_end"] = end.isoformat()

    rule = in_force("recruitment.vote", on)
    entitled = set(MemberPeriod.objects.on(on).filter(org=candidate.org, status=Status.FULL, suspended=False)
                   .values_list("member_id", flat=True))
    attended_ids = {m.pk for m in attended}
    written_ids = {m.pk for m in written}
    by_id = {m.pk: m for m in [*attended, *written]}
    for field, group in (("attended", attended_ids), ("written", written_ids)):
        outside = sorted(by_id[i].name for i in group - entitled)
        if outside:
            raise RuleError(_("not entitled to vote on %(date)s (not full members of %(org)s with voting rights): "
                              "%(names)s") % {"date": on, "org": candidate.org, "names": ", ".join(outside)},
                            field=field)
    both = sorted(by_id[i].name for i in attended_ids & written_ids)
    if both:
        raise RuleError(_("written opinions come from absent members; these attended: %(names)s")
                        % {"names": ", ".join(both)}, field="written")
    ballots = yes + no + abstain
    if ballots > len(attended_ids) + len(written_ids):
        raise RuleError(_("%(ballots)s ballots, more than the %(n)s members who attended or gave a written opinion")
                        % {"ballots": ballots, "n": len(attended_ids) + len(written_ids)}, field="yes")
    quorate = 2 * len(attended_ids) > len(entitled)
    passed = quorate and 2 * yes > len(entitled)
    vote = BranchVote.objects.create(candidate=candidate, org=candidate.org, purpose=purpose, date=on, yes=yes,
                                     no=no, abstain=abstain, quorate=quorate, passed=passed, rule=rule.cite,
                                     minutes=minutes or "")
    vote.entitled.set(entitled)
    vote.attended.set(attended_ids)
    vote.written.set(written_ids)
    details.update({"vote": vote.pk, "rule": rule.cite, "entitled": len(entitled), "attended": len(attended_ids),
                    "written": len(written_ids), "yes": yes, "no": no, "abstain": abstain, "quorate": quorate,
                    "passed": passed})
    _write_step(candidate, kind, on, details=details)
    return vote


def _check_ready_for_admission(candidate: Candidate, steps: list[CandidateStep], on: dt.date,
                               details: dict[str, Any]) -> None:
    introducers = _active_sponsors(candidate, ContactRole.INTRODUCER, on)
    need = int(in_force("recruitment.introducers", on)["count"])
    if len(introducers) != need:
        raise RuleError(_("%(n)s introducers are needed at the meeting") % {"n": need}, field="on")
    rule = in_force("recruitment.training", on)
    trainings = [s for s in _of(steps, K.TRAINING) if _done_on(s) <= on]
    days = sum(int(s.details.get("days", 1)) for s in trainings)
    hours = sum(s.details.get("hours", 0) for s in trainings)
    if days < int(rule["days"]) and hours < rule["hours"]:
        raise RuleError(_("concentrated training of %(days)s days and %(hours)s class hours, less than %(min_days)s "
                          "days or %(min_hours)s hours (%(rule)s)")
                        % {"days": days, "hours": hours, "min_days": rule["days"], "min_hours": rule["hours"],
                           "rule": rule.cite}, field="training")
    details["training_rule"] = rule.cite
    pre_review = _of(steps, K.PRE_REVIEW)[0]
    meeting = in_force("recruitment.meeting_after_pre_review", pre_review.date)
    due = add_months(pre_review.date, int(meeting["months"]))
    details.update({"meeting_rule": meeting.cite, "due": due.isoformat(), "late": on > due})


@transaction.atomic
def candidate_approve(candidate: Candidate, *, on: dt.date, special: bool = False, note: str = "") -> Candidate:
    """The higher committee approves the admission voted by the branch: the candidate becomes a probationary
    member from the date of the vote. Approval later than 3 months (6 with `special`) is recorded late."""
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    note = _check_note(note)
    _check_open(candidate)
    steps = _steps(candidate)
    if _of(steps, K.HIGHER_APPROVAL):
        raise RuleError(_("%(step)s was already recorded on %(date)s")
                        % {"step": _label(K.HIGHER_APPROVAL), "date": _of(steps, K.HIGHER_APPROVAL)[0].date})
    vote = candidate.votes.filter(purpose=VotePurpose.ADMISSION, passed=True).order_by("-date", "-id").first()
    if vote is None:
        raise RuleError(_("no admission vote has passed: nothing to approve"), field="on")
    if on < vote.date:
        raise RuleError(_("the approval on %(date)s is dated before the vote on %(vote)s")
                        % {"date": on, "vote": vote.date}, field="on")
    rule = in_force("recruitment.higher_approval", vote.date)
    months = int(rule["special_months"] if special else rule["months"])
    details: dict[str, Any] = {"vote": vote.pk, "vote_date": vote.date.isoformat(), "special": bool(special)}
    _deadline(details, rule, add_months(vote.date, months), on)
    member = member_create(name=candidate.name, sex=candidate.sex, birth_date=candidate.birth_date,
                           id_number=candidate.id_number, education=candidate.education,
                           occupation=candidate.occupation, org=candidate.org, joined_on=vote.date,
                           status=Status.PROBATIONARY, ethnicity=candidate.ethnicity, phone=candidate.phone)
    candidate.member = member
    candidate.save(update_fields=["member"])
    details["member"] = member.pk
    _write_step(candidate, K.HIGHER_APPROVAL, on, details=details, note=note)
    return candidate


def _probationer(candidate: Candidate) -> Member:
    member = candidate.member
    if member is None:
        raise RuleError(_("%(name)s has not been admitted") % {"name": candidate.name})
    return member


@transaction.atomic
def candidate_convert(candidate: Candidate, *, on: dt.date, note: str = "") -> Candidate:
    """The higher committee approves the conversion voted by the branch (dated `on`).

    The member is converted as of the end of probation (the Party's rule: full membership, and party age,
    date from the day probation ends), not as of the approval. The conversion vote can only be held on or
    after that day and the approval follows the vote, so the conversion date is never after the approval.
    """
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    note = _check_note(note)
    _check_open(candidate)
    member = _probationer(candidate)
    steps = _steps(candidate)
    _check_order(candidate, steps, K.CONVERSION_APPROVED, on)
    vote = candidate.votes.filter(purpose=VotePurpose.CONVERSION, passed=True).order_by("-date", "-id").first()
    if vote is None:
        raise RuleError(_("no conversion vote has passed: nothing to approve"), field="on")
    if on < vote.date:
        raise RuleError(_("the approval on %(date)s is dated before the vote on %(vote)s")
                        % {"date": on, "vote": vote.date}, field="on")
    end = probation_end(candidate)
    assert end is not None and candidate.admitted_on is not None
    rule = in_force("recruitment.probation", candidate.admitted_on)
    member_record_event(member, kind=EventKind.CONVERTED, on=end,
                        details={"candidate": candidate.pk, "vote": vote.pk, "approved_on": on.isoformat()})
    _write_step(candidate, K.CONVERSION_APPROVED, on, note=note,
                details={"rule": rule.cite, "vote": vote.pk, "converted_on": end.isoformat()})
    return candidate


@transaction.atomic
def candidate_extend_probation(candidate: Candidate, *, on: dt.date, months: int, note: str = "") -> Candidate:
    """Extend the probation once, by 6 to 12 months (recruitment.extension in force on `on`)."""
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    note = _check_note(note)
    _check_open(candidate)
    _probationer(candidate)
    rule = in_force("recruitment.extension", on)
    if isinstance(months, bool) or not isinstance(months, int) \
            or not int(rule["min_months"]) <= months <= int(rule["max_months"]):
        raise RuleError(_("an extension lasts %(low)s to %(high)s months (%(rule)s)")
                        % {"low": rule["min_months"], "high": rule["max_months"], "rule": rule.cite}, field="months")
    steps = _steps(candidate)
    if len(_of(steps, K.PROBATION_EXTENDED)) >= int(rule["times"]):
        raise RuleError(_("the probation can be extended only once (%(rule)s)") % {"rule": rule.cite},
                        field="months")
    _check_order(candidate, steps, K.PROBATION_EXTENDED, on)
    if candidate.votes.filter(purpose=VotePurpose.CONVERSION, passed=True).exists():
        raise RuleError(_("the branch has already voted for conversion"), field="on")
    before_end = probation_end(candidate)
    assert before_end is not None
    _write_step(candidate, K.PROBATION_EXTENDED, on, note=note,
                details={"rule": rule.cite, "months": months,
                         "probation_end": add_months(before_end, months).isoformat()})
    return candidate


@transaction.atomic
def candidate_cancel_probation(candidate: Candidate, *, on: dt.date, reason: str) -> Candidate:
    """Cancel the probationary membership: the member is removed (reason probation_cancelled), the candidacy
    closes."""
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    reason = _check_note(reason, "reason")
    if not reason:
        raise RuleError(_("a reason is required"), field="reason")
    _check_open(candidate)
    member = _probationer(candidate)
    steps = _steps(candidate)
    _check_order(candidate, steps, K.PROBATION_CANCELLED, on)
    member_record_event(member, kind=EventKind.REMOVED, on=on,
                        details={"reason": "probation_cancelled", "note": reason, "candidate": candidate.pk})
    _write_step(candidate, K.PROBATION_CANCELLED, on, details={"reason": reason})
    return candidate


@transaction.atomic
def candidate_withdraw(candidate: Candidate, *, on: dt.date, reason: str) -> Candidate:
    """Close a candidacy before admission (withdrawn, not admitted, moved away, ...)."""
    require_write_org(candidate.org)
    candidate = _lock(candidate)
    on = _check_date(on)
    reason = _check_note(reason, "reason")
    if not reason:
        raise RuleError(_("a reason is required"), field="reason")
    _check_open(candidate)
    if candidate.member_id is not None:
        raise RuleError(_("%(name)s is a probationary member: cancel the probation instead")
                        % {"name": candidate.name}, field="kind")
    steps = _steps(candidate)
    _check_order(candidate, steps, K.WITHDRAWN, on)
    last = max(s.date for s in steps)
    if on < last:
        raise RuleError(_("the candidacy has a step dated %(last)s, after %(date)s") % {"last": last, "date": on},
                        field="on")
    _write_step(candidate, K.WITHDRAWN, on, details={"reason": reason})
    return candidate


def candidate_take_step(candidate: Candidate, *, kind: str, on: dt.date, end_date: dt.date | None = None,
                        hours: int | None = None, months: int | None = None, special: bool = False,
                        note: str = "") -> Candidate | CandidateStep:
    """Record a step of any kind in `TAKEN_KINDS` through the service of its kind: the approval, the conversion,
    the extension, the cancellation and the withdrawal (`note` is their reason) through their own, every other
    step through `candidate_record_step` (`hours`: a training's class hours). The candidate page's "next step"
    form and the API's steps endpoint both record through this."""
    note = (note or "").strip()
    if kind == K.HIGHER_APPROVAL:
        return candidate_approve(candidate, on=on, special=bool(special), note=note)
    if kind == K.CONVERSION_APPROVED:
        return candidate_convert(candidate, on=on, note=note)
    if kind == K.PROBATION_EXTENDED:
        if not months:
            raise RuleError(_("Say by how many months the probation is extended."), field="months")
        return candidate_extend_probation(candidate, on=on, months=months, note=note)
    if kind == K.PROBATION_CANCELLED:
        return candidate_cancel_probation(candidate, on=on, reason=note)
    if kind == K.WITHDRAWN:
        return candidate_withdraw(candidate, on=on, reason=note)
    details = {"hours": hours} if hours is not None else None
    return candidate_record_step(candidate, kind=kind, on=on, end_date=end_date, details=details, note=note)
