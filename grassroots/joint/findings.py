"""Joint-meeting findings (source "joint"), for the bodies of a subtree on `as_of`:

- Tasks (joint.task_due): a task not done by its deadline is overdue; one due within the due-soon window is due
  soon. A task done (on or before `as_of`) says nothing.
- Meeting interval (joint.meet_every, local practice, unverified): a body open on `as_of` should meet within N
  months of its last meeting (or of its setting-up when it never met); past that day it is overdue, within the
  due-soon window before it due soon.

Two queries for a whole county: the open tasks, the open bodies with their last meeting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.dates import add_months
from grassroots.rules.findings import Finding, deadline_state, source
from grassroots.rules.registry import in_force

from .models import JointMeeting, Task


def meet_by(body: JointMeeting, last: dt.date | None, as_of: dt.date) -> dt.date:
    """The day by which the body should meet again: N months after its last meeting (or its setting-up)."""
    months = int(in_force("joint.meet_every", as_of)["months"])
    return add_months(last or body.set_up_on, months)


@source("joint")
def joint_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    task_rule = in_force("joint.task_due", as_of)
    tasks = (Task.objects.filter(decision__session__body__org__path__startswith=org.path,
                                 decision__session__meeting__date__lte=as_of)
             .filter(Q(done_on__isnull=True) | Q(done_on__gt=as_of))
             .select_related("decision__session__body__org", "unit").order_by("due_on", "pk"))
    for t in tasks:
        state = deadline_state(t.due_on, None, as_of)
        if state is None:
            continue
        body = t.decision.session.body
        who = ", ".join(x for x in (t.unit.name if t.unit else "", t.owner) if x)
        yield Finding(rule=task_rule.cite, state=state, subject_type="joint_task", subject_id=t.pk,
                      subject_label=t.title, org_id=body.org_id, org_name=body.org.name, due=t.due_on,
                      message=_("“%(task)s” (%(who)s), decided by %(body)s, is due by %(due)s.")
                      % {"task": t.title, "who": who, "body": body.name, "due": t.due_on.isoformat()},
                      url=reverse("joint-session", args=[t.decision.session_id]))
    meet_rule = in_force("joint.meet_every", as_of)
    bodies = (JointMeeting.objects.filter(org__path__startswith=org.path, set_up_on__lte=as_of)
              .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
              .annotate(last=Max("sessions__meeting__date", filter=Q(sessions__meeting__date__lte=as_of)))
              .select_related("org").order_by("org__path", "pk"))
    for b in bodies:
        due = meet_by(b, b.last, as_of)
        state = deadline_state(due, None, as_of)
        if state is None:
            continue
        if b.last is None:
            message = _("%(body)s has not met since it was set up on %(date)s: meet by %(due)s.")
        else:
            message = _("%(body)s last met on %(date)s: meet by %(due)s.")
        yield Finding(rule=meet_rule.cite, state=state, subject_type="joint_body", subject_id=b.pk,
                      subject_label=b.name, org_id=b.org_id, org_name=b.org.name, due=due,
                      message=message % {"body": b.name, "date": (b.last or b.set_up_on).isoformat(),
                                         "due": due.isoformat()},
                      url=reverse("joint-body", args=[b.pk]))
