"""Proposal findings (source "proposals"), for the proposals of a subtree on `as_of`:

- Review (proposals.terms): a proposal received and not yet accepted, merged or turned into an opinion by its
  review day (`pass_on_workdays` working days after the day received) is overdue; near it, due soon.
- Answer (proposals.terms): an accepted proposal (or one reopened) not answered by the deadline in force is
  overdue; near it, due soon.
- Follow-up (proposals.follow_up, unverified): an answer rated unsatisfied, neither reopened nor closed within
  N days of the rating, is overdue; near it, due soon.

One query each for a whole county.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import Finding, deadline_state, source
from grassroots.rules.registry import in_force

from .models import Proposal, ProposalState, Satisfaction


def _finding(p: Proposal, rule: str, state: str, kind: str, due: dt.date, message: str) -> Finding:
    return Finding(rule=rule, state=state, subject_type=kind, subject_id=p.pk, subject_label=p.number or p.title,
                   org_id=p.org_id, org_name=p.org.name, due=due, message=message,
                   url=reverse("proposal-detail", args=[p.pk]))


@source("proposals")
def proposal_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    mine = Proposal.objects.filter(org__path__startswith=org.path, received_on__lte=as_of).select_related("org")
    for p in mine.filter(state=ProposalState.RECEIVED, review_due__isnull=False).order_by("review_due", "pk"):
        assert p.review_due is not None
        state = deadline_state(p.review_due, None, as_of)
        if state is not None:
            yield _finding(p, p.rule or in_force("proposals.terms", p.received_on).cite, state, "proposal_review",
                           p.review_due, _("Proposal %(number)s “%(title)s” is to be reviewed and passed on by "
                                           "%(due)s.") % {"number": p.number, "title": p.title,
                                                          "due": p.review_due.isoformat()})
    for p in mine.filter(state=ProposalState.ACCEPTED, answer_due__isnull=False).order_by("answer_due", "pk"):
        assert p.answer_due is not None
        state = deadline_state(p.answer_due, None, as_of)
        if state is not None:
            yield _finding(p, p.rule or in_force("proposals.terms", p.received_on).cite, state, "proposal_answer",
                           p.answer_due, _("Proposal %(number)s “%(title)s” (lead unit: %(unit)s) is to be "
                                           "answered by %(due)s.") % {"number": p.number, "title": p.title,
                                                                      "unit": p.lead_unit,
                                                                      "due": p.answer_due.isoformat()})
    rule = in_force("proposals.follow_up", as_of)
    days = int(rule["days"])
    for p in mine.filter(state=ProposalState.RATED, satisfaction=Satisfaction.UNSATISFIED,
                         rated_on__isnull=False).order_by("rated_on", "pk"):
        assert p.rated_on is not None
        due = p.rated_on + dt.timedelta(days=days)
        state = deadline_state(due, None, as_of)
        if state is not None:
            yield _finding(p, rule.cite, state, "proposal_follow_up", due,
                           _("The proposer of %(number)s was unsatisfied with the answer on %(date)s: reopen or "
                             "close it with a reason by %(due)s.") % {"number": p.number,
                                                                      "date": p.rated_on.isoformat(),
                                                                      "due": due.isoformat()})
