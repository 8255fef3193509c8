"""The year's counters (collected, claimed, fulfilled by the day of fulfilment), the annual-summary section and
the dashboard panel built on them, the findings of late wishes (N days as rule data), and the point evidence
of fulfilled wishes claimed by members."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.access.scope import scope_for
from grassroots.core.context import acting
from grassroots.rules.registry import in_force
from grassroots.ui.dashboard import DashboardFrame
from grassroots.wishes import dashboard, points, selectors, services, summary
from grassroots.wishes.findings import wish_findings

from .fixtures import make_wish

pytestmark = pytest.mark.django_db
DEC = dt.date(2023, 12, 20)


def test_counters_by_the_day_of_fulfilment(cast: Any) -> None:
    crossing = make_wish(cast.branch_a, state="claimed", member=cast.member, day=DEC)
    with acting(None, "system"):
        services.fulfil(crossing, note="送到了", on=dt.date(2024, 1, 5))
    make_wish(cast.branch_a, state="confirmed", member=cast.member, day=dt.date(2023, 5, 1))
    make_wish(cast.branch_a, state="published", day=dt.date(2023, 6, 1))
    make_wish(cast.branch_c, state="confirmed", member=cast.member_c, day=dt.date(2023, 5, 1))
    c2023 = selectors.year_counts(cast.street, 2023, dt.date(2023, 12, 31))
    assert (c2023.collected, c2023.claimed, c2023.fulfilled, c2023.confirmed) == (3, 2, 1, 1)
    c2024 = selectors.year_counts(cast.street, 2024, dt.date(2024, 12, 31))
    assert (c2024.collected, c2024.fulfilled) == (0, 1)  # fulfilled in 2024: counted in 2024
    half = selectors.year_counts(cast.street, 2023, dt.date(2023, 5, 2))
    assert (half.collected, half.claimed, half.fulfilled) == (1, 1, 0)  # as the records stood then
    zh = summary.wishes_text(c2023, dt.date(2023, 12, 31), "zh-hans").paragraphs[0]
    assert zh == "2023年，收集群众微心愿3个，认领2个；全年完成微心愿1个，其中1个已经群众确认。"
    en = summary.wishes_text(c2023, dt.date(2023, 12, 31), "en").paragraphs[0]
    assert en.startswith("In 2023, 3 micro-wishes were collected from residents, 2 of them claimed")
    assert summary.wishes_of(cast.branch_b, 2023, dt.date(2023, 12, 31)) is None


def test_the_dashboard_panel(cast: Any) -> None:
    make_wish(cast.branch_a, state="confirmed", member=cast.member, day=dt.date(2023, 5, 1))
    make_wish(cast.street, state="published", day=dt.date(2023, 6, 1))
    frame = DashboardFrame(scope=scope_for(cast.secretary), org=cast.street, year=2023, today=dt.date(2024, 3, 1))
    panel = dashboard.wishes(frame)
    assert panel is not None
    assert [(r["code"], r["collected"], r["fulfilled"]) for r in panel["rows"]] == [("A", 1, 1)]  # S unreadable
    assert (panel["total"]["collected"], panel["total"]["claimed"]) == (2, 1)
    empty = DashboardFrame(scope=scope_for(cast.secretary), org=cast.branch_b, year=2023, today=dt.date(2024, 3, 1))
    assert dashboard.wishes(empty) is None


def test_findings_after_the_days_the_rules_give(cast: Any) -> None:
    day = dt.date(2024, 3, 4)
    waiting = make_wish(cast.branch_a, state="published", day=day)
    claimed = make_wish(cast.branch_a, state="claimed", member=cast.member, day=day)
    fulfilled = make_wish(cast.branch_a, state="fulfilled", member=cast.member, day=day)
    days = in_force("wishes.claim_within", day)["days"]
    assert list(wish_findings(cast.street, day + dt.timedelta(days=days))) == []  # on the last day: not late
    late = {f.subject_id: f for f in wish_findings(cast.street, day + dt.timedelta(days=days + 1))}
    assert waiting.pk in late and late[waiting.pk].rule == "wishes.claim_within@v1"
    far = {f.subject_id: f for f in wish_findings(cast.street, day + dt.timedelta(days=60))}
    assert set(far) == {waiting.pk, claimed.pk, fulfilled.pk}
    assert "李明" in far[claimed.pk].message and far[claimed.pk].org_id == cast.branch_a.pk
    assert list(wish_findings(cast.branch_b, day + dt.timedelta(days=60))) == []


def test_point_evidence_of_fulfilled_wishes_claimed_by_members(cast: Any) -> None:
    done = make_wish(cast.branch_a, state="confirmed", member=cast.member, day=dt.date(2024, 3, 4))
    make_wish(cast.branch_a, state="claimed", member=cast.member_a2, day=dt.date(2024, 3, 4))
    unit = make_wish(cast.street, state="published", day=dt.date(2024, 3, 4))
    with acting(None, "system"):
        services.claim(unit, unit="和顺物业", on=dt.date(2024, 3, 5))
        services.fulfil(unit, note="修好了", on=dt.date(2024, 3, 6))
    found = list(points.evidence(cast.street, dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert [(e.key, e.member_id, e.day, e.item) for e in found] == [
        (f"wishes.wish:{done.pk}", cast.member.pk, dt.date(2024, 3, 7), "wishes.fulfilled")]
    assert list(points.evidence(cast.street, dt.date(2024, 3, 8), dt.date(2024, 12, 31))) == []
    from grassroots.core.modules import point_sources

    assert any(m.label == "wishes" for m, _fn in point_sources())
