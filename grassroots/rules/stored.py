"""The findings kept in the database, so that no page computes a whole subtree's findings on a request.

The worker computes them (`rules.tasks`), never a page:
- after a write: every service write records an audit entry with the organization it concerns (`audit.record` calls
  `core.writes.touched`); the organizations a transaction touched are queued once it commits, at most one queued
  computation per organization (`FindingsState.pending`: the debounce), and a transaction touching very many
  organizations queues their nearest common ancestor instead;
- once a day, for every organization (`daily`: a task that queues itself again for the next night), because
  states change with time alone (due soon becomes overdue without a write);
- by hand: `grassroots findings refresh [--org CODE]`.

A computation of an organization O runs every source over O's subtree, once per language of the site (each
finding's sentence is kept in every language), and replaces, in one transaction, what the computations of O and of
the organizations below it had kept; the rows an earlier computation of an organization above O kept about the same
subjects, or about organizations in O's subtree, go too. Each finding is kept once, with the organization its
source made responsible.

The same transaction writes each organization's totals (`FindingTotal`: per kind and state, how many its subtree
holds and how many name it responsible), so that a page reads an organization's counts in a few rows, whatever the
size of its subtree (`counts`, `org_counts_page`); `retotal` writes them from the kept rows and the tree (the whole
subtree of the organization computed, then each organization above it from its own rows and its children's totals),
and a move in the tree writes the totals above the old and the new place again (`org_moved`).

Pages read the kept rows in counts (`counts`), a page at a time (`rows_for`), and say when they were computed
(`freshness`). A date other than today is computed live only for a small subtree (`live_allowed`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone, translation

from grassroots.core import nightly
from grassroots.orgs.selectors import ancestor_paths

from .findings import DONE, STATES, Finding, findings_for, sources
from .models import FindingsState, FindingTotal, StoredFinding

if TYPE_CHECKING:
    from grassroots.access.scope import Scope
    from grassroots.orgs.models import Organization

log = logging.getLogger(__name__)
BATCH = 1000
LOCK_CLASS = 16017  # the first key of the advisory lock a computation holds on its tree (the second: the root's id)
URGENCY = {state: i for i, state in enumerate(STATES)}


def live_orgs_limit() -> int:
    """The largest subtree (in organizations) whose findings a page may compute live, for a date other than today."""
    return int(getattr(settings, "GRASSROOTS_FINDINGS_LIVE_ORGS", 30))


def collapse_above() -> int:
    """A transaction touching more organizations than this queues their nearest common ancestor instead."""
    return int(getattr(settings, "GRASSROOTS_FINDINGS_COLLAPSE", 50))


def pending_timeout() -> int:
    """Seconds after which a queued computation not yet run counts as lost (a queue emptied by hand, a worker
    stopped before it): a write queues the organization again."""
    return int(getattr(settings, "GRASSROOTS_FINDINGS_PENDING_TIMEOUT", 6 * 3600))


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- computing ---------------------------------------------------------------------------------------------------

def _key(f: Finding) -> tuple[str, str, str, int, int]:
    return (f.rule, f.state, f.subject_type, f.subject_id, f.org_id)


Found = tuple[list[Finding], list[dict[str, str]], list[dict[str, str]]]


def _in_languages(org: Organization, day: dt.date, only: list[str]) -> Found:
    """The open findings of org's subtree on `day` from the sources `only`, with each one's sentence and subject
    in every language of the site (the sources run once per language)."""
    langs = languages()
    with translation.override(langs[0]):
        found = findings_for(org, day, only=only)
    messages = [{langs[0]: f.message} for f in found]
    labels = [{langs[0]: f.subject_label} for f in found]
    where: dict[tuple[str, str, str, int, int], list[int]] = defaultdict(list)
    for i, f in enumerate(found):
        where[_key(f)].append(i)
    for lang in langs[1:]:
        with translation.override(lang):
            other = findings_for(org, day, only=only)
        seen: Counter[tuple[str, str, str, int, int]] = Counter()
        for f in other:
            k = _key(f)
            places = where.get(k, [])
            if seen[k] < len(places):
                i = places[seen[k]]
                messages[i][lang] = f.message
                if f.subject_label != found[i].subject_label:
                    labels[i][lang] = f.subject_label
            seen[k] += 1
    return found, messages, labels


def per_org_sources() -> set[str]:
    """The sources that make the organization asked about responsible for what they find in its places (visits,
    households): run for each organization of the subtree that holds a place (and the top), the deepest one that
    finds a subject keeps it (as the
    organization's own page would show it), instead of the top of the subtree keeping them all."""
    return set(getattr(settings, "GRASSROOTS_FINDINGS_PER_ORG_SOURCES", ("visits", "households")))


def gather(org: Organization, day: dt.date) -> Found:
    """Every open finding of org's subtree on `day`, each once, in every language: the sources that name the
    responsible organization themselves run once over the subtree; the per-organization ones (`per_org_sources`)
    for each organization of the subtree, deepest first."""
    from grassroots.orgs.models import Organization

    per_org = per_org_sources() & set(sources())
    found, messages, labels = _in_languages(org, day, sorted(set(sources()) - per_org))
    if not per_org:
        return found, messages, labels
    from grassroots.orgs.models import TerritoryState

    seen: set[tuple[str, str, int]] = set()
    holding = Q(territory__isnull=False) | Q(pk__in=TerritoryState.objects.filter(
        valid_to__isnull=True, holder__isnull=False).values("holder_id")) | Q(pk=org.pk)
    below = Organization.objects.filter(holding, path__startswith=org.path).order_by("-depth", "path")
    for o in below.only("pk", "path", "depth", "name", "code", "kind"):  # those holding places: they find them
        more, more_messages, more_labels = _in_languages(o, day, sorted(per_org))
        for f, m, lab in zip(more, more_messages, more_labels, strict=True):
            key = (f.rule_id, f.subject_type, f.subject_id)
            if key not in seen:
                seen.add(key)
                found.append(f)
                messages.append(m)
                labels.append(lab)
    return found, messages, labels


def compute(org: Organization, day: dt.date | None = None) -> int:
    """Compute org's subtree's findings on `day` (default today) and keep them; returns how many were kept."""
    day = day or timezone.localdate()
    started = time.monotonic()
    found, messages, labels = gather(org, day)
    rows = [StoredFinding(
        org_id=f.org_id, org_name=f.org_name[:200], rule=f.rule[:120], kind=f.rule_id[:100], state=f.state,
        urgency=URGENCY[f.state], subject_type=f.subject_type[:40], subject_id=f.subject_id,
        subject_label=f.subject_label[:300], due=f.due, messages=msgs, labels=labs, url=f.url[:500],
        computed_for_id=org.pk,
    ) for f, msgs, labs in zip(found, messages, labels, strict=True) if f.state != DONE]
    keys = {(r.kind, r.subject_type, r.subject_id) for r in rows}
    with transaction.atomic():
        lock_tree(org)
        ours = StoredFinding.objects.filter(computed_for__path__startswith=org.path)
        elsewhere = set(ours.exclude(org__path__startswith=org.path).values_list("org_id", flat=True).distinct())
        ours.delete()
        above = ancestor_paths(org)
        if above:
            stale, stale_orgs = [], set()
            for pk, kind, stype, sid, below, org_id in StoredFinding.objects.filter(
                    computed_for__path__in=above).annotate(below=Q(org__path__startswith=org.path)).values_list(
                    "pk", "kind", "subject_type", "subject_id", "below", "org_id"):
                if below or (kind, stype, sid) in keys:
                    stale.append(pk)
                    stale_orgs.add(org_id)
            elsewhere |= stale_orgs
            for start in range(0, len(stale), BATCH):
                StoredFinding.objects.filter(pk__in=stale[start:start + BATCH]).delete()
        StoredFinding.objects.bulk_create(rows, batch_size=BATCH)
        elsewhere |= {r.org_id for r in rows}
        retotal(org, also=elsewhere)
        FindingsState.objects.update_or_create(org_id=org.pk, defaults={
            "computed_at": timezone.now(), "as_of": day, "seconds": round(time.monotonic() - started, 3)})
    return len(rows)


# --- totals ------------------------------------------------------------------------------------------------------

def lock_tree(*orgs: Organization) -> None:
    """PostgreSQL: hold the advisory lock of each org's tree (its root) until the transaction ends, so that the
    writes of kept rows and totals of one tree follow one another (each reads the totals the previous one wrote).
    SQLite has one writer at a time anyway."""
    from grassroots.orgs.models import Organization

    if connection.vendor != "postgresql":
        return
    step = Organization.steplen
    roots = sorted(set(Organization.objects.filter(path__in={o.path[:step] for o in orgs}).values_list(
        "pk", flat=True)))
    with connection.cursor() as cur:
        for root in roots:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, root])


Tally = dict[tuple[str, str, str], list[Any]]  # (org path, kind, state) -> [subtree, own, cite]


def _add(tally: Tally, key: tuple[str, str, str], subtree: int, own: int, cite: str) -> None:
    row = tally.setdefault(key, [0, 0, ""])
    row[0] += subtree
    row[1] += own
    row[2] = max(row[2], cite)


def retotal(top: Organization, also: Iterable[int] = ()) -> int:
    """Write again the totals (`FindingTotal`) of top's subtree from its kept rows, then those of every organization
    above top, or above (or at) an organization of `also` outside top's subtree, from its own kept rows and its
    children's totals, deepest first. Call it in the transaction that changed the kept rows (or the tree), after
    `lock_tree`. Returns how many total rows were written."""
    from grassroots.orgs.models import Organization

    step = Organization.steplen
    inside = dict(Organization.objects.filter(path__startswith=top.path).values_list("pk", "path"))
    tally: Tally = {}
    for org_id, kind, state, n, cite in StoredFinding.objects.filter(org__path__startswith=top.path).values_list(
            "org_id", "kind", "state").annotate(n=Count("pk"), cite=Max("rule")).order_by():
        path = inside[org_id]
        for end in range(len(top.path), len(path) + 1, step):
            _add(tally, (path[:end], kind, state), n, n if end == len(path) else 0, cite)
    outside = sorted(set(also) - set(inside))
    paths = set(ancestor_paths(top))
    for start in range(0, len(outside), BATCH):
        for path in Organization.objects.filter(pk__in=outside[start:start + BATCH]).values_list("path", flat=True):
            paths |= {path[:end] for end in range(step, len(path) + 1, step)}
    chain = dict(Organization.objects.filter(path__in=paths).values_list("path", "pk"))
    if chain:
        for path, kind, state, n, cite in StoredFinding.objects.filter(org_id__in=chain.values()).values_list(
                "org__path", "kind", "state").annotate(n=Count("pk"), cite=Max("rule")).order_by():
            _add(tally, (path, kind, state), n, n, cite)
        done = set(chain) | {top.path}
        beside = Q(pk__in=[])
        for path in chain:
            beside |= Q(org__path__startswith=path, org__depth=len(path) // step + 1)
        children: Tally = {}
        for path, kind, state, n, cite in FindingTotal.objects.filter(beside).exclude(org__path__in=done).values_list(
                "org__path", "kind", "state", "subtree", "cite"):
            _add(children, (path, kind, state), n, 0, cite)
        for path in sorted(chain, key=len, reverse=True):  # deepest first: a node adds its finished children
            for key in [k for k in (*tally, *children) if len(k[0]) == len(path) + step and k[0].startswith(path)]:
                row = tally.get(key) or children[key]
                _add(tally, (path, key[1], key[2]), row[0], 0, row[2])
    FindingTotal.objects.filter(Q(org__path__startswith=top.path) | Q(org_id__in=chain.values())).delete()
    pk_of = {path: pk for pk, path in inside.items()} | chain
    written = [FindingTotal(org_id=pk_of[path], kind=kind, state=state, subtree=row[0], own=row[1], cite=row[2])
               for (path, kind, state), row in tally.items() if row[0]]
    FindingTotal.objects.bulk_create(written, batch_size=BATCH)
    return len(written)


def retotal_all() -> int:
    """Write every tree's totals again from the kept rows (the migration that added them; `grassroots findings
    retotal`). Returns how many total rows were written."""
    written = 0
    with transaction.atomic():
        tops = list(roots())
        lock_tree(*tops)
        FindingTotal.objects.all().delete()
        for root in tops:
            written += retotal(root)
    return written


def org_moved(org: Organization, old_parent: Organization | None) -> None:
    """org moved under a new parent (in the caller's transaction, after the move): the totals above its old place
    and above its new one are written again (its subtree's own do not change)."""
    from grassroots.orgs.models import Organization

    org = Organization.objects.get(pk=org.pk)
    lock_tree(org, *([old_parent] if old_parent is not None else []))
    retotal(org, also=[old_parent.pk] if old_parent is not None else [])


def run(org_id: int) -> int:
    """The queued computation of one organization (what the task runs): -1 when the organization is gone."""
    from grassroots.orgs.models import Organization

    FindingsState.objects.filter(org_id=org_id).update(pending=False)  # a write from now on queues another
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return -1
    n = compute(org)
    ensure_daily()
    return n


def roots() -> QuerySet[Organization]:
    from grassroots.orgs.models import Organization

    return Organization.objects.filter(depth=1).order_by("path")


def refresh(org: Organization | None = None, day: dt.date | None = None) -> dict[str, int]:
    """Compute again org's subtree (default: every tree), top organization by top organization. {code: how many}."""
    targets = [org] if org is not None else list(roots())
    out = {}
    for o in targets:
        FindingsState.objects.filter(org_id=o.pk).update(pending=False)
        out[o.code] = compute(o, day)
    return out


def daily() -> dict[str, int]:
    """The daily refresh of every organization (states change with time alone), then the next one queued."""
    out = refresh()
    ensure_daily()
    return out


def next_daily_run(now: dt.datetime | None = None) -> dt.datetime:
    """Tomorrow at GRASSROOTS_FINDINGS_DAILY_HOUR o'clock (default 2), local time."""
    return nightly.next_night(int(getattr(settings, "GRASSROOTS_FINDINGS_DAILY_HOUR", 2)), now)


def ensure_daily() -> bool:
    """Queue the next daily refresh unless one is already waiting (`core.nightly`). Returns whether one was
    queued."""
    from .tasks import refresh_findings_daily

    return nightly.queue_unless_waiting(refresh_findings_daily, next_daily_run())


# --- queueing after writes ---------------------------------------------------------------------------------------

class _AfterCommit:
    """The organizations one transaction touched; queued once it commits."""

    def __init__(self) -> None:
        self.orgs: set[int] = set()

    def __call__(self) -> None:
        orgs, self.orgs = self.orgs, set()
        if orgs:
            request_refresh(orgs)


def touched(org_id: int) -> None:
    """A write concerning org_id (called by `audit.record` through `core.writes`): queue it after the commit."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        request_refresh([org_id])
        return
    # Django replaces the list of callbacks whenever it drops some (a rollback) or runs them (a commit): while it
    # is the same list, the one registered is still there (no scan per write of a long import).
    waiting, seen_list = getattr(conn, "_grassroots_findings", (None, None))
    if waiting is None or (conn.run_on_commit is not seen_list
                           and not any(fn is waiting for _sids, fn, _robust in conn.run_on_commit)):
        waiting = _AfterCommit()
        transaction.on_commit(waiting, robust=True)
    conn._grassroots_findings = (waiting, conn.run_on_commit)  # type: ignore[attr-defined]
    waiting.orgs.add(org_id)


def _common_ancestors(org_ids: Iterable[int]) -> list[int]:
    """Per tree, the nearest organization above (or equal to) all of org_ids."""
    from grassroots.orgs.models import Organization

    paths = list(Organization.objects.filter(pk__in=list(org_ids)).values_list("path", flat=True))
    step = Organization.steplen
    by_root: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        by_root[p[:step]].append(p)
    prefixes = []
    for group in by_root.values():
        common = min(group)
        for p in group:
            while not p.startswith(common):
                common = common[:-step]
        prefixes.append(common[:len(common) - len(common) % step])
    return list(Organization.objects.filter(path__in=prefixes).values_list("pk", flat=True))


def request_refresh(org_ids: Iterable[int]) -> list[int]:
    """Queue a computation of each organization not already waiting for one. Returns those queued."""
    from .tasks import refresh_findings

    ids = set(org_ids)
    if len(ids) > collapse_above():
        ids = set(_common_ancestors(ids))
    known = set(FindingsState.objects.filter(org_id__in=ids).values_list("org_id", flat=True))
    from grassroots.orgs.models import Organization

    missing = set(Organization.objects.filter(pk__in=ids - known).values_list("pk", flat=True))
    FindingsState.objects.bulk_create([FindingsState(org_id=pk) for pk in missing], ignore_conflicts=True)
    queued = []
    now = timezone.now()
    lost = now - dt.timedelta(seconds=pending_timeout())  # queued so long ago that the job must have been lost
    for pk in sorted(ids):
        free = Q(pending=False) | Q(pending_since__lt=lost) | Q(pending_since__isnull=True)
        if FindingsState.objects.filter(free, org_id=pk).update(pending=True, pending_since=now):
            queued.append(pk)
            refresh_findings.enqueue(pk)
    return queued


# --- reading -----------------------------------------------------------------------------------------------------

def rows_for(scope: Scope, org: Organization) -> QuerySet[StoredFinding]:
    """The kept findings of org's subtree the user may read, most urgent first, then by due date."""
    qs = StoredFinding.objects.filter(org__path__startswith=org.path)
    if not scope.unrestricted:
        qs = qs.filter(org__in=scope.orgs().values("pk"))
    return qs.order_by("urgency", F("due").asc(nulls_last=True), "org_name", "subject_label", "pk")


@dataclass(frozen=True)
class Freshness:
    computed_at: dt.datetime | None  # the last computation covering the whole subtree (org's own or above)
    as_of: dt.date | None  # the day it judged on
    newest: dt.datetime | None  # the newest computation of a part of the subtree
    pending: int  # organizations of the subtree (or above) waiting for a computation

    @property
    def computed(self) -> bool:
        return self.computed_at is not None


def freshness(org: Organization) -> Freshness:
    """When the kept findings of org's subtree were computed, and whether a computation is waiting (2 queries)."""
    covering = FindingsState.objects.filter(
        org__path__in=ancestor_paths(org, including=True), computed_at__isnull=False).order_by("-computed_at").values(
        "computed_at", "as_of").first()
    inside = FindingsState.objects.filter(Q(org__path__startswith=org.path) | Q(org__path__in=ancestor_paths(org)))
    agg = inside.aggregate(newest=Max("computed_at"), pending=Count("pk", filter=Q(pending=True)),
                           oldest=Min("computed_at"))
    return Freshness(computed_at=covering["computed_at"] if covering else None,
                     as_of=covering["as_of"] if covering else None, newest=agg["newest"], pending=agg["pending"])


def freshness_mark() -> tuple[Any, ...]:
    """What moves whenever any kept findings may have changed, in one query of three index reads: the newest
    computation, the newest request for one, and how many wait. The key of the pages kept from them
    (`grassroots.ui.kept`); global rather than per subtree, as the audit's head is: a computation follows writes, so
    the pages it would leave kept are few, and a subtree's own mark would scan its states on every view."""
    table = FindingsState._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT MAX(computed_at) FROM {table}), (SELECT MAX(pending_since) FROM {table}), "  # noqa: S608
                    f"(SELECT COUNT(*) FROM {table} WHERE pending)")
        row = cur.fetchone()
    return tuple(row) if row else ()


def freshness_or_queue(org: Organization) -> Freshness:
    """`freshness`; an organization never computed (a new one) is queued, not computed on the request (a site
    without a worker, whose queue runs each task at once, computes it then)."""
    fresh = freshness(org)
    if not fresh.computed and not fresh.pending:
        request_refresh([org.pk])
        fresh = freshness(org)
    return fresh


def live_allowed(org: Organization) -> bool:
    """Whether org's subtree is small enough to compute its findings on a request (a branch and its groups)."""
    from grassroots.orgs.models import Organization

    limit = live_orgs_limit()
    return Organization.objects.filter(path__startswith=org.path).values("pk")[:limit + 1].count() <= limit


def counts(scope: Scope, org: Organization, *, by_org: bool = True) -> dict[str, Any]:
    """The kept findings of org's subtree in counts: by state, by kind and state (with the newest cite of each kind)
    and, with `by_org`, by responsible organization and state. From the totals in 1 or 2 queries of a few rows when
    the user reads the whole subtree (anyone who reads an organization reads what is below it); else from the rows
    the user may read, in 2 aggregate queries."""
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    cites: dict[str, str] = {}
    orgs: dict[int, Counter[str]] = defaultdict(Counter)
    if scope.can_read_org(org):
        for kind, state, n, cite in FindingTotal.objects.filter(org=org).values_list("kind", "state", "subtree",
                                                                                       "cite"):
            by_kind[kind][state] += n
            cites[kind] = max(cites.get(kind, ""), cite)
        if by_org:
            for org_id, state, n in FindingTotal.objects.filter(org__path__startswith=org.path, own__gt=0).values_list(
                    "org_id", "state").annotate(n=Sum("own")).order_by():
                orgs[org_id][state] += n
    else:
        qs = rows_for(scope, org).order_by()
        for kind, state, n, cite in qs.values_list("kind", "state").annotate(n=Count("pk"), cite=Max("rule")):
            by_kind[kind][state] += n
            cites[kind] = max(cites.get(kind, ""), cite)
        if by_org:
            for org_id, state, n in qs.values_list("org_id", "state").annotate(n=Count("pk")):
                orgs[org_id][state] += n
    in_state: Counter[str] = Counter()
    for c in by_kind.values():
        in_state.update(c)
    return {"in_state": in_state, "by_kind": dict(by_kind), "cites": cites, "by_org": dict(orgs)}


@dataclass(frozen=True)
class OrgCounts:
    pk: int
    code: str
    name: str
    counts: Counter[str]  # open findings naming the organization responsible, by state


def org_counts_page(scope: Scope, org: Organization, page_number: Any, per_page: int) -> Page[OrgCounts]:
    """One page of the organizations of org's subtree that the user reads and that are responsible for a kept
    finding, in the tree's order, each with its counts by state (3 queries: the count, the page, its counts)."""
    responsible = FindingTotal.objects.filter(org=OuterRef("pk"), own__gt=0)
    ordered = (scope.orgs().filter(Exists(responsible), path__startswith=org.path).order_by("path")
               .values_list("pk", "code", "name"))
    page = Paginator(ordered, per_page).get_page(page_number)
    ids = [pk for pk, _code, _name in page.object_list]
    found: dict[int, Counter[str]] = defaultdict(Counter)  # an organization the user reads: all its own rows
    for org_id, state, n in FindingTotal.objects.filter(org_id__in=ids, own__gt=0).values_list(
            "org_id", "state").annotate(n=Sum("own")).order_by():
        found[org_id][state] += n
    page.object_list = [OrgCounts(pk, code, name, found[pk]) for pk, code, name in page.object_list]
    return page
