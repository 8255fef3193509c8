"""Recruitment findings: every deadline of the procedure, computed from the candidates' dated steps.

The source runs over the candidates of an organization's subtree (the caller has already authorized the
organization) in one query with the steps, sponsors and votes prefetched, and judges each step by the rule
version in force on the step's relevant date (the application date for the talk, the date of becoming an
activist for the training contacts, the pre-review for the meeting, and so on).

What is judged, per stage (only while the step can still be done, except for done and violated steps):
- applicant: the talk within `talk_within` months of the application;
- activist: training contacts assigned when the activist is decided; an assessment every half year (due six
  months after becoming an activist, then six months after the last assessment); being listed before one
  year as an activist is a violation (eligibility itself is information, not a finding);
- development target: two introducers when listed; the public notice (2014: before the pre-review, 2026:
  before listing) of enough working days; political review and concentrated training before the
  pre-review; the branch general meeting within `meeting_after_pre_review` months of the pre-review;
- after a passed admission vote: higher approval within `higher_approval` months; then the oath;
- probationary member: the conversion meeting at the end of probation (admission vote + probation years +
  any extension), and the extension's own limits.
A step done late is "violated"; done and violated steps are listed only when they fall in the last twelve
months before `as_of`, so that old history does not flood the list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.core.dates import add_months
from grassroots.core.workdays import workdays_between
from grassroots.orgs.selectors import subtree_org_ids
from grassroots.rules.findings import DONE, DUE_SOON, OVERDUE, VIOLATED, Finding, deadline_state, source
from grassroots.rules.registry import RuleVersion, in_force

from .models import BranchVote, Candidate, CandidateStep, ContactRole, Sponsor, StepKind, VotePurpose

HISTORY_MONTHS = 12  # done and violated steps older than this (before as_of) are not listed


def _oath_rule(day: dt.date) -> tuple[RuleVersion, int]:
    """The rule the oath is judged by, and its number of months after approval."""
    rule = in_force("recruitment.oath", day)
    return rule, int(rule.params["months"])


STEP_LABELS = {
    "talk": gettext_lazy("The talk with the applicant"),
    "contacts": gettext_lazy("Assigning training contacts"),
    "assessment": gettext_lazy("The half-yearly assessment"),
    "introducers": gettext_lazy("Assigning two introducers"),
    "notice": gettext_lazy("The public notice"),
    "political_review": gettext_lazy("The political review"),
    "training": gettext_lazy("The concentrated training"),
    "admission_meeting": gettext_lazy("The branch general meeting on admission"),
    "approval": gettext_lazy("Approval by the higher committee"),
    "oath": gettext_lazy("The oath"),
    "conversion_meeting": gettext_lazy("The branch general meeting on conversion"),
}


def _what(key: str) -> str:
    return str(STEP_LABELS[key])


def _message(state: str, what: str, due: dt.date, done_on: dt.date | None) -> str:
    values = {"what": what, "due": due.isoformat(), "done": done_on.isoformat() if done_on else ""}
    if state == DUE_SOON:
        return _("%(what)s is due by %(due)s.") % values
    if state == OVERDUE:
        return _("%(what)s was due by %(due)s and has not been recorded.") % values
    if state == VIOLATED:
        return _("%(what)s was done on %(done)s, after the deadline of %(due)s.") % values
    return _("%(what)s was done on %(done)s, by the deadline of %(due)s.") % values


_Records = tuple[list[CandidateStep], list[Sponsor], list[BranchVote]]


def _first(dates: Iterator[dt.date] | list[dt.date]) -> dt.date | None:
    return min(dates, default=None)


class _Case:
    """One candidate as it stood on `as_of`: the steps, sponsors and votes recorded up to that day."""

    def __init__(self, candidate: Candidate, as_of: dt.date, since: dt.date, records: _Records | None = None
                 ) -> None:
        self.c = candidate
        self.as_of = as_of
        self.since = since
        if records is None:  # one candidate: its relations (prefetched or not)
            records = (list(candidate.steps.all()), list(candidate.sponsors.all()), list(candidate.votes.all()))
        all_steps, sponsors, votes = records
        self.steps: dict[str, list[CandidateStep]] = {}
        for step in all_steps:  # ordered by date
            if step.date <= as_of:
                self.steps.setdefault(step.kind, []).append(step)
        self.sponsors = [s for s in sponsors if s.since <= as_of]
        self.votes = [v for v in votes if v.date <= as_of]
        self.open = (not _on_or_before(candidate.closed_on, as_of)
                     and not _on_or_before(candidate.converted_on, as_of))
        self.activist_on = candidate.activist_on if _on_or_before(candidate.activist_on, as_of) else None
        self.target_on = candidate.target_on if _on_or_before(candidate.target_on, as_of) else None
        self.vote_passed_on = self._admission_passed_on()
        approval = self.first(StepKind.HIGHER_APPROVAL)
        if (approval is None and candidate.member_id and _on_or_before(candidate.admitted_on, as_of)
                and not any(s.kind == StepKind.HIGHER_APPROVAL for s in all_steps)):
            approval = candidate.admitted_on  # histories entered without the approval step
        self.approved_on = approval

    # --- reading the record ------------------------------------------------------------------
    def first(self, kind: str) -> dt.date | None:
        steps = self.steps.get(kind)
        return steps[0].date if steps else None

    def first_step(self, kind: str) -> CandidateStep | None:
        steps = self.steps.get(kind)
        return steps[0] if steps else None

    def _meeting_on(self, purpose: str, step_kind: str, after: dt.date | None = None) -> dt.date | None:
        """The first quorate meeting for `purpose` (after `after`); recorded steps count when no vote is."""
        votes = [v for v in self.votes if v.purpose == purpose]
        if votes:
            return _first(v.date for v in votes if v.quorate and (after is None or v.date > after))
        return _first(s.date for s in self.steps.get(step_kind, []) if after is None or s.date > after)

    def _admission_passed_on(self) -> dt.date | None:
        votes = [v for v in self.votes if v.purpose == VotePurpose.ADMISSION]
        if votes:
            return _first(v.date for v in votes if v.passed)
        passed = _first(s.date for s in self.steps.get(StepKind.ADMISSION_VOTE, []) if s.details.get("passed"))
        if passed is None and _on_or_before(self.c.admitted_on, self.as_of):
            return self.c.admitted_on
        return passed

    # --- stages on as_of -----------------------------------------------------------------------
    @property
    def applicant(self) -> bool:
        return self.open and self.activist_on is None

    @property
    def activist(self) -> bool:
        return self.open and self.activist_on is not None and self.target_on is None

    @property
    def target(self) -> bool:
        return self.open and self.target_on is not None and self.vote_passed_on is None

    @property
    def awaiting_approval(self) -> bool:
        return self.open and self.vote_passed_on is not None and self.approved_on is None

    @property
    def probationary(self) -> bool:
        return self.open and self.vote_passed_on is not None and self.approved_on is not None

    # --- findings ----------------------------------------------------------------------------
    def finding(self, rule: RuleVersion, state: str, due: dt.date | None, message: str) -> Finding:
        c = self.c
        return Finding(rule=rule.cite, state=state, subject_type="candidate", subject_id=c.pk,
                       subject_label=c.name, org_id=c.org_id, org_name=c.org.name, due=due, message=message,
                       url=reverse("candidate-detail", args=[c.pk]))

    def judge(self, rule: RuleVersion, key: str, due: dt.date, done_on: dt.date | None, *,
              pending: bool) -> Finding | None:
        """The finding for a step due by `due`; `pending`: the step can still be done (its stage is on)."""
        state = deadline_state(due, done_on, self.as_of)
        if state is None:
            return None
        if state in (DONE, VIOLATED):
            if done_on is None or done_on <= self.since:
                return None
        elif not pending:
            return None
        return self.finding(rule, state, due, _message(state, _what(key), due, done_on))

    def violation(self, rule: RuleVersion, on: dt.date, due: dt.date | None, message: str) -> Finding | None:
        """A breach that is not about lateness (too short, too early), listed while recent."""
        if on <= self.since:
            return None
        return self.finding(rule, VIOLATED, due, message)


def _on_or_before(day: dt.date | None, as_of: dt.date) -> bool:
    return day is not None and day <= as_of


def _applicant(case: _Case) -> Iterator[Finding | None]:
    c = case.c
    rule = in_force("recruitment.talk_within", c.applied_on)
    yield case.judge(rule, "talk", add_months(c.applied_on, rule["months"]), case.first(StepKind.TALKED),
                     pending=case.applicant)


def _activist(case: _Case) -> Iterator[Finding | None]:
    start = case.activist_on
    if start is None:
        return
    rule = in_force("recruitment.training_contacts", start)
    assigned = [s.since for s in case.sponsors if s.role == ContactRole.TRAINING_CONTACT]
    assigned += [s.date for s in case.steps.get(StepKind.CONTACTS_ASSIGNED, [])]
    yield case.judge(rule, "contacts", start, _first(assigned), pending=case.activist)

    # Half-yearly assessments: each due six months after the previous one (the first after `start`).
    previous = start
    end = case.target_on
    for step in case.steps.get(StepKind.ASSESSED, []):
        if end is not None and step.date > end:
            break
        rule = in_force("recruitment.activist_assessment", previous)
        yield case.judge(rule, "assessment", add_months(previous, rule["months"]), step.date, pending=False)
        previous = step.date
    rule = in_force("recruitment.activist_assessment", previous)
    due = add_months(previous, rule["months"])
    if end is None or due < end:
        yield case.judge(rule, "assessment", due, None, pending=case.activist)

    if case.target_on is not None:
        rule = in_force("recruitment.activist_min_period", case.target_on)
        earliest = add_months(start, 12 * rule["years"])
        if case.target_on < earliest:
            yield case.violation(rule, case.target_on, earliest, _(
                "Listed as a development target on %(listed)s, before %(years)s year(s) as an activist "
                "(activist since %(since)s).") % {"listed": case.target_on.isoformat(), "years": rule["years"],
                                                  "since": start.isoformat()})


def _target(case: _Case) -> Iterator[Finding | None]:
    listed = case.target_on
    if listed is None:
        return
    rule = in_force("recruitment.introducers", listed)
    introduced = sorted(s.since for s in case.sponsors if s.role == ContactRole.INTRODUCER)
    count = int(rule["count"])
    done_on = introduced[count - 1] if len(introduced) >= count else None
    yield case.judge(rule, "introducers", listed, done_on, pending=case.target)

    pre_review = case.first(StepKind.PRE_REVIEW)
    notice = case.first_step(StepKind.NOTICE)
    rule = in_force("recruitment.public_notice", listed)
    anchor = listed if rule["stage"] == "listing" else pre_review
    if anchor is not None:
        notice_end = (notice.end_date or notice.date) if notice else None
        yield case.judge(rule, "notice", anchor, notice_end, pending=case.target)
    if notice is not None and notice.end_date is not None:
        rule = in_force("recruitment.public_notice", notice.date)
        days = workdays_between(notice.date, notice.end_date)
        if days < rule["working_days"]:
            yield case.violation(rule, notice.end_date, None, _(
                "The public notice from %(start)s to %(end)s lasted %(days)s working day(s), fewer than "
                "%(min)s.") % {"start": notice.date.isoformat(), "end": notice.end_date.isoformat(),
                              "days": days, "min": rule["working_days"]})

    if pre_review is not None:
        rule = in_force("recruitment.political_review", pre_review)
        yield case.judge(rule, "political_review", pre_review, case.first(StepKind.POLITICAL_REVIEW),
                         pending=case.target)
        rule = in_force("recruitment.training", pre_review)
        training = case.first_step(StepKind.TRAINING)
        yield case.judge(rule, "training", pre_review, training.date if training else None, pending=case.target)
        rule = in_force("recruitment.meeting_after_pre_review", pre_review)
        yield case.judge(rule, "admission_meeting", add_months(pre_review, rule["months"]),
                         case._meeting_on(VotePurpose.ADMISSION, StepKind.ADMISSION_VOTE), pending=case.target)
    training = case.first_step(StepKind.TRAINING)
    if training is not None:
        rule = in_force("recruitment.training", training.date)
        days = ((training.end_date or training.date) - training.date).days + 1
        hours = training.details.get("hours") or 0
        if days < rule["days"] and float(hours) < rule["hours"]:
            yield case.violation(rule, training.end_date or training.date, None, _(
                "The concentrated training lasted %(days)s day(s) and %(hours)s class hour(s), fewer than "
                "%(min_days)s days or %(min_hours)s class hours.") % {
                    "days": days, "hours": hours, "min_days": rule["days"], "min_hours": rule["hours"]})


def _admitted(case: _Case) -> Iterator[Finding | None]:
    voted = case.vote_passed_on
    if voted is None:
        return
    rule = in_force("recruitment.higher_approval", voted)
    approval = case.first_step(StepKind.HIGHER_APPROVAL)
    special = bool(approval and approval.details.get("special"))
    due = add_months(voted, rule["special_months" if special else "months"])
    yield case.judge(rule, "approval", due, case.approved_on, pending=case.awaiting_approval)

    approved = case.approved_on
    if approved is None:
        return
    rule, months = _oath_rule(approved)
    yield case.judge(rule, "oath", add_months(approved, months), case.first(StepKind.OATH),
                     pending=case.probationary)

    rule = in_force("recruitment.probation", voted)
    end = add_months(voted, 12 * rule["years"])
    extensions = case.steps.get(StepKind.PROBATION_EXTENDED, [])
    for i, step in enumerate(extensions):
        ext_rule = in_force("recruitment.extension", step.date)
        months = int(step.details.get("months") or 0)
        end = add_months(end, months)
        if i >= ext_rule["times"] or not ext_rule["min_months"] <= months <= ext_rule["max_months"]:
            yield case.violation(ext_rule, step.date, None, _(
                "Probation was extended by %(months)s month(s) on %(on)s; it may be extended once, by "
                "%(min)s to %(max)s months.") % {"months": months, "on": step.date.isoformat(),
                                                 "min": ext_rule["min_months"], "max": ext_rule["max_months"]})
    after = extensions[-1].date if extensions else None
    held = case._meeting_on(VotePurpose.CONVERSION, StepKind.CONVERSION_VOTE, after)
    yield case.judge(rule, "conversion_meeting", end, held, pending=case.probationary)


CHECKS = (_applicant, _activist, _target, _admitted)


def candidate_findings(candidate: Candidate, as_of: dt.date, records: _Records | None = None) -> list[Finding]:
    """Every finding about one candidate on `as_of` (done ones included); the timeline page uses it.
    `records`: the candidate's steps (ordered by date), sponsors and votes when the caller has them."""
    case = _Case(candidate, as_of, add_months(as_of, -HISTORY_MONTHS), records)
    return [f for check in CHECKS for f in check(case) if f is not None]


def candidates_for_findings(org: Any, as_of: dt.date) -> QuerySet[Candidate]:
    """The candidates of org's subtree on `as_of` who are open, or closed recently enough to matter."""
    since = add_months(as_of, -HISTORY_MONTHS)
    return (Candidate.objects.filter(org_id__in=subtree_org_ids(org, as_of), applied_on__lte=as_of)
            .exclude(closed_on__lte=since).exclude(converted_on__lte=since))


@source("recruitment")
def recruitment_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    """At most five queries whatever the size of the subtree (two when it has no candidates): the subtree,
    the candidates, then their steps, sponsors and votes (selected by subquery and grouped here, so that a
    county's thousands of candidates need no per-row work)."""
    candidates = candidates_for_findings(org, as_of)
    rows = list(candidates.select_related("org").only(*CANDIDATE_FIELDS))
    if not rows:
        return
    ids = candidates.values("pk")
    steps: dict[int, list[CandidateStep]] = defaultdict(list)
    for step in CandidateStep.objects.filter(candidate_id__in=ids).only(
            "candidate", "kind", "date", "end_date", "details").order_by("date", "id"):
        steps[step.candidate_id].append(step)
    sponsors: dict[int, list[Sponsor]] = defaultdict(list)
    for sponsor in Sponsor.objects.filter(candidate_id__in=ids, since__lte=as_of):
        sponsors[sponsor.candidate_id].append(sponsor)
    votes: dict[int, list[BranchVote]] = defaultdict(list)
    for vote in BranchVote.objects.filter(candidate_id__in=ids, date__lte=as_of).defer("minutes"):
        votes[vote.candidate_id].append(vote)
    for candidate in rows:
        pk = candidate.pk
        yield from candidate_findings(candidate, as_of, (steps.get(pk, []), sponsors.get(pk, []),
                                                         votes.get(pk, [])))


CANDIDATE_FIELDS = ("name", "org", "org__name", "applied_on", "activist_on", "target_on", "admitted_on",
                    "converted_on", "closed_on", "member")
