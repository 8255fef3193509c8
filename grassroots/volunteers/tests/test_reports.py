"""Findings, point evidence, the annual-summary section, the dashboard panel and star levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import override_settings

from grassroots.core.context import acting
from grassroots.rules.findings import DUE_SOON, OVERDUE, findings_for
from grassroots.volunteers import selectors
from grassroots.volunteers import services as s
from grassroots.volunteers.points import evidence
from grassroots.volunteers.summary import volunteers_of, volunteers_text

from .conftest import at


def test_findings_name_what_awaits(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        s.mark_attendance(s.sign_up(world.activity, world.resident), present=True)
        s.report_hours(world.member_vol, day=dt.date(2024, 3, 1), hours="1", content="帮忙", today=dt.date(2024, 3, 1))
    found = findings_for(cast.street, dt.date(2024, 3, 12), only=["volunteers"])
    states = {f.rule_id: f.state for f in found}
    assert states["volunteers.confirm_within"] == DUE_SOON  # 7 days after 5 March: due today
    assert states["volunteers.report_within"] == DUE_SOON
    assert findings_for(cast.street, dt.date(2024, 2, 28), only=["volunteers"]) == []
    found = findings_for(cast.street, dt.date(2024, 3, 13), only=["volunteers"])
    hours = [f for f in found if f.rule_id == "volunteers.confirm_within"]
    assert hours and hours[0].state == OVERDUE and hours[0].subject_id == world.activity.pk
    assert not findings_for(cast.branch_b, dt.date(2024, 3, 13), only=["volunteers"])


def test_point_evidence_only_for_members_confirmed(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        a = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True)
        b = s.mark_attendance(s.sign_up(world.activity, world.resident), present=True)
        assert list(evidence(cast.street, dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == []
        s.confirm_hours(a, on=dt.date(2024, 3, 6))
        s.confirm_hours(b, on=dt.date(2024, 3, 6))
    items = list(evidence(cast.street, dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert [(e.key, e.member_id, e.quantity, e.item) for e in items] == [
        (f"volunteers.attendance:{a.pk}", cast.member.pk, Decimal("2.5"), "volunteers.hours")]
    assert items[0].day == dt.date(2024, 3, 5)
    assert list(evidence(cast.branch_b, dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == []


def test_summary_counts_the_year_as_it_stood(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        p = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True)
        s.confirm_hours(p, on=dt.date(2024, 3, 6))
        s.activity_create(world.team, title="下一年", starts_at=at(2025, 1, 2, 9), ends_at=at(2025, 1, 2, 10))
    before = volunteers_of(cast.street, 2024, dt.date(2024, 3, 5))
    assert before is not None and before.hours == 0 and before.activities == 1
    figures = volunteers_of(cast.street, 2024, dt.date(2024, 12, 31))
    assert figures is not None
    assert (figures.volunteers, figures.members, figures.residents, figures.activities, figures.participants,
            figures.hours) == (2, 1, 1, 1, 1, Decimal("2.5"))
    assert "注册志愿者2名" in str(volunteers_text(figures, dt.date(2024, 12, 31), "zh-hans").paragraphs[0])
    assert "2 volunteers" in str(volunteers_text(figures, dt.date(2024, 12, 31), "en").paragraphs[0])
    assert volunteers_of(cast.branch_b, 2024, dt.date(2024, 12, 31)) is None
    months = selectors.hours_by_month(cast.street, 2024, dt.date(2024, 12, 31))
    assert months[2] == {"month": 3, "activities": 1, "hours": Decimal("2.5")}


def test_star_levels_are_data() -> None:
    day = dt.date(2024, 1, 1)
    assert selectors.star_level(Decimal("299.5"), day) == 1
    assert selectors.star_level(Decimal("300"), day) == 2
    assert selectors.star_level(Decimal("1500"), day) == 5
    with override_settings(GRASSROOTS_VOLUNTEER_STAR_SCALE="beijing"):
        assert selectors.star_level(Decimal("200"), day) == 2
        assert selectors.star_level(Decimal("1000"), day) == 5


def test_appraisal_notes_say_the_hours(cast: Any, world: Any) -> None:
    from grassroots.volunteers.points import appraisal_notes

    with acting(None, "system"):
        p = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True)
        s.confirm_hours(p, on=dt.date(2024, 3, 6))
    notes = appraisal_notes([cast.member.pk, cast.member_a2.pk], 2024)
    assert list(notes) == [cast.member.pk]
    assert "2.5" in notes[cast.member.pk][0].text
    assert appraisal_notes([cast.member.pk], 2023) == {}


def test_dashboard_panel(cast: Any, world: Any) -> None:
    from grassroots.access.scope import scope_for
    from grassroots.ui.dashboard import DashboardFrame
    from grassroots.volunteers.dashboard import volunteers

    with acting(None, "system"):
        p = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True)
        s.confirm_hours(p, on=dt.date(2024, 3, 6))
    panel = volunteers(DashboardFrame(scope_for(cast.street_admin), cast.street, 2024, dt.date(2025, 1, 10)))
    assert panel is not None and panel["counts"]["hours"] == Decimal("2.5")
    assert panel["chart"]["series"][1]["data"][2]["value"] == 2.5
    assert panel["rows"][2]["url"].endswith("?year=2024&month=3")
    assert volunteers(DashboardFrame(scope_for(cast.secretary), cast.branch_b, 2024, dt.date(2025, 1, 10))) is None
