"""The member state machine: replay dated events into periods. Pure functions, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext as _

from grassroots.core.errors import RuleError

from .models import EventKind, Standing, Status


@dataclass(frozen=True)
class State:
    org_id: int
    status: str
    mobile: bool
    suspended: bool
    education: str
    occupation: str


@dataclass(frozen=True)
class Ev:
    """What the replay needs of an event."""

    kind: str
    date: dt.date
    org_id: int | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date | None
    state: State


@dataclass
class Outcome:
    spans: list[Span]
    final: State | None
    standing: str
    joined_on: dt.date | None
    converted_on: dt.date | None


_ENDINGS = {
    EventKind.TRANSFERRED_OUT: Standing.TRANSFERRED_OUT,
    EventKind.REMOVED: Standing.REMOVED,
    EventKind.DIED: Standing.DECEASED,
}


def apply(state: State | None, ev: Ev) -> State | None:
    """The state after one event, or RuleError saying why the event cannot happen now."""
    d = ev.details or {}
    label = EventKind(ev.kind).label
    if ev.kind in (EventKind.JOINED, EventKind.TRANSFERRED_IN):
        if state is not None:
            raise RuleError(_("%(event)s on %(date)s: already a member here") % {"event": label, "date": ev.date})
        if ev.org_id is None:
            raise RuleError(_("%(event)s needs an organization") % {"event": label}, field="org")
        status = d.get("status", Status.PROBATIONARY if ev.kind == EventKind.JOINED else Status.FULL)
        if status not in Status.values:
            raise RuleError(_("unknown status %(s)s") % {"s": status}, field="status")
        return State(ev.org_id, status, bool(d.get("mobile", False)), False,
                     d.get("education", ""), d.get("occupation", ""))
    if state is None:
        raise RuleError(_("%(event)s on %(date)s: not a member on that date") % {"event": label, "date": ev.date})
    if ev.kind == EventKind.CONVERTED:
        if state.status != Status.PROBATIONARY:
            raise RuleError(_("converted on %(date)s: already a full member") % {"date": ev.date})
        return replace(state, status=Status.FULL)
    if ev.kind == EventKind.TRANSFERRED:
        if ev.org_id is None:
            raise RuleError(_("%(event)s needs an organization") % {"event": label}, field="org")
        if ev.org_id == state.org_id:
            raise RuleError(_("moved on %(date)s: already in that organization") % {"date": ev.date}, field="org")
        return replace(state, org_id=ev.org_id)
    if ev.kind == EventKind.MOBILE_OUT:
        if state.mobile:
            raise RuleError(_("went mobile on %(date)s: already mobile") % {"date": ev.date})
        return replace(state, mobile=True)
    if ev.kind == EventKind.MOBILE_BACK:
        if not state.mobile:
            raise RuleError(_("came back on %(date)s: was not mobile") % {"date": ev.date})
        return replace(state, mobile=False)
    if ev.kind == EventKind.SUSPENDED:
        if state.suspended:
            raise RuleError(_("suspended on %(date)s: already suspended") % {"date": ev.date})
        return replace(state, suspended=True)
    if ev.kind == EventKind.RESTORED:
        if not state.suspended:
            raise RuleError(_("restored on %(date)s: was not suspended") % {"date": ev.date})
        return replace(state, suspended=False)
    if ev.kind == EventKind.UPDATED:
        return replace(state, education=d.get("education", state.education),
                       occupation=d.get("occupation", state.occupation))
    if ev.kind in _ENDINGS:
        return None
    raise RuleError(_("unknown event %(kind)s") % {"kind": ev.kind})


def replay(events: Iterable[Ev]) -> Outcome:
    """Turn events (in date order) into periods. Same-day events collapse into one state change."""
    spans: list[Span] = []
    state: State | None = None
    since: dt.date | None = None
    standing = Standing.ACTIVE
    joined_on = converted_on = None
    last: dt.date | None = None
    died_on: dt.date | None = None
    for ev in events:
        if last is not None and ev.date < last:
            raise RuleError(_("events must be in date order: %(date)s comes after %(last)s")
                            % {"date": ev.date, "last": last}, field="date")
        if died_on is not None:  # nothing can follow a death (a transfer in would bring the member back)
            raise RuleError(_("%(event)s on %(date)s: the member died on %(died)s")
                            % {"event": EventKind(ev.kind).label, "date": ev.date, "died": died_on}, field="date")
        last = ev.date
        if ev.kind == EventKind.DIED:
            died_on = ev.date
        new = apply(state, ev)
        if ev.kind == EventKind.JOINED and joined_on is None:
            joined_on = ev.date
        if ev.kind == EventKind.CONVERTED:
            converted_on = ev.date
        if new != state:
            if state is not None and since is not None and since < ev.date:
                spans.append(Span(since, ev.date, state))
            # a state that began and ended the same day leaves no span
            state, since = new, ev.date
        if ev.kind in _ENDINGS:
            standing = _ENDINGS[EventKind(ev.kind)]
        elif ev.kind in (EventKind.JOINED, EventKind.TRANSFERRED_IN):
            standing = Standing.ACTIVE
    if state is not None and since is not None:
        spans.append(Span(since, None, state))
        standing = Standing.SUSPENDED if state.suspended else Standing.ACTIVE
    return Outcome(spans, state, standing, joined_on, converted_on)


def state_on(events: Iterable[Ev], day: dt.date) -> State | None:
    """The state in force on `day` (events dated `day` count)."""
    state: State | None = None
    for ev in events:
        if ev.date > day:
            break
        state = apply(state, ev)
    return state
