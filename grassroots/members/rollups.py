"""Counts of members kept beside their periods (issue 16): the structure statistics of any subtree on any day
without scanning the periods.

The form (docs: rollups.md):

- `OrgSpan`: the tree over time as a closure table. (A, O, from, to) says that A's subtree held O over
  [from, to); every organization holds itself. Computed from the `OrgState` rows by `org_restated`, which the
  organization services call whenever they write a state (create, rename, upgrade, move, merge, revoke).
- `RollupDelta` / `AgeDelta`: per organization NODE (an organization and each of its ancestors as of the day)
  and day, how the marginal figures changed: +1 where a period starts counting in the node, -1 where it stops.
  `AgeDelta` does the same by birth date, so that the age bands on any day are exact sums. Rows are only ever
  inserted; several rows for the same node and day add up.
- `RollupMark` / `AgeMark`: a node's figures just before the first of a month, built by the first read that
  needs them from the previous mark plus the deltas in between (the current month's are built ahead, every night,
  by `build_marks`), and moved by every write dated before them.

A node's figures on day D = its mark of D's month + its deltas from the first of the month to D: one row plus
at most a month of rows, whatever the size of the subtree.

Writers: every write of `MemberPeriod` rows calls `periods_replaced(removed, added)` in its transaction; a change
of a member's sex, ethnicity or birth date calls `member_changed`. They insert deltas (no row is updated, so
concurrent writers in one city never wait on each other), then add themselves to the node's marks dated after
their first delta (only a backdated write finds any). On PostgreSQL a writer holds a shared advisory lock on each
node it writes, and a reader building a mark an exclusive one, so that a mark never misses a delta written
concurrently (see the docs for the behaviour under concurrency).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from grassroots.core import bulk, nightly
from grassroots.orgs.models import Organization, OrgState

from .models import (
    FIGURES,
    HAN,
    AgeDelta,
    AgeMark,
    Member,
    MemberPeriod,
    OrgSpan,
    RollupDelta,
    RollupMark,
    Sex,
)

LOCK_CLASS = 16016  # the first key of the advisory locks (the second is the node's id)
INDEX = {name: i for i, name in enumerate(FIGURES)}
SEX_FIGURE = {Sex.MALE.value: "male", Sex.FEMALE.value: "female"}

Interval = tuple[dt.date, dt.date | None]  # [from, to); to None: open
_DELTA_COLUMNS = ("node_id", "day", *FIGURES)  # (each figure's column is named as its field)


class Person(NamedTuple):
    """What the figures read of a member (the rest comes from the period)."""

    sex: str
    ethnicity: str
    birth_date: dt.date

    def key(self) -> tuple[str, bool, dt.date]:
        return (self.sex, self.ethnicity == HAN, self.birth_date)


def person_of(member: Member) -> Person:
    return Person(member.sex, member.ethnicity, member.birth_date)


class _Period(NamedTuple):
    org_id: int
    start: dt.date
    end: dt.date | None
    status: str
    mobile: bool
    suspended: bool
    education: str
    occupation: str


def _period(p: MemberPeriod) -> _Period:
    return _Period(p.org_id, p.start, p.end, p.status, bool(p.mobile), bool(p.suspended), p.education, p.occupation)


def _figures_of(p: _Period, person: Person) -> tuple[int, ...]:
    """The indexes (in FIGURES) of the figures a period of this person counts in."""
    names = ["total", p.status, SEX_FIGURE.get(person.sex, ""), "han" if person.ethnicity == HAN else "minority",
             "mobile" if p.mobile else "", "suspended" if p.suspended else "",
             f"education_{p.education}", f"occupation_{p.occupation}"]
    return tuple(INDEX[n] for n in names if n in INDEX)


def _overlap(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or start < end else None


class Changes:
    """Deltas being collected, summed by node and day (and birth date), before one write."""

    def __init__(self) -> None:
        self.figures: defaultdict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0] * len(FIGURES))
        self.ages: Counter[tuple[int, dt.date, dt.date]] = Counter()

    def add(self, sign: int, node: int, span: Interval, figures: tuple[int, ...], birth_date: dt.date) -> None:
        self._at(sign, node, span[0], figures, birth_date)
        if span[1] is not None:
            self._at(-sign, node, span[1], figures, birth_date)

    def _at(self, sign: int, node: int, day: dt.date, figures: tuple[int, ...], birth_date: dt.date) -> None:
        row = self.figures[(node, day)]
        for i in figures:
            row[i] += sign
        self.ages[(node, day, birth_date)] += sign

    def period(self, sign: int, p: _Period, person: Person, spans: Iterable[tuple[int, Interval]]) -> None:
        """The period counted (sign +1) or uncounted (-1) in each node over the part of it the span covers."""
        figures = _figures_of(p, person)
        for node, span in spans:
            part = _overlap((p.start, p.end), span)
            if part is not None:
                self.add(sign, node, part, figures, person.birth_date)

    def write(self) -> None:
        """Insert the deltas that are not zero; add them to the marks dated after them."""
        figure_rows = {k: v for k, v in self.figures.items() if any(v)}
        age_rows = {k: n for k, n in self.ages.items() if n}
        if not figure_rows and not age_rows:
            return
        nodes = sorted({k[0] for k in figure_rows} | {k[0] for k in age_rows})
        _lock(nodes, shared=True)
        # plain rows, COPY on PostgreSQL (an import's batch of 5,000 members makes some 20,000 of them)
        bulk.insert_rows(RollupDelta, _DELTA_COLUMNS, [(node, day, *v) for (node, day), v in figure_rows.items()])
        bulk.insert_rows(AgeDelta, ("node_id", "day", "birth_date", "n"),
                         [(node, day, born, n) for (node, day, born), n in age_rows.items()])
        first = min([k[1] for k in figure_rows] + [k[1] for k in age_rows])
        marks = list(RollupMark.objects.filter(node_id__in=nodes, month__gt=first).values_list("node_id", "month"))
        for node, month in marks:  # a backdated write: the marks after it move with it
            moved = [0] * len(FIGURES)
            for (n, day), v in figure_rows.items():
                if n == node and day < month:
                    moved = [a + b for a, b in zip(moved, v, strict=True)]
            if any(moved):
                RollupMark.objects.filter(node_id=node, month=month).update(
                    **{name: F(name) + x for name, x in zip(FIGURES, moved, strict=True) if x})
            born: Counter[dt.date] = Counter()
            for (n, day, birth_date), k in age_rows.items():
                if n == node and day < month:
                    born[birth_date] += k
            _add_to_age_mark(node, month, {b: k for b, k in born.items() if k})


def _add_to_age_mark(node: int, month: dt.date, born: dict[dt.date, int]) -> None:
    if not born:
        return
    table = AgeMark._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(born))
    params: list[Any] = []
    for birth_date, n in sorted(born.items()):
        params += [node, month, birth_date, n]
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} (node_id, month, birth_date, n) VALUES {values} "  # noqa: S608
                    f"ON CONFLICT (node_id, month, birth_date) DO UPDATE SET n = {table}.n + excluded.n", params)


def _lock(nodes: Sequence[int], *, shared: bool) -> None:
    """PostgreSQL: advisory locks on the nodes until the transaction ends (shared for writers of deltas, exclusive
    for a reader building a mark). SQLite has one writer at a time anyway."""
    if connection.vendor != "postgresql" or not nodes:
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cur:
        cur.execute(f"SELECT count({fn}(%s, n)) FROM unnest(%s::int[]) AS n", [LOCK_CLASS, sorted(nodes)])


# --- writes of periods and of members' fixed attributes ------------------------------------------------------
def _spans_of(org_ids: Iterable[int]) -> dict[int, list[tuple[int, Interval]]]:
    out: dict[int, list[tuple[int, Interval]]] = defaultdict(list)
    ids = sorted(set(org_ids))
    for start in range(0, len(ids), 500):
        for org_id, ancestor, valid_from, valid_to in OrgSpan.objects.filter(org_id__in=ids[start:start + 500]) \
                .values_list("org_id", "ancestor_id", "valid_from", "valid_to"):
            out[org_id].append((ancestor, (valid_from, valid_to)))
    return out


def _people(periods: Sequence[MemberPeriod]) -> dict[int, Person]:
    people: dict[int, Person] = {}
    missing = set()
    for p in periods:
        if MemberPeriod.member.is_cached(p):  # type: ignore[attr-defined]
            people[p.member_id] = person_of(p.member)
        else:
            missing.add(p.member_id)
    missing -= set(people)
    ids = sorted(missing)
    for start in range(0, len(ids), 500):
        for pk, sex, ethnicity, born in Member.objects.filter(pk__in=ids[start:start + 500]) \
                .values_list("pk", "sex", "ethnicity", "birth_date"):
            people[pk] = Person(sex, ethnicity, born)
    return people


def periods_replaced(removed: Sequence[MemberPeriod], added: Sequence[MemberPeriod], *,
                     into: Changes | None = None) -> None:
    """The periods `removed` were deleted and `added` written (in the caller's transaction): move the rollups.
    A few queries whatever the number of periods (an import passes a thousand members' periods at once).
    `into`: add the deltas to these changes, which the caller writes (`Changes.write`) before its transaction
    ends (an import's batches summed by node and day: far fewer rows than a write a batch)."""
    if not removed and not added:
        return
    people = _people([*removed, *added])
    signed: Counter[tuple[_Period, Person]] = Counter()
    for sign, periods in ((-1, removed), (1, added)):
        for p in periods:
            signed[(_period(p), people[p.member_id])] += sign
    signed = Counter({k: n for k, n in signed.items() if n})  # a period rewritten as it was changes nothing
    if not signed:
        return
    spans = _spans_of(period.org_id for period, _ in signed)
    changes = Changes() if into is None else into
    for (period, person), n in signed.items():
        changes.period(n, period, person, spans.get(period.org_id, ()))
    if into is None:
        changes.write()


def member_changed(member: Member, before: Person) -> None:
    """A member's sex, ethnicity or birth date changed (the row already saved): its periods move from the
    figures of the old attributes to those of the new."""
    after = person_of(member)
    if before.key() == after.key():
        return
    periods = [_period(row) for row in MemberPeriod.objects.filter(member=member)]
    spans = _spans_of(period.org_id for period in periods)
    changes = Changes()
    for period in periods:
        changes.period(-1, period, before, spans.get(period.org_id, ()))
        changes.period(1, period, after, spans.get(period.org_id, ()))
    changes.write()


# --- the tree over time -----------------------------------------------------------------------------------------
def _merged(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            last = out[-1]
            out[-1] = (last[0], None if last[1] is None or end is None else max(last[1], end))
        else:
            out.append((start, end))
    return out


def _minus(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The parts of the intervals `a` that `b` does not cover (both merged)."""
    out: list[Interval] = []
    for start, end in a:
        pieces: list[Interval] = [(start, end)]
        for bs, be in b:
            nxt: list[Interval] = []
            for ps, pe in pieces:
                if _overlap((ps, pe), (bs, be)) is None:
                    nxt.append((ps, pe))
                    continue
                if ps < bs:
                    nxt.append((ps, bs))
                if be is not None and (pe is None or be < pe):
                    nxt.append((be, pe))
            pieces = nxt
        out += pieces
    return out


def compute_spans(org_ids: Iterable[int] | None = None) -> dict[int, dict[int, list[Interval]]]:
    """org -> ancestor -> merged intervals, from the OrgState rows (every organization when org_ids is None)."""
    states = OrgState.objects.all() if org_ids is None else OrgState.objects.filter(org_id__in=list(org_ids))
    rows = list(states.values_list("org_id", "valid_from", "valid_to", "path"))
    step = Organization.steplen
    prefixes = {path[:end] for _, _, _, path in rows for end in range(step, len(path), step)}
    by_path: dict[str, list[tuple[int, Interval]]] = defaultdict(list)
    wanted = sorted(prefixes)
    for start in range(0, len(wanted), 500):
        for org_id, valid_from, valid_to, path in OrgState.objects.filter(path__in=wanted[start:start + 500]) \
                .values_list("org_id", "valid_from", "valid_to", "path"):
            by_path[path].append((org_id, (valid_from, valid_to)))
    raw: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    for org_id, valid_from, valid_to, path in rows:
        own: Interval = (valid_from, valid_to)
        raw[org_id][org_id].append(own)
        for end in range(step, len(path), step):
            for ancestor, theirs in by_path.get(path[:end], ()):
                part = _overlap(own, theirs)
                if part is not None:
                    raw[org_id][ancestor].append(part)
    return {o: {a: _merged(iv) for a, iv in by_ancestor.items()} for o, by_ancestor in raw.items()}


def _stored_spans(org_ids: list[int]) -> dict[int, dict[int, list[Interval]]]:
    out: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    for org_id, ancestor, valid_from, valid_to in OrgSpan.objects.filter(org_id__in=org_ids) \
            .values_list("org_id", "ancestor_id", "valid_from", "valid_to"):
        out[org_id][ancestor].append((valid_from, valid_to))
    return {o: {a: _merged(iv) for a, iv in by_ancestor.items()} for o, by_ancestor in out.items()}


def org_restated(org: Organization) -> None:
    """The organization services wrote `org`'s states: recompute the spans of every organization that ever stood
    under one of its paths, and move the periods of those whose spans changed from the old nodes to the new."""
    paths = sorted(set(OrgState.objects.filter(org=org).values_list("path", flat=True)))
    if not paths:
        ids = [org.pk]
    else:
        q = Q()
        for path in paths:
            q |= Q(path__startswith=path)
        ids = sorted(set(OrgState.objects.filter(q).values_list("org_id", flat=True)) | {org.pk})
    new = compute_spans(ids)
    old = _stored_spans(ids)
    changed: dict[int, list[tuple[int, int, Interval]]] = {}
    for org_id in ids:
        before, after = old.get(org_id, {}), new.get(org_id, {})
        diff = []
        for ancestor in set(before) | set(after):
            b, a = before.get(ancestor, []), after.get(ancestor, [])
            diff += [(-1, ancestor, iv) for iv in _minus(b, a)] + [(1, ancestor, iv) for iv in _minus(a, b)]
        if diff:
            changed[org_id] = diff
    if not changed:
        return
    OrgSpan.objects.filter(org_id__in=list(changed)).delete()
    OrgSpan.objects.bulk_create([OrgSpan(org_id=o, ancestor_id=a, valid_from=iv[0], valid_to=iv[1])
                                 for o in changed for a, ivs in new.get(o, {}).items() for iv in ivs])
    changes = Changes()
    for org_id, diff in changed.items():
        earliest = min(iv[0] for _, _, iv in diff)
        rows = (MemberPeriod.objects.filter(org_id=org_id).filter(Q(end__isnull=True) | Q(end__gt=earliest))
                .values_list("start", "end", "status", "mobile", "suspended", "education", "occupation",
                             "member__sex", "member__ethnicity", "member__birth_date"))
        for start, end, status, mobile, suspended, education, occupation, sex, ethnicity, born in rows.iterator(
                chunk_size=5000):
            p = _Period(org_id, start, end, status, bool(mobile), bool(suspended), education, occupation)
            person = Person(sex, ethnicity, born)
            for sign, ancestor, iv in diff:
                changes.period(sign, p, person, [(ancestor, iv)])
    changes.write()


# --- reads ----------------------------------------------------------------------------------------------------
def _mark_month(day: dt.date) -> dt.date:
    """The mark a read of `day` starts from: the first of its month, never after the current month's (writes
    are dated today at the latest, so they find no mark after them unless they are backdated)."""
    return min(day.replace(day=1), timezone.localdate().replace(day=1))


def _sums(names: Sequence[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def _build_mark(node: int, month: dt.date) -> tuple[int, ...]:
    """Build the node's mark of `month` (a read found none): its figures."""
    return _ensure_mark(node, month, recheck=connection.vendor == "postgresql")[0]


def _ensure_mark(node: int, month: dt.date, *, recheck: bool) -> tuple[tuple[int, ...], bool]:
    """Build the node's mark of `month` from the nearest mark before or after it and the deltas in between (from
    nothing when it has none), in its own transaction holding the node's exclusive lock: no writer of the node's
    deltas is half-way meanwhile. With `recheck`, a mark already there (another reader built it while this one
    waited for the lock) is returned instead. Returns the figures and whether the mark was built now."""
    with transaction.atomic(savepoint=False):
        _lock([node], shared=False)
        if recheck:
            built = RollupMark.objects.filter(node_id=node, month=month).values_list(*FIGURES).first()
            if built is not None:
                return tuple(built), False
        table = RollupMark._meta.db_table
        prev = nxt = None
        with connection.cursor() as cur:  # the nearest marks before and after, in one query
            cur.execute(f"SELECT month, {_COLUMNS} FROM {table} WHERE node_id = %s AND month IN ("  # noqa: S608
                        f"(SELECT MAX(month) FROM {table} WHERE node_id = %s AND month < %s), "
                        f"(SELECT MIN(month) FROM {table} WHERE node_id = %s AND month > %s))",
                        [node, node, month, node, month])
            for row in cur.fetchall():
                when = row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(row[0])
                if when < month:
                    prev = (when, *row[1:])
                else:
                    nxt = (when, *row[1:])
        ages, age_deltas = AgeMark._meta.db_table, AgeDelta._meta.db_table
        if nxt is not None and (prev is None or nxt[0] - month < month - prev[0]):
            # Back from the next mark: take away what changed between the two.
            sums = RollupDelta.objects.filter(node_id=node, day__gte=month, day__lt=nxt[0]).aggregate(
                **_sums(FIGURES))
            figures = tuple(b - (sums[name] or 0) for b, name in zip(nxt[1:], FIGURES, strict=True))
            parts = [f"SELECT birth_date, n FROM {ages} WHERE node_id = %s AND month = %s",
                     f"SELECT birth_date, -n FROM {age_deltas} WHERE node_id = %s AND day >= %s AND day < %s"]
            params: list[Any] = [node, month, node, nxt[0], node, month, nxt[0]]
        else:
            deltas = RollupDelta.objects.filter(node_id=node, day__lt=month)
            if prev is not None:
                deltas = deltas.filter(day__gte=prev[0])
            sums = deltas.aggregate(**_sums(FIGURES))
            base = prev[1:] if prev is not None else (0,) * len(FIGURES)
            figures = tuple(b + (sums[name] or 0) for b, name in zip(base, FIGURES, strict=True))
            parts = [f"SELECT birth_date, n FROM {age_deltas} WHERE node_id = %s AND day < %s"]
            params = [node, month, node, month]
            if prev is not None:
                parts[0] += " AND day >= %s"
                parts.append(f"SELECT birth_date, n FROM {ages} WHERE node_id = %s AND month = %s")
                params += [prev[0], node, prev[0]]
        RollupMark.objects.create(node_id=node, month=month, **dict(zip(FIGURES, figures, strict=True)))
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {ages} (node_id, month, birth_date, n) SELECT %s, %s, birth_date, SUM(n) "  # noqa: S608
                        f"FROM ({' UNION ALL '.join(parts)}) AS x GROUP BY birth_date HAVING SUM(n) <> 0", params)
        return figures, True


def ahead_nodes() -> QuerySet[Organization, int]:
    """The nodes whose marks the nightly task builds ahead: the organizations with organizations under them. A
    branch's mark is its own few members' deltas, built by its first read of the month in milliseconds; a
    committee's sums its whole subtree's (seconds for a county of millions). Leaving the branches to their reads
    halves the age marks written each month (about 1 M rather than 2 M rows at 1,000,000 members)."""
    return Organization.objects.filter(numchild__gt=0).values_list("pk", flat=True)  # a subquery of build_marks


def build_marks(month: dt.date | None = None, nodes: Iterable[int] | None = None) -> int:
    """Build ahead the marks of `month` (its first day; default: the current month) that no read has built yet,
    for every organization or the `nodes` given, so that no reader waits for one (the nightly task
    `members.tasks.build_rollup_marks_nightly`; `grassroots rollup-marks`). The nodes with last month's mark (every
    node once this has run a month before) are built 100 at a time (`_marks_from_last_month`); the others one by
    one as a read builds one (`_ensure_mark`: its own short transaction holding the node's exclusive lock, from the
    nearest mark). A mark built meanwhile by a read is left alone, so running it again builds nothing. Returns how
    many marks were built."""
    current = _mark_month(timezone.localdate())
    month = current if month is None else month.replace(day=1)
    if month > current:  # a read never starts from a mark after the current month's (`_mark_month`)
        raise ValueError(f"no mark is read for a month after the current one ({current:%Y-%m})")
    wanted = Organization.objects.all() if nodes is None else Organization.objects.filter(pk__in=nodes)
    marked = RollupMark.objects.filter(month=month)
    missing = list(wanted.exclude(pk__in=marked.values("node_id")).order_by("pk").values_list("pk", flat=True))
    built, rest = 0, list[int]()
    for start in range(0, len(missing), _BATCH):
        n, left = _marks_from_last_month(missing[start:start + _BATCH], month)
        built, rest = built + n, rest + left
    return built + sum(_ensure_mark(node, month, recheck=True)[1] for node in rest)


_BATCH = 100  # nodes whose marks one statement builds, under their exclusive locks (writers of them wait for it)


def _marks_from_last_month(nodes: list[int], month: dt.date) -> tuple[int, list[int]]:
    """Build at once the marks of `month` of those `nodes` that have a mark of the month before and none of
    `month`: last month's mark plus the deltas of last month, in one transaction holding the nodes' exclusive locks
    (no writer of their deltas is half-way meanwhile; a writer after it finds the marks and moves them). Returns
    how many were built and the nodes with neither mark, left to `_ensure_mark`."""
    last = (month - dt.timedelta(days=1)).replace(day=1)
    marks, deltas = RollupMark._meta.db_table, RollupDelta._meta.db_table
    ages, age_deltas = AgeMark._meta.db_table, AgeDelta._meta.db_table
    with transaction.atomic(savepoint=False):
        _lock(nodes, shared=False)
        has: defaultdict[int, set[dt.date]] = defaultdict(set)
        for node, when in RollupMark.objects.filter(node_id__in=nodes, month__in=[last, month]).values_list(
                "node_id", "month"):
            has[node].add(when if isinstance(when, dt.date) else dt.date.fromisoformat(when))
        ready = [n for n in nodes if has[n] == {last}]
        rest = [n for n in nodes if not has[n]]
        if not ready:
            return 0, rest
        among = ", ".join(["%s"] * len(ready))
        plus = ", ".join(f'm."{name}" + COALESCE(d."{name}", 0)' for name in FIGURES)
        sums = ", ".join(f'SUM("{name}") AS "{name}"' for name in FIGURES)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {marks} (node_id, month, {_COLUMNS}) SELECT m.node_id, %s, {plus} "  # noqa: S608
                        f"FROM {marks} m LEFT JOIN (SELECT node_id, {sums} FROM {deltas} "
                        f"WHERE node_id IN ({among}) AND day >= %s AND day < %s GROUP BY node_id) d "
                        f"ON d.node_id = m.node_id WHERE m.month = %s AND m.node_id IN ({among})",
                        [month, *ready, last, month, last, *ready])
            built = cur.rowcount
            cur.execute(f"INSERT INTO {ages} (node_id, month, birth_date, n) "  # noqa: S608
                        f"SELECT node_id, %s, birth_date, SUM(n) FROM ("
                        f"SELECT node_id, birth_date, n FROM {ages} WHERE month = %s AND node_id IN ({among}) "
                        f"UNION ALL SELECT node_id, birth_date, n FROM {age_deltas} "
                        f"WHERE node_id IN ({among}) AND day >= %s AND day < %s) AS x "
                        f"GROUP BY node_id, birth_date HAVING SUM(n) <> 0", [month, last, *ready, *ready, last, month])
    return built, rest


_COLUMNS = ", ".join(f'"{name}"' for name in FIGURES)


def figures(node: int, day: dt.date, *, marks: bool = True) -> dict[str, int]:
    """The node's figures (FIGURES) on `day`: its mark plus the deltas of the month up to the day, in one query
    (with marks=False, every delta up to the day: what `grassroots verify-rollups` checks the marks against)."""
    if not marks:
        every = RollupDelta.objects.filter(node_id=node, day__lte=day).aggregate(**_sums(FIGURES))
        return {name: every[name] or 0 for name in FIGURES}
    month = _mark_month(day)
    sums = ", ".join(f'SUM("{name}")' for name in FIGURES)
    with connection.cursor() as cur:
        cur.execute(f"SELECT SUM(src), {sums} FROM ("  # noqa: S608
                    f"SELECT 1 AS src, {_COLUMNS} FROM {RollupMark._meta.db_table} WHERE node_id = %s AND month = %s "
                    f"UNION ALL SELECT 0, {_COLUMNS} FROM {RollupDelta._meta.db_table} "
                    f"WHERE node_id = %s AND day >= %s AND day <= %s) AS x", [node, month, node, month, day])
        row = cur.fetchone()
    found = [int(v or 0) for v in row[1:]]
    if not row[0]:  # no mark yet: build it (the deltas of the month are added as they are)
        found = [a + b for a, b in zip(found, _build_mark(node, month), strict=True)]
    return dict(zip(FIGURES, found, strict=True))


BirthRange = tuple[dt.date | None, dt.date | None]  # born after the first (None: no bound), on or before the second


def born_between(node: int, day: dt.date, ranges: dict[str, BirthRange], *, marks: bool = True) -> dict[str, int]:
    """How many of the node's members on `day` were born in each range (the age bands), in one query; the mark of
    the month must exist (`figures` builds it). marks=False: from every delta up to the day."""
    sums = []
    params: list[Any] = []
    for after, until in ranges.values():
        cond = ["1 = 1"]
        if after is not None:
            cond.append("birth_date > %s")
            params.append(after)
        if until is not None:
            cond.append("birth_date <= %s")
            params.append(until)
        sums.append(f"SUM(CASE WHEN {' AND '.join(cond)} THEN n ELSE 0 END)")
    parts = [f"SELECT birth_date, n FROM {AgeDelta._meta.db_table} WHERE node_id = %s AND day <= %s"]
    params += [node, day]
    if marks:
        month = _mark_month(day)
        parts[0] += " AND day >= %s"
        parts.append(f"SELECT birth_date, n FROM {AgeMark._meta.db_table} WHERE node_id = %s AND month = %s")
        params += [month, node, month]
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(sums)} FROM ({' UNION ALL '.join(parts)}) AS x", params)  # noqa: S608
        row = cur.fetchone()
    return {key: int(v or 0) for key, v in zip(ranges, row, strict=True)}


# --- backfill ---------------------------------------------------------------------------------------------------
def _contributions_sql(nodes: list[int] | None) -> tuple[str, list[Any]]:
    """Each period's +1 where it starts counting in a node and -1 where it stops, for every span of its
    organization (the nodes given, or all), as rows (node, day, sg, attributes...)."""
    where = ""
    params: list[Any] = []
    if nodes is not None:
        where = f" AND s.ancestor_id IN ({', '.join(['%s'] * len(nodes))})"
    overlap = ('(p."end" IS NULL OR p."end" > s.valid_from) AND (s.valid_to IS NULL OR p.start < s.valid_to)'
               + where)
    cols = "p.status, p.mobile, p.suspended, p.education, p.occupation, m.sex, m.ethnicity, m.birth_date"
    frm = (f"FROM {MemberPeriod._meta.db_table} p JOIN {OrgSpan._meta.db_table} s ON s.org_id = p.org_id "
           f"JOIN {Member._meta.db_table} m ON m.id = p.member_id")
    sql = (f"SELECT s.ancestor_id AS node, CASE WHEN p.start > s.valid_from THEN p.start ELSE s.valid_from END "
           f"AS day, 1 AS sg, {cols} {frm} WHERE {overlap} "
           f"UNION ALL "
           f"SELECT s.ancestor_id, CASE WHEN s.valid_to IS NULL THEN p.\"end\" WHEN p.\"end\" IS NULL THEN s.valid_to "
           f"WHEN p.\"end\" < s.valid_to THEN p.\"end\" ELSE s.valid_to END, -1, {cols} {frm} "
           f"WHERE {overlap} AND (p.\"end\" IS NOT NULL OR s.valid_to IS NOT NULL)")
    if nodes is not None:
        params = [*nodes, *nodes]
    return sql, params


def rebuild(org: Organization | None = None) -> dict[str, int]:
    """Recompute the spans, deltas and marks from the states and periods: every node, or the nodes of `org`'s
    subtree today. In one transaction. Returns the rows written by table."""
    with transaction.atomic():
        if org is None:
            nodes: list[int] | None = None
            _lock_everything()
            OrgSpan.objects.all().delete()
            for model in (RollupDelta, RollupMark, AgeDelta, AgeMark):
                model.objects.all().delete()
            spans = compute_spans()
        else:
            nodes = sorted(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))
            _lock(nodes, shared=False)
            OrgSpan.objects.filter(ancestor_id__in=nodes).delete()
            for model in (RollupDelta, RollupMark, AgeDelta, AgeMark):
                model.objects.filter(node_id__in=nodes).delete()
            wanted = set(nodes)
            spans = {o: {a: ivs for a, ivs in by_a.items() if a in wanted} for o, by_a in compute_spans().items()}
        OrgSpan.objects.bulk_create([OrgSpan(org_id=o, ancestor_id=a, valid_from=iv[0], valid_to=iv[1])
                                     for o, by_a in spans.items() for a, ivs in by_a.items() for iv in ivs],
                                    batch_size=2000)
        inner, params = _contributions_sql(nodes)
        sums = [f"SUM(CASE WHEN x.{col} = %s THEN x.sg ELSE 0 END)" for col in ("status", "status", "sex", "sex")]
        sum_params: list[Any] = ["probationary", "full", Sex.MALE.value, Sex.FEMALE.value]
        sums += ["SUM(CASE WHEN x.ethnicity = %s THEN x.sg ELSE 0 END)",
                 "SUM(CASE WHEN x.ethnicity = %s THEN 0 ELSE x.sg END)",
                 "SUM(CASE WHEN x.mobile THEN x.sg ELSE 0 END)", "SUM(CASE WHEN x.suspended THEN x.sg ELSE 0 END)"]
        sum_params += [HAN, HAN]
        for name in FIGURES[9:]:
            column, value = name.split("_", 1)
            sums.append(f"SUM(CASE WHEN x.{column} = %s THEN x.sg ELSE 0 END)")
            sum_params.append(value)
        assert len(sums) + 1 == len(FIGURES)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {RollupDelta._meta.db_table} (node_id, day, {', '.join(f'"{f}"' for f in FIGURES)}) "  # noqa: S608
                        f"SELECT x.node, x.day, SUM(x.sg), {', '.join(sums)} FROM ({inner}) AS x "
                        f"GROUP BY x.node, x.day HAVING SUM(x.sg) <> 0 OR {' OR '.join(s + ' <> 0' for s in sums)}",
                        [*sum_params, *params, *sum_params])
            deltas = cur.rowcount
            cur.execute(f"INSERT INTO {AgeDelta._meta.db_table} (node_id, day, birth_date, n) "  # noqa: S608
                        f"SELECT x.node, x.day, x.birth_date, SUM(x.sg) FROM ({inner}) AS x "
                        f"GROUP BY x.node, x.day, x.birth_date HAVING SUM(x.sg) <> 0", params)
            ages = cur.rowcount
            # This month's marks, so that the first reads after a backfill do not sum a node's whole history.
            month = _mark_month(timezone.localdate())
            only = f" AND node_id IN ({', '.join(['%s'] * len(nodes))})" if nodes is not None else ""
            cur.execute(f"INSERT INTO {RollupMark._meta.db_table} (node_id, month, {_COLUMNS}) "  # noqa: S608
                        f"SELECT node_id, %s, {', '.join(f'SUM({c})' for c in _COLUMNS.split(', '))} "
                        f"FROM {RollupDelta._meta.db_table} WHERE day < %s{only} GROUP BY node_id",
                        [month, month, *(nodes or [])])
            cur.execute(f"INSERT INTO {AgeMark._meta.db_table} (node_id, month, birth_date, n) "  # noqa: S608
                        f"SELECT node_id, %s, birth_date, SUM(n) FROM {AgeDelta._meta.db_table} WHERE day < %s{only} "
                        f"GROUP BY node_id, birth_date HAVING SUM(n) <> 0", [month, month, *(nodes or [])])
    return {"spans": sum(len(ivs) for by_a in spans.values() for ivs in by_a.values()), "deltas": deltas,
            "age_deltas": ages}


def _lock_everything() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (OrgSpan, RollupDelta, RollupMark, AgeDelta, AgeMark):
                cur.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")


# --- the nightly build of the marks ---------------------------------------------------------------------------
def next_marks_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next GRASSROOTS_ROLLUP_MARKS_HOUR o'clock (default 1, before the findings' refresh), local time."""
    return nightly.next_night(int(getattr(settings, "GRASSROOTS_ROLLUP_MARKS_HOUR", 1)), now)


def ensure_nightly_marks() -> bool:
    """Queue the next nightly build of the marks unless one is already waiting (`core.nightly`). Returns whether
    one was queued."""
    from .tasks import build_rollup_marks_nightly

    return nightly.queue_unless_waiting(build_rollup_marks_nightly, next_marks_run())
