"""One findings engine for every module.

A *source* is a function `(org, as_of) -> Iterable[Finding]` that looks at the records of org's subtree and
says, per rule, what is due soon, overdue, violated or done. Modules register their sources with
`@source("recruitment")`; `findings_for(org, as_of)` runs them all. Findings are computed from the records
each time (never typed in, never stored), so they can be neither forgotten nor stale.

States:
- due_soon: a deadline falls within the next `GRASSROOTS_DUE_SOON_DAYS` days (default 14) and is not met;
- overdue: the deadline has passed and the step can still be done (it will be late);
- violated: a step was done in breach of the rule (too early, too late, with a wrong number);
- done: the step was done in time (listed only when asked for).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DUE_SOON = "due_soon"
OVERDUE = "overdue"
VIOLATED = "violated"
DONE = "done"
STATES = (VIOLATED, OVERDUE, DUE_SOON, DONE)  # most urgent first
STATE_LABELS = {DUE_SOON: _("Due soon"), OVERDUE: _("Overdue"), VIOLATED: _("Violated"), DONE: _("Done")}


@dataclass(frozen=True)
class Finding:
    rule: str  # "recruitment.talk_within@2014": the rule id and the version that judged it
    state: str
    subject_type: str  # "candidate", "member", "organization", ...
    subject_id: int
    subject_label: str
    org_id: int  # the organization responsible (a branch, usually)
    org_name: str
    due: dt.date | None
    message: str  # one sentence, already translated
    url: str = ""

    @property
    def rule_id(self) -> str:
        return self.rule.split("@", 1)[0]

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["due"] = self.due.isoformat() if self.due else None
        d["rule_id"] = self.rule_id
        return d


Source = Callable[[Any, dt.date], Iterable[Finding]]
_SOURCES: dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    def register(fn: Source) -> Source:
        _SOURCES[name] = fn
        return fn
    return register


def sources() -> dict[str, Source]:
    return dict(_SOURCES)


def due_soon_days() -> int:
    return int(getattr(settings, "GRASSROOTS_DUE_SOON_DAYS", 14))


def deadline_state(due: dt.date, done_on: dt.date | None, as_of: dt.date) -> str | None:
    """The state of a step that must be done by `due` (inclusive); None when nothing is to say yet."""
    if done_on is not None and done_on <= as_of:
        return DONE if done_on <= due else VIOLATED
    if as_of > due:
        return OVERDUE
    if (due - as_of).days <= due_soon_days():
        return DUE_SOON
    return None


def findings_for(org: Any, as_of: dt.date, *, include_done: bool = False, only: Iterable[str] | None = None
                 ) -> list[Finding]:
    """All findings for org's subtree on `as_of`, most urgent first, then by due date."""
    wanted = set(only) if only is not None else None
    out: list[Finding] = []
    for name, fn in sorted(_SOURCES.items()):
        if wanted is not None and name not in wanted:
            continue
        out.extend(f for f in fn(org, as_of) if include_done or f.state != DONE)
    order = {s: i for i, s in enumerate(STATES)}
    return sorted(out, key=lambda f: (order[f.state], f.due or dt.date.max, f.org_name, f.subject_label))


def counts_by_org(findings: Iterable[Finding]) -> dict[int, Counter[str]]:
    """Per responsible organization, how many findings in each state (for the committee's overview)."""
    out: dict[int, Counter[str]] = {}
    for f in findings:
        out.setdefault(f.org_id, Counter())[f.state] += 1
    return out
