"""The kept findings' totals (`FindingTotal`): after every computation, move or rewrite, each organization's totals
are exactly the counts of the kept rows of its subtree (and of those naming it responsible); the pages read them in
queries that do not grow with the subtree, and show the same figures as the kept rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from grassroots.access.scope import Scope
from grassroots.cli import main
from grassroots.core.context import acting
from grassroots.orgs.models import Organization
from grassroots.orgs.services import org_create, org_move
from grassroots.recruitment.tests.factories import make_applicant
from grassroots.rules import stored
from grassroots.rules.models import FindingTotal, StoredFinding
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db


def expected(org: Organization) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(kind, state) -> (subtree, own, newest cite), counted one kept row at a time."""
    out: dict[tuple[str, str], tuple[int, int, str]] = {}
    for kind, state, org_id, rule in StoredFinding.objects.filter(org__path__startswith=org.path).values_list(
            "kind", "state", "org_id", "rule"):
        n, own, cite = out.get((kind, state), (0, 0, ""))
        out[(kind, state)] = (n + 1, own + (org_id == org.pk), max(cite, rule))
    return out


def kept(org: Organization) -> dict[tuple[str, str], tuple[int, int, str]]:
    return {(t.kind, t.state): (t.subtree, t.own, t.cite) for t in FindingTotal.objects.filter(org=org)}


def assert_totals_match() -> None:
    for org in Organization.objects.order_by("path"):
        assert kept(org) == expected(org), org.code
    assert not FindingTotal.objects.filter(subtree=0).exists()


def _applicants(org: Organization, n: int, days_ago: int = 50) -> list[Any]:
    today = timezone.localdate()
    with acting(None, "system"):
        return [make_applicant(org, applied_on=today - dt.timedelta(days=days_ago + i)) for i in range(n)]


def test_every_computation_writes_the_totals_of_its_subtree_and_above(cast: Cast) -> None:
    _applicants(cast.branch_a, 2)
    stored.refresh()
    assert FindingTotal.objects.exists()
    assert_totals_match()
    street = kept(cast.street)
    assert sum(n for n, _own, _cite in street.values()) == StoredFinding.objects.filter(
        org__path__startswith=cast.street.path).count()
    # A branch computed again after a write: its totals, its general branch's and its street's follow.
    _applicants(cast.branch_b, 3)
    stored.compute(cast.branch_b)
    assert_totals_match()
    assert sum(n for n, _o, _c in kept(cast.street).values()) == sum(n for n, _o, _c in street.values()) + 3
    # Computing the top again changes nothing; a computation above drops what a computation below had kept.
    before = {t: kept(t) for t in Organization.objects.all()}
    stored.compute(cast.street)
    assert {t: kept(t) for t in Organization.objects.all()} == before


def test_a_move_writes_the_totals_above_the_old_and_the_new_place(cast: Cast) -> None:
    _applicants(cast.branch_b, 2)
    stored.refresh()
    b_total = sum(n for n, _o, _c in kept(cast.branch_b).values())
    street, other = (sum(n for n, _o, _c in kept(o).values()) for o in (cast.street, cast.other_street))
    assert b_total >= 2
    with acting(None, "system"):
        org_move(cast.branch_b, parent=cast.other_street, on=timezone.localdate())
    assert_totals_match()  # before any computation of the moved branch: the totals follow the tree
    assert sum(n for n, _o, _c in kept(cast.street).values()) == street - b_total
    assert sum(n for n, _o, _c in kept(cast.other_street).values()) == other + b_total


def test_retotal_writes_every_tree_again_from_the_kept_rows(cast: Cast, capsys: Any) -> None:
    _applicants(cast.branch_a, 1)
    stored.refresh()
    before = sorted(FindingTotal.objects.values_list("org_id", "kind", "state", "subtree", "own", "cite"))
    FindingTotal.objects.all().delete()
    FindingTotal.objects.create(org=cast.branch_c, kind="stray", state="overdue", cite="x", subtree=9, own=9)
    assert main(["findings", "retotal"]) == 0
    assert f"{len(before)} totals written" in capsys.readouterr().out
    assert sorted(FindingTotal.objects.values_list("org_id", "kind", "state", "subtree", "own", "cite")) == before
    from grassroots.core.models import AuditEntry  # the repair is logged (and moves the kept pages' mark)

    assert AuditEntry.objects.get(action="findings.retotalled").changes["extra"] == {"written": len(before)}


def test_the_counts_from_the_totals_are_those_of_the_kept_rows(cast: Cast) -> None:
    _applicants(cast.branch_a, 2)
    _applicants(cast.branch_b, 1, days_ago=20)
    stored.refresh()
    secretary = Scope(cast.secretary)  # reads branch A only: the rows it may read are all of A's subtree
    for scope, org in ((Scope(None), cast.street), (Scope(cast.street_admin), cast.general),
                       (secretary, cast.branch_a)):
        from_totals = stored.counts(scope, org)
        rows = list(stored.rows_for(scope, org))
        assert from_totals["in_state"] == Counter(r.state for r in rows)
        by_kind: dict[str, Counter[str]] = {}
        for r in rows:
            by_kind.setdefault(r.kind, Counter())[r.state] += 1
        assert from_totals["by_kind"] == by_kind
        assert from_totals["cites"] == {k: max(r.rule for r in rows if r.kind == k) for k in by_kind}
        by_org: dict[int, Counter[str]] = {}
        for r in rows:
            by_org.setdefault(r.org_id, Counter())[r.state] += 1
        assert from_totals["by_org"] == by_org
        page = stored.org_counts_page(scope, org, 1, 50)
        assert [(o.pk, o.counts) for o in page.object_list] == sorted(
            by_org.items(), key=lambda item: Organization.objects.get(pk=item[0]).path)
    # A user who does not read the organization reads the rows in scope (none of another street's).
    assert stored.counts(secretary, cast.street)["in_state"] == Counter(
        r.state for r in stored.rows_for(secretary, cast.branch_a))


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_summary_pages_through_the_organizations_in_a_bounded_number_of_queries(cast: Cast, settings: Any
                                                                                       ) -> None:
    from grassroots.web import views_findings

    settings.GRASSROOTS_KEPT_PAGES = False  # the page as built on every view (not served again from ui.kept)
    client = client_as(cast, "street_admin")
    page = reverse("org-detail", args=["S"])
    with acting(None, "system"):
        for i in range(3):
            org_create(code=f"N{i}", name=f"新支部{i}", kind="branch", founded_on=dt.date(2015, 1, 1),
                       parent=cast.general)
    stored.refresh()
    client.get(page)
    few = _queries(client, page)
    with acting(None, "system"):
        for i in range(3, 12):
            org_create(code=f"N{i}", name=f"新支部{i}", kind="branch", founded_on=dt.date(2015, 1, 1),
                       parent=cast.general)
    stored.refresh()
    responsible = list(Organization.objects.filter(
        pk__in=FindingTotal.objects.filter(own__gt=0).values("org_id"), path__startswith=cast.street.path)
        .order_by("path").values_list("code", flat=True))
    assert len(responsible) > 12
    views_findings.BY_ORG_PAGE, saved = 5, views_findings.BY_ORG_PAGE
    try:
        assert _queries(client, page) == few
        html = client.get(page, {"fpage": 2}).content.decode()
        assert _queries(client, page + "?fpage=3") == few
    finally:
        views_findings.BY_ORG_PAGE = saved
    for code in responsible[5:10]:
        assert f'data-code="{code}"' in html
    assert f'data-code="{responsible[0]}"' not in html and f'data-code="{responsible[10]}"' not in html
    pages = -(-len(responsible) // 5)
    assert f"Page 2 of {pages} ({len(responsible)} rows)" in html
