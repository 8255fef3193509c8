"""Reads for recruitment: a candidate's timeline with what is due next, and a branch's pipeline board.

Callers scope first (the candidate or organization comes from a `Scope`); these functions answer for what
they are given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import subtree_org_ids
from grassroots.rules.registry import in_force

from .models import Candidate, CandidateQuerySet, CandidateStep, ContactRole, Stage, StepKind, VotePurpose
from .services import add_months, add_years, probation_end

K = StepKind

DONE = "done"  # a recorded step
NEXT = "next"  # to be done, no deadline or not yet due
OVERDUE = "overdue"  # to be done, its deadline has passed


@dataclass
class TimelineEntry:
    kind: str
    label: str
    state: str  # done, next, overdue
    date: dt.date | None = None  # when done
    end_date: dt.date | None = None
    due: dt.date | None = None  # the deadline (for a step done: the one it was judged by)
    earliest: dt.date | None = None  # not before this date (listing as development target, conversion)
    late: bool = False  # done after its deadline
    rule: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    step: CandidateStep | None = None


def _done(step: CandidateStep) -> TimelineEntry:
    d = step.details or {}
    due = dt.date.fromisoformat(d["due"]) if isinstance(d.get("due"), str) else None
    return TimelineEntry(kind=step.kind, label=str(step.get_kind_display()), state=DONE, date=step.date,
                         end_date=step.end_date, due=due, late=bool(d.get("late")), rule=str(d.get("rule", "")),
                         note=step.note, details=d, step=step)


def _next(kind: str, as_of: dt.date, *, due: dt.date | None = None, earliest: dt.date | None = None,
          rule: str = "") -> TimelineEntry:
    state = OVERDUE if due is not None and due < as_of else NEXT
    return TimelineEntry(kind=kind, label=str(StepKind(kind).label), state=state, due=due, earliest=earliest,
                         rule=rule)


def due_next(candidate: Candidate, as_of: dt.date | None = None) -> list[TimelineEntry]:
    """The steps to be done next, given what is recorded: with their deadline or earliest date."""
    as_of = as_of or timezone.localdate()
    if candidate.closed_on is not None or candidate.converted_on is not None:
        return []
    steps = list(candidate.steps.all())
    have = {s.kind for s in steps}
    out: list[TimelineEntry] = []
    if K.ACTIVIST_DECIDED not in have:
        if K.TALKED not in have:
            rule = in_force("recruitment.talk_within", candidate.applied_on)
            out.append(_next(K.TALKED, as_of, due=add_months(candidate.applied_on, int(rule["months"])),
                             rule=rule.cite))
        if K.RECOMMENDED not in have:
            out.append(_next(K.RECOMMENDED, as_of))
        out.append(_next(K.ACTIVIST_DECIDED, as_of))
        return out
    if candidate.target_on is None:
        assert candidate.activist_on is not None
        if K.CONTACTS_ASSIGNED not in have:
            out.append(_next(K.CONTACTS_ASSIGNED, as_of, rule=in_force("recruitment.training_contacts", as_of).cite))
        rule = in_force("recruitment.activist_assessment", as_of)
        since = max([candidate.activist_on] + [s.date for s in steps if s.kind == K.ASSESSED])
        out.append(_next(K.ASSESSED, as_of, due=add_months(since, int(rule["months"])), rule=rule.cite))
        period = in_force("recruitment.activist_min_period", as_of)
        earliest = add_years(candidate.activist_on, int(period["years"]))
        notice = in_force("recruitment.public_notice", max(as_of, earliest))
        if notice["stage"] == "listing" and K.NOTICE not in have:
            out.append(_next(K.NOTICE, as_of, rule=notice.cite))
        out.append(_next(K.TARGET_LISTED, as_of, earliest=earliest, rule=period.cite))
        return out
    if candidate.admitted_on is None:
        votes = list(candidate.votes.filter(purpose=VotePurpose.ADMISSION))
        passed = [v for v in votes if v.passed]
        if passed:
            rule = in_force("recruitment.higher_approval", passed[-1].date)
            out.append(_next(K.HIGHER_APPROVAL, as_of, due=add_months(passed[-1].date, int(rule["months"])),
                             rule=rule.cite))
            return out
        if not candidate.sponsors.filter(role=ContactRole.INTRODUCER, until__isnull=True).exists():
            out.append(_next(K.INTRODUCERS_ASSIGNED, as_of, rule=in_force("recruitment.introducers", as_of).cite))
        for kind, rule_id in ((K.POLITICAL_REVIEW, "recruitment.political_review"),
                              (K.TRAINING, "recruitment.training"), (K.COMMITTEE_REVIEW, "")):
            if kind not in have:
                out.append(_next(kind, as_of, rule=in_force(rule_id, as_of).cite if rule_id else ""))
        pre = [s for s in steps if s.kind == K.PRE_REVIEW]
        if not pre:
            notice = in_force("recruitment.public_notice", as_of)
            if notice["stage"] == "pre_review" and K.NOTICE not in have:
                out.append(_next(K.NOTICE, as_of, rule=notice.cite))
            out.append(_next(K.PRE_REVIEW, as_of))
        else:
            rule = in_force("recruitment.meeting_after_pre_review", pre[0].date)
            out.append(_next(K.ADMISSION_VOTE, as_of, due=add_months(pre[0].date, int(rule["months"])),
                             rule=rule.cite))
        return out
    if K.OATH not in have:
        out.append(_next(K.OATH, as_of))
    end = probation_end(candidate)
    rule = in_force("recruitment.probation", candidate.admitted_on)
    if candidate.votes.filter(purpose=VotePurpose.CONVERSION, passed=True).exists():
        out.append(_next(K.CONVERSION_APPROVED, as_of))
    else:
        out.append(_next(K.CONVERSION_VOTE, as_of, due=end, earliest=end, rule=rule.cite))
    return out


def timeline(candidate: Candidate, as_of: dt.date | None = None) -> list[TimelineEntry]:
    """The steps recorded (state done, oldest first), then what is due next (state next or overdue)."""
    done = [_done(s) for s in candidate.steps.order_by("date", "id")]
    return done + due_next(candidate, as_of)


PIPELINE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_TARGET, Stage.PROBATIONARY, Stage.FULL)


def at_stage_on(candidates: CandidateQuerySet, stage: str, day: dt.date) -> QuerySet[Candidate]:
    """Of these candidates, those at `stage` on `day` (closed: closed on or before `day`; full: converted on or
    before it and not closed then). The stage dates come from the steps, so this is a plain query."""
    if stage == Stage.CLOSED:
        return candidates.filter(closed_on__lte=day)
    open_on = Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    if stage == Stage.PROBATIONARY:
        return candidates.filter(open_on, Q(converted_on__isnull=True) | Q(converted_on__gt=day), admitted_on__lte=day)
    if stage == Stage.FULL:
        return candidates.filter(open_on, converted_on__lte=day)
    return candidates.stage_on(stage, day)


def pipeline(org: Organization, day: dt.date) -> dict[str, list[Candidate]]:
    """The candidates of org's subtree by the stage they were at on `day` (applicant, activist, development
    target, probationary; full: converted on or before `day`). Closed candidacies are left out."""
    base = Candidate.objects.filter(org_id__in=subtree_org_ids(org, day)).select_related("org").order_by(
        "applied_on", "id")
    out: dict[str, list[Candidate]] = {stage: list(at_stage_on(base, stage, day))
                                       for stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_TARGET,
                                                     Stage.FULL)}
    out[Stage.PROBATIONARY] = list(at_stage_on(base, Stage.PROBATIONARY, day).prefetch_related("steps"))
    return out
