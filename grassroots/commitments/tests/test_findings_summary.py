"""Findings (past the deadline with no result; an ended year with commitments still without result), the annual
summary's section, the dashboard panel, the appraisal notes and the point evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from grassroots.commitments import appraisal, dashboard, points, summary
from grassroots.commitments.findings import commitments_findings
from grassroots.rules.findings import DUE_SOON, OVERDUE
from grassroots.ui.testing import client_as

from .conftest import YEAR, D, make, set_result

pytestmark = pytest.mark.django_db


def test_past_the_deadline_without_result_due_soon_then_overdue(cast: Any) -> None:
    c = make(cast.member, deadline=D(YEAR, 6, 30))
    make(cast.member_a2, deadline=D(YEAR, 12, 31))
    assert list(commitments_findings(cast.street, D(YEAR, 6, 30))) == []
    soon = list(commitments_findings(cast.street, D(YEAR, 7, 1)))
    assert [(f.subject_id, f.state, f.due, f.rule) for f in soon] == [
        (c.pk, DUE_SOON, D(YEAR, 7, 30), "commitments.result_after_deadline@v1")]
    assert soon[0].url == reverse("commitment-detail", args=[c.pk])
    assert [f.state for f in commitments_findings(cast.street, D(YEAR, 7, 31))] == [OVERDUE]
    set_result(c, on=D(YEAR, 7, 20))
    assert list(commitments_findings(cast.street, D(YEAR, 7, 31))) == []


def test_an_ended_year_with_commitments_still_without_result(cast: Any) -> None:
    make(cast.member)
    make(cast.member_a2)
    kept = make(cast.member_b)
    set_result(kept, on=D(YEAR, 12, 20))
    found = list(commitments_findings(cast.street, D(YEAR + 1, 1, 15)))
    assert [(f.subject_type, f.subject_id, f.state, f.due) for f in found] == [
        ("organization", cast.branch_a.pk, DUE_SOON, D(YEAR + 1, 1, 31))]
    assert "2 commitments" in found[0].message and f"year={YEAR}" in found[0].url
    assert [f.state for f in commitments_findings(cast.street, D(YEAR + 1, 2, 1))] == [OVERDUE]
    assert list(commitments_findings(cast.other_street, D(YEAR + 1, 2, 1))) == []


def test_the_annual_section_counts_the_year_as_it_stood(cast: Any) -> None:
    set_result(make(cast.member, level="practical", theme="community", text="a"), on=D(YEAR, 12, 20))
    set_result(make(cast.member, level="practical", theme="other", text="b"), "partly", on=D(YEAR, 12, 21))
    make(cast.member_a2, level="common", text="c")
    set_result(make(cast.member_b, level="post", text="d"), on=D(YEAR + 1, 1, 5))  # after the year
    figures = summary.commitments_of(cast.street, YEAR, D(YEAR, 12, 31))
    assert figures is not None
    assert (figures.members, figures.total, figures.practical_four, figures.kept, figures.partly,
            figures.pending) == (3, 4, 1, 1, 1, 2)
    zh = summary.commitments_text(figures, D(YEAR, 12, 31), "zh-hans")
    assert zh.heading == "承诺践诺"
    assert "3名党员作出承诺" in zh.paragraphs[0] and "围绕社区建设、文化、治安、环境等方面作出承诺1项" in zh.paragraphs[0]
    en = summary.commitments_text(figures, D(YEAR, 12, 31), "en").paragraphs[0]
    assert en.startswith("3 members made 4 public commitments") and "1 commitments around community" in en
    assert summary.commitments_of(cast.street, YEAR - 1, D(YEAR - 1, 12, 31)) is None
    assert figures.as_json()["commitments"]["total"] == 4


def test_the_dashboard_panel(cast: Any) -> None:
    make(cast.member, level="practical", theme="culture")
    set_result(make(cast.member_b, level="post"), on=D(YEAR, 11, 1))
    response = client_as(cast, "street_admin").get(reverse("dashboard", args=["S"]), {"year": YEAR})
    assert response.status_code == 200
    assert 'id="panel-commitments"' in response.content.decode()
    from grassroots.access.scope import scope_for
    from grassroots.ui.dashboard import DashboardFrame

    frame = DashboardFrame(scope_for(cast.secretary), cast.branch_a, YEAR, dt.date(YEAR + 1, 3, 1))
    panel = dashboard.commitments(frame)
    assert panel is not None
    assert [r["code"] for r in panel["rows"]] == ["A"] and panel["total"]["levels"] == [0, 0, 1, 0]
    outside = DashboardFrame(scope_for(cast.outsider), cast.other_street, YEAR, dt.date(YEAR + 1, 3, 1))
    assert dashboard.commitments(outside) is None


def test_appraisal_notes(cast: Any) -> None:
    set_result(make(cast.member, text="a"))
    set_result(make(cast.member, text="b"), "not_kept")
    make(cast.member, text="c", year=YEAR - 1, made_on=D(YEAR - 1, 3, 1), deadline=D(YEAR - 1, 12, 31))
    notes = appraisal.notes([cast.member.pk, cast.member_a2.pk], YEAR)
    assert list(notes) == [cast.member.pk]
    assert notes[cast.member.pk][0].text == "2 made: 1 kept, 0 partly kept, 1 not kept"
    assert notes[cast.member.pk][0].url.startswith(reverse("member-commitments", args=[cast.member.pk]))


def test_point_evidence_is_the_kept_ones_dated_by_their_result(cast: Any) -> None:
    kept = set_result(make(cast.member, text="a"), on=D(YEAR, 12, 20))
    set_result(make(cast.member, text="b"), "partly", on=D(YEAR, 12, 20))
    set_result(make(cast.member_c, text="c"), on=D(YEAR, 12, 20))
    set_result(make(cast.member_a2, text="d"), on=D(YEAR + 1, 1, 5))
    found = list(points.evidence(cast.street, D(YEAR, 1, 1), D(YEAR, 12, 31)))
    assert [(e.key, e.member_id, e.day, e.item, e.quantity) for e in found] == [
        (f"commitments.commitment:{kept.pk}", cast.member.pk, D(YEAR, 12, 20), "commitments.kept", 1)]
    assert len(list(points.evidence(cast.street, D(YEAR, 1, 1), D(YEAR + 1, 12, 31)))) == 2
