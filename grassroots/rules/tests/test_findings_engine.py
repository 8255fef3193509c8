"""The findings engine: states at the boundaries, ordering, filtering by source, counts per organization."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from grassroots.rules import findings
from grassroots.rules.findings import (
    DONE,
    DUE_SOON,
    OVERDUE,
    VIOLATED,
    Finding,
    counts_by_org,
    deadline_state,
    findings_for,
    source,
)

DUE = dt.date(2025, 6, 30)


@pytest.mark.parametrize(("as_of", "expected"), [
    (DUE - dt.timedelta(days=15), None),
    (DUE - dt.timedelta(days=14), DUE_SOON),
    (DUE, DUE_SOON),
    (DUE + dt.timedelta(days=1), OVERDUE),
])
def test_deadline_state_when_not_done(as_of: dt.date, expected: str | None) -> None:
    assert deadline_state(DUE, None, as_of) == expected


@pytest.mark.parametrize(("done_on", "expected"), [
    (DUE - dt.timedelta(days=30), DONE), (DUE, DONE), (DUE + dt.timedelta(days=1), VIOLATED)])
def test_deadline_state_when_done(done_on: dt.date, expected: str) -> None:
    assert deadline_state(DUE, done_on, DUE + dt.timedelta(days=60)) == expected


def test_a_step_done_after_as_of_is_not_done_yet() -> None:
    assert deadline_state(DUE, DUE - dt.timedelta(days=1), DUE - dt.timedelta(days=20)) is None
    assert deadline_state(DUE, DUE + dt.timedelta(days=5), DUE + dt.timedelta(days=2)) == OVERDUE


def test_due_soon_window_is_a_setting(settings: Any) -> None:
    settings.GRASSROOTS_DUE_SOON_DAYS = 30
    assert deadline_state(DUE, None, DUE - dt.timedelta(days=30)) == DUE_SOON
    assert deadline_state(DUE, None, DUE - dt.timedelta(days=31)) is None


def make(state: str, due: dt.date | None, org_id: int = 1, org_name: str = "A", label: str = "x",
         rule: str = "demo.rule@1") -> Finding:
    return Finding(rule=rule, state=state, subject_type="candidate", subject_id=1, subject_label=label,
                   org_id=org_id, org_name=org_name, due=due, message="m")


@pytest.fixture
def fake_sources(monkeypatch: Any) -> list[Finding]:
    """Two registered sources (and none of the real ones) returning fixed findings."""
    monkeypatch.setattr(findings, "_SOURCES", {})
    first = [make(DUE_SOON, DUE, label="d"), make(DONE, DUE, label="e"), make(OVERDUE, DUE, label="b"),
             make(OVERDUE, DUE - dt.timedelta(days=3), org_id=2, org_name="B", label="a")]
    second = [make(VIOLATED, None, org_id=2, org_name="B", label="z", rule="other.rule@1"),
              make(OVERDUE, DUE, org_id=2, org_name="B", label="c", rule="other.rule@1")]
    source("first")(lambda org, as_of: iter(first))
    source("second")(lambda org, as_of: iter(second))
    return first + second


def test_findings_are_ordered_most_urgent_first(fake_sources: list[Finding]) -> None:
    found = findings_for(None, DUE)
    assert [(f.state, f.subject_label) for f in found] == [
        (VIOLATED, "z"), (OVERDUE, "a"), (OVERDUE, "b"), (OVERDUE, "c"), (DUE_SOON, "d")]


def test_include_done_and_only(fake_sources: list[Finding]) -> None:
    assert [f.subject_label for f in findings_for(None, DUE, include_done=True)][-1] == "e"
    assert {f.rule_id for f in findings_for(None, DUE, only=["second"])} == {"other.rule"}
    assert findings_for(None, DUE, only=[]) == []


def test_counts_by_org(fake_sources: list[Finding]) -> None:
    counts = counts_by_org(findings_for(None, DUE, include_done=True))
    assert counts == {1: Counter({OVERDUE: 1, DUE_SOON: 1, DONE: 1}), 2: Counter({VIOLATED: 1, OVERDUE: 2})}


def test_as_json() -> None:
    data = make(OVERDUE, DUE, rule="recruitment.talk_within@2014").as_json()
    assert data["due"] == "2025-06-30" and data["rule_id"] == "recruitment.talk_within"
    assert data["rule"] == "recruitment.talk_within@2014" and data["state"] == OVERDUE
    assert make(VIOLATED, None).as_json()["due"] is None


def test_the_recruitment_source_is_registered() -> None:
    assert "recruitment" in findings.sources()
