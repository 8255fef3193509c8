"""Deliberation findings (source "deliberation"), for the organizations of a subtree on `as_of`:

- Path order (deliberation.path): a case with its decision (step 4) or a later step recorded while an earlier
  step is missing (data that came in by import, or entered elsewhere): violated.
- Path stalled (deliberation.publish_within, local practice, unverified): a case decided (a passed step-4 vote)
  whose decision is not published within N days of the vote: overdue (due soon within the window).
- Topic unanswered (deliberation.briefing_after, local practice, unverified): a topic whose consultation period
  closed with no briefing or hearing linked to it within N days of the close: overdue (due soon before).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import DUE_SOON, OVERDUE, VIOLATED, Finding, deadline_state, source
from grassroots.rules.registry import in_force

from .models import PathCase, PathStepKind, Topic


@source("deliberation")
def deliberation_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    path_rule = in_force("deliberation.path", as_of)
    publish_rule = in_force("deliberation.publish_within", as_of)
    cases = (PathCase.objects.filter(org__path__startswith=org.path, opened_on__lte=as_of)
             .select_related("org").prefetch_related("steps__vote").order_by("org__path", "pk"))
    for c in cases:
        steps = {s.step: s for s in c.steps.all() if s.on <= as_of}
        if not steps:
            continue
        top = max(steps)
        missing = [n for n in range(1, top) if n not in steps]
        url = reverse("deliberation-case", args=[c.pk])
        if top >= PathStepKind.DECIDE and missing:
            yield Finding(rule=path_rule.cite, state=VIOLATED, subject_type="deliberation_case", subject_id=c.pk,
                          subject_label=c.title, org_id=c.org_id, org_name=c.org.name, due=steps[top].on,
                          message=_("“%(case)s”: step %(top)s was recorded on %(date)s with step %(missing)s "
                                    "missing before it.") % {"case": c.title, "top": top, "date": steps[top].on,
                                                             "missing": ", ".join(map(str, missing))},
                          url=url)
            continue
        decide = steps.get(PathStepKind.DECIDE)
        if decide is None or decide.vote is None or not decide.vote.passed:
            continue
        if PathStepKind.PUBLISH_DECISION in steps:
            continue
        due = decide.on + dt.timedelta(days=int(publish_rule["days"]))
        state = deadline_state(due, None, as_of)
        if state in (OVERDUE, DUE_SOON):
            yield Finding(rule=publish_rule.cite, state=state, subject_type="deliberation_case", subject_id=c.pk,
                          subject_label=c.title, org_id=c.org_id, org_name=c.org.name, due=due,
                          message=_("“%(case)s” was decided on %(date)s: publish the decision by %(due)s.")
                          % {"case": c.title, "date": decide.on, "due": due}, url=url)
    brief_rule = in_force("deliberation.briefing_after", as_of)
    days = int(brief_rule["days"])
    topics = (Topic.objects.filter(org__path__startswith=org.path, closes_on__lt=as_of)
              .exclude(meetings__meeting__date__lte=as_of).select_related("org").order_by("closes_on", "pk"))
    for t in topics:
        due = t.closes_on + dt.timedelta(days=days)
        state = deadline_state(due, None, as_of)
        if state not in (OVERDUE, DUE_SOON):
            continue
        yield Finding(rule=brief_rule.cite, state=state, subject_type="deliberation_topic", subject_id=t.pk,
                      subject_label=t.title, org_id=t.org_id, org_name=t.org.name, due=due,
                      message=_("The consultation on “%(topic)s” closed on %(date)s with no briefing or hearing: "
                                "answer it by %(due)s.") % {"topic": t.title, "date": t.closes_on, "due": due},
                      url=reverse("deliberation-topic", args=[t.pk]))
