"""Points elsewhere: the finding of proposals waiting too long, the dashboard panel (approved entries by item, no
names) and the annual summary's section (members taking part, entries approved by item, no ranking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.points.models import PointEntry
from grassroots.points.summary import points_of, points_text
from grassroots.rules.findings import findings_for
from grassroots.rules.registry import in_force
from grassroots.ui.testing import client_as

from .conftest import D, approve_all, ev, propose

pytestmark = pytest.mark.django_db


def _waiting_since(days: int) -> None:
    PointEntry.objects.update(recorded_at=timezone.now() - dt.timedelta(days=days))


def test_proposals_awaiting_approval_too_long(cast: Any, fake_source: list[Any]) -> None:
    fake_source.append(ev(cast.member, D(2024, 5, 1)))
    propose(cast.branch_a, 2024, cast.secretary)
    limit = int(in_force("points.proposals_waiting", timezone.localdate())["days"])
    today = timezone.localdate()
    for days, expected in ((limit, 0), (limit + 1, 1)):  # at the limit: not yet; one day over: a finding
        _waiting_since(days)
        found = [f for f in findings_for(cast.street, today) if f.rule_id == "points.proposals_waiting"]
        assert len(found) == expected, days
    assert found[0].subject_id == cast.branch_a.pk and found[0].url == reverse("points-proposals", args=["A"])
    approve_all(cast.branch_a, cast.secretary)
    assert not [f for f in findings_for(cast.street, today) if f.rule_id == "points.proposals_waiting"]


def test_the_dashboard_panel_counts_without_names(cast: Any, fake_source: list[Any]) -> None:
    year = timezone.localdate().year
    fake_source.extend([ev(cast.member, dt.date(year, 1, 1)), ev(cast.member_a2, dt.date(year, 1, 1)),
                        ev(cast.member_b, dt.date(year, 1, 1), item="dues.paid_on_time")])
    propose(cast.general, year, cast.street_admin)
    approve_all(cast.general, cast.street_admin)
    html = client_as(cast, "street_admin").get(reverse("dashboard", args=["G"]), {"year": year}).content.decode()
    assert 'id="panel-points"' in html
    panel = html.split('id="panel-points"', 1)[1].split("</section>", 1)[0]
    assert 'data-item="wishes.fulfilled"' in panel and "李明" not in panel and "赵刚" not in panel
    assert '<td class="num" data-figure="members">3</td>' in panel


def test_the_annual_summary_section(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 3, 1)), ev(cast.member, D(2024, 4, 1)),
                        ev(cast.member_a2, D(2024, 4, 1), item="dues.paid_on_time"), ev(cast.member_b, D(2024, 4, 1))])
    propose(cast.general, 2024, cast.street_admin)
    approve_all(cast.branch_a, cast.secretary)  # B's proposal is not approved: it is not counted
    figures = points_of(cast.general, 2024, timezone.localdate())
    assert figures is not None and (figures.members, figures.entries) == (2, 3)
    assert figures.as_json()["points"]["by_item"] == {"dues.paid_on_time": 1, "wishes.fulfilled": 2}
    zh = points_text(figures, D(2024, 12, 31), "zh-hans")
    assert "2名党员参与积分" in zh.paragraphs[0] and "3条" in zh.paragraphs[0] and "李明" not in zh.paragraphs[0]
    en = points_text(figures, D(2024, 12, 31), "en")
    assert "2 members took part" in en.paragraphs[0]
    assert points_of(cast.general, 2023, timezone.localdate()) is None  # nothing to say
