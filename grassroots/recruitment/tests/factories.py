"""Walk a candidate through the procedure with valid dates, for tests (import from tests only).

Each helper takes the branch and the application date and goes as far as its name says, through the
services (so every step is checked and audited as in real use). Dates default to a regular pace: talk a
week after applying, activist a month after, development target exactly one year later (with a 5-working-day
notice just before when the 2026 rules ask for it), pre-review two months later, the vote a week after the
pre-review, the approval a month after the vote. Training contacts, introducers and the voters are the
branch's full members on the date (so the branch needs at least two: the cast's branch A has them).

    make_applicant(org, applied_on=D(2022, 3, 1))
    make_activist(org, applied_on=...)                 # stage activist
    make_development_target(org, applied_on=...)       # stage development target
    make_reviewed(org, applied_on=...)                 # the branch committee has reviewed: pre-review next
    make_ready_for_vote(org, applied_on=...)           # pre-review done, the meeting can vote
    make_probationary(org, applied_on=...)             # admitted and approved: has a Member
    make_full(org, applied_on=...)                     # converted after one year of probation
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core import idnumber
from grassroots.core.workdays import is_workday
from grassroots.members.models import Member, MemberPeriod, Status
from grassroots.orgs.models import Organization
from grassroots.recruitment import services
from grassroots.recruitment.models import Candidate, VotePurpose
from grassroots.rules.registry import in_force

D = dt.date
_seq = [0]
DEFAULT_BIRTH = D(1995, 6, 15)


def row_counts() -> dict[str, int]:
    """How many rows the recruitment services may write, to show that a refusal wrote none."""
    from grassroots.core.models import AuditEntry
    from grassroots.members.models import MemberEvent
    from grassroots.recruitment.models import BranchVote, CandidateStep, Sponsor

    models = (Candidate, CandidateStep, Sponsor, BranchVote, Member, MemberEvent, AuditEntry)
    return {m.__name__: m.objects.count() for m in models}


def full_members(org: Organization, day: dt.date) -> list[Member]:
    ids = (MemberPeriod.objects.on(day).filter(org=org, status=Status.FULL, suspended=False)
           .values_list("member_id", flat=True))
    return list(Member.objects.filter(pk__in=ids).order_by("id"))


def notice_window(before: dt.date, working_days: int = 5) -> tuple[dt.date, dt.date]:
    """The shortest notice of `working_days` working days that ends on the last working day before `before`."""
    end = before - dt.timedelta(days=1)
    while not is_workday(end):
        end -= dt.timedelta(days=1)
    start, count = end, 1
    while count < working_days:
        start -= dt.timedelta(days=1)
        count += is_workday(start)
    return start, end


def make_applicant(org: Organization, *, applied_on: dt.date, name: str | None = None,
                   birth: dt.date = DEFAULT_BIRTH, **kw: Any) -> Candidate:
    _seq[0] += 1
    args: dict[str, Any] = dict(name=name or f"候选人{_seq[0]}", sex="M", birth_date=birth,
                                id_number=idnumber.make("110101", birth, 500 + _seq[0] % 500),
                                education="bachelor", occupation="in_service", org=org, applied_on=applied_on)
    args.update(kw)
    return services.candidate_apply(**args)


def make_activist(org: Organization, *, applied_on: dt.date, activist_on: dt.date | None = None,
                  contacts: list[Member] | None = None, **kw: Any) -> Candidate:
    c = make_applicant(org, applied_on=applied_on, **kw)
    activist_on = activist_on or applied_on + dt.timedelta(days=30)
    services.candidate_record_step(c, kind="talked", on=applied_on + dt.timedelta(days=7))
    services.candidate_record_step(c, kind="recommended", on=activist_on)
    services.candidate_record_step(c, kind="activist_decided", on=activist_on)
    services.candidate_assign_sponsors(c, role="training_contact", on=activist_on,
                                       members=contacts or full_members(c.org, activist_on)[:1])
    return c


def make_development_target(org: Organization, *, applied_on: dt.date, activist_on: dt.date | None = None,
                            target_on: dt.date | None = None, **kw: Any) -> Candidate:
    c = make_activist(org, applied_on=applied_on, activist_on=activist_on, **kw)
    assert c.activist_on is not None
    target_on = target_on or services.add_years(c.activist_on, 1)
    services.candidate_record_step(c, kind="assessed", on=services.add_months(c.activist_on, 6))
    rule = in_force("recruitment.public_notice", target_on)
    if rule["stage"] == "listing":
        start, end = notice_window(target_on, int(rule["working_days"]))
        services.candidate_publish_notice(c, start=start, end=end)
    services.candidate_record_step(c, kind="target_listed", on=target_on)
    return c


def make_reviewed(org: Organization, *, applied_on: dt.date, training_days: int = 3, training_hours: float = 24,
                  **kw: Any) -> Candidate:
    """A development target with introducers, political review, training and the branch committee's review:
    the next step is the pre-review."""
    c = make_development_target(org, applied_on=applied_on, **kw)
    assert c.target_on is not None
    t = c.target_on
    services.candidate_assign_sponsors(c, role="introducer", on=t + dt.timedelta(days=3),
                                       members=full_members(c.org, t + dt.timedelta(days=3))[:2])
    services.candidate_record_step(c, kind="political_review", on=t + dt.timedelta(days=10))
    services.candidate_record_step(c, kind="training", on=t + dt.timedelta(days=20),
                                   end_date=t + dt.timedelta(days=19 + training_days),
                                   details={"hours": training_hours})
    services.candidate_record_step(c, kind="committee_review", on=t + dt.timedelta(days=40))
    return c


def make_ready_for_vote(org: Organization, *, applied_on: dt.date, pre_review_on: dt.date | None = None,
                        **kw: Any) -> Candidate:
    c = make_reviewed(org, applied_on=applied_on, **kw)
    assert c.target_on is not None
    t = c.target_on
    pre_review_on = pre_review_on or t + dt.timedelta(days=60)
    rule = in_force("recruitment.public_notice", pre_review_on)
    if rule["stage"] == "pre_review":
        start, end = notice_window(pre_review_on, int(rule["working_days"]))
        services.candidate_publish_notice(c, start=start, end=end)
    services.candidate_record_step(c, kind="pre_review", on=pre_review_on)
    return c


def vote_all_yes(c: Candidate, *, purpose: str, on: dt.date) -> Any:
    voters = full_members(c.org, on)
    return services.branch_vote_record(c, purpose=purpose, on=on, attended=voters, yes=len(voters), no=0, abstain=0)


def make_probationary(org: Organization, *, applied_on: dt.date, vote_on: dt.date | None = None,
                      approve_on: dt.date | None = None, **kw: Any) -> Candidate:
    c = make_ready_for_vote(org, applied_on=applied_on, **kw)
    pre = c.steps.get(kind="pre_review").date
    vote_on = vote_on or pre + dt.timedelta(days=7)
    vote = vote_all_yes(c, purpose=VotePurpose.ADMISSION, on=vote_on)
    assert vote.passed, "the branch needs full members to admit anyone"
    services.candidate_approve(c, on=approve_on or vote_on + dt.timedelta(days=30))
    services.candidate_record_step(c, kind="oath", on=(approve_on or vote_on + dt.timedelta(days=30)))
    return c


def make_full(org: Organization, *, applied_on: dt.date, **kw: Any) -> Candidate:
    c = make_probationary(org, applied_on=applied_on, **kw)
    end = services.probation_end(c)
    assert end is not None
    vote_all_yes(c, purpose=VotePurpose.CONVERSION, on=end)
    return services.candidate_convert(c, on=end + dt.timedelta(days=20))
