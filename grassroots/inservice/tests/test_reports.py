"""The dashboard panel, the annual summary's section and the appraisal notes (through the registry), with real
figures; the rules data in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from grassroots.access.scope import scope_for
from grassroots.core.context import acting
from grassroots.core.modules import appraisal_notes
from grassroots.inservice import selectors, services
from grassroots.inservice.dashboard import inservice
from grassroots.inservice.summary import inservice_of, inservice_text
from grassroots.rules.findings import findings_for
from grassroots.rules.registry import in_force
from grassroots.ui.dashboard import DashboardFrame

pytestmark = pytest.mark.django_db
D = dt.date


def _year(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        r = services.report(cast.member, community_org=world.community, on=D(2024, 1, 10), first=True)
        r2 = services.report(cast.member_a2, community_org=world.community, on=D(2024, 2, 10), first=True)
    with acting(cast.outsider, "web"):
        r = services.accept(r, on=D(2024, 1, 11))
        services.accept(r2, on=D(2024, 2, 11))
        services.log_service(r, day=D(2024, 3, 2), activity="楼道清扫", hours="2", logged_on=D(2024, 3, 3))
        services.log_service(r, day=D(2024, 3, 20), activity="义务维修", hours="1.5", logged_on=D(2024, 3, 21))
        services.log_service(r, day=D(2024, 9, 1), activity="巡逻", hours="3", logged_on=D(2024, 9, 1))


def test_panel_with_real_figures(cast: Any, world: Any) -> None:
    _year(cast, world)
    panel = inservice(DashboardFrame(scope_for(cast.outsider), cast.branch_c, 2024, D(2025, 1, 10)))
    assert panel is not None
    assert panel["counts"] == {"reported": 2, "services": 3, "hours": Decimal("6.5"), "own_reported": 0}
    assert panel["rows"][2] == {"month": 3, "services": 2, "hours": Decimal("3.5")}
    assert panel["chart"]["series"][1]["data"][8]["value"] == 3.0
    home = inservice(DashboardFrame(scope_for(cast.secretary), cast.branch_a, 2024, D(2025, 1, 10)))
    assert home is not None and home["counts"]["own_reported"] == 2 and home["counts"]["services"] == 0
    assert inservice(DashboardFrame(scope_for(cast.secretary), cast.branch_b, 2024, D(2025, 1, 10))) is None


def test_summary_section_as_the_year_stood(cast: Any, world: Any) -> None:
    _year(cast, world)
    figures = inservice_of(cast.other_street, 2024, D(2024, 12, 31))
    assert figures is not None and (figures.reported, figures.services, figures.hours) == (2, 3, Decimal("6.5"))
    early = inservice_of(cast.other_street, 2024, D(2024, 3, 10))
    assert early is not None and (early.services, early.hours) == (1, Decimal("2.0"))
    text = inservice_text(figures, D(2024, 12, 31), "zh-hans").paragraphs[0]
    assert "2名在职党员" in text and "服务3次、6.5小时" in text
    assert "3 services (6.5 hours)" in inservice_text(figures, D(2024, 12, 31), "en").paragraphs[0]
    assert figures.as_json() == {"inservice": {"reported": 2, "services": 3, "hours": "6.5", "own_reported": 0}}
    assert inservice_of(cast.branch_b, 2024, D(2024, 12, 31)) is None


def test_appraisal_reads_it_through_the_registry(cast: Any, world: Any) -> None:
    _year(cast, world)
    notes = appraisal_notes([cast.member.pk, cast.member_a2.pk, cast.member_b.pk], 2024)
    ours = {m: [n for n in ns if n.url.endswith("/inservice/")] for m, ns in notes.items()}
    assert ours[cast.member.pk][0].text == "reports: 1; services: 3, 6.5 hours"
    assert ours[cast.member_a2.pk][0].text == "reports: 1; services: 0, 0 hours"
    assert not ours.get(cast.member_b.pk)


def test_rules_data_and_findings_through_the_registry(cast: Any, world: Any) -> None:
    assert in_force("inservice.report_again", D(2024, 1, 1))["months"] == 6
    assert [lv["zh"] for lv in in_force("inservice.evaluation_scale", D(2024, 1, 1))["levels"]] == [
        "好", "较好", "一般", "差"]
    assert [code for code, _label in selectors.evaluation_choices(D(2024, 1, 1))] == [
        "good", "fair_good", "average", "poor"]
    _year(cast, world)
    found = findings_for(cast.street, D(2024, 7, 12), only=["inservice"])
    assert {(f.subject_label, f.state) for f in found} == {(cast.member.name, "overdue")}


def test_the_dashboard_page_and_the_annual_summary_pick_them_up(cast: Any, world: Any) -> None:
    from django.urls import reverse

    from grassroots.reports.annual import annual_summary, as_json
    from grassroots.ui.testing import client_as

    _year(cast, world)
    summary = annual_summary(cast.other_street, 2024)
    assert summary.inservice.hours == Decimal("6.5")
    assert as_json(summary)["inservice"] == {"reported": 2, "services": 3, "hours": "6.5", "own_reported": 0}
    panel = client_as(cast, "outsider").get(reverse("dashboard", args=["X"]) + "?year=2024&panel=inservice")
    text = panel.content.decode()
    assert panel.status_code == 200 and 'id="inservice-table"' in text and "6.5" in text
    assert client_as(cast, "outsider").get(reverse("dashboard", args=["X"]) + "?year=2024").status_code == 200
