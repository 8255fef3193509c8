"""The findings: an agreement about to lapse within the rules' window (its boundary, dates computed at run time),
not once renewed or ended; an open project past its deadline; and the dashboard panel and the annual section
with real figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from grassroots.cobuild import services as s
from grassroots.cobuild.dashboard import cobuild as panel
from grassroots.cobuild.findings import cobuild_findings
from grassroots.cobuild.summary import cobuild_of, cobuild_text
from grassroots.core.context import acting
from grassroots.rules.findings import DUE_SOON, OVERDUE
from grassroots.rules.registry import in_force
from grassroots.ui.dashboard import DashboardFrame

from .conftest import today


def _days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def _found(org: Any, subject: str) -> dict[int, Any]:
    return {f.subject_id: f for f in cobuild_findings(org, today()) if f.subject_type == subject}


def test_the_window_is_data_marked_unverified() -> None:
    rule = in_force("cobuild.renew_before", today())
    assert rule["days"] == 60 and rule.verified is False


def test_an_agreement_lapsing_within_the_window(cast: Any, world: Any) -> None:
    days = int(in_force("cobuild.renew_before", today())["days"])
    with acting(None, "system"):
        inside = s.agreement_create(org=cast.branch_a, unit=world.unit, title="将到期", signed_on=_days(-300),
                                    ends_on=_days(days))
        outside = s.agreement_create(org=cast.branch_a, unit=world.unit, title="未到期", signed_on=_days(-300),
                                     ends_on=_days(days + 1))
        lapsed = s.agreement_create(org=cast.branch_a, unit=world.unit, title="已到期", signed_on=_days(-300),
                                    ends_on=_days(-1))
    found = _found(cast.branch_a, "cobuild_agreement")
    assert inside.pk in found and outside.pk not in found and lapsed.pk not in found
    assert world.agreement.pk not in found  # a year left
    assert found[inside.pk].state == DUE_SOON and found[inside.pk].due == _days(days)
    assert _found(cast.street, "cobuild_agreement").keys() == found.keys()  # seen from above too
    assert _found(cast.other_street, "cobuild_agreement") == {}
    with acting(None, "system"):
        s.agreement_renew(inside, version=inside.version, signed_on=today(), ends_on=_days(days + 1000))
    assert inside.pk not in _found(cast.branch_a, "cobuild_agreement")


def test_an_agreement_ended_early_is_not_due(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        a = s.agreement_create(org=cast.branch_a, unit=world.unit, title="将到期", signed_on=_days(-300),
                               ends_on=_days(10))
        s.agreement_end(a, version=a.version, on=_days(-1), reason="单位迁出")
    assert a.pk not in _found(cast.branch_a, "cobuild_agreement")


def test_projects_overdue(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        late = s.project_create(org=cast.branch_a, title="逾期", started_on=_days(-60), due_on=_days(-1))
        done = s.project_create(org=cast.branch_a, title="已完成", started_on=_days(-60), due_on=_days(-1))
        s.project_done(done, version=done.version, on=_days(-2), outcome="完成")
        s.project_create(org=cast.branch_a, title="无期限", started_on=_days(-60))
    found = _found(cast.branch_a, "cobuild_project")
    assert set(found) == {late.pk} and found[late.pk].state == OVERDUE
    assert world.project.pk not in found  # due in 100 days


def test_panel_and_annual_section_with_real_figures(cast: Any, world: Any) -> None:
    day = today()
    with acting(None, "system"):
        s.contribution_create(unit=world.unit, kind="money", given_on=day, amount="5000", agreement=world.agreement)
        s.contribution_create(unit=world.unit, kind="in_kind", given_on=day, amount="1200", goods="米")
        s.contribution_create(unit=world.unit, kind="money", given_on=dt.date(day.year - 1, 6, 1), amount="999")
        p = s.project_start(world.project, version=world.project.version)
        s.project_done(p, version=p.version, on=day, outcome="完成")
        other = s.unit_create(org=cast.branch_a, name="无协议单位", kind="agency")
        s.unit_leave(other, version=other.version, on=day)
    figures = cobuild_of(cast.branch_a, day.year, day)
    assert figures is not None
    assert (figures.units, figures.units_signed, figures.agreements) == (1, 1, 1)
    assert (figures.money, figures.goods, figures.projects_done) == (Decimal("5000.00"), Decimal("1200.00"), 1)
    zh = cobuild_text(figures, day, "zh-hans")
    assert "投入资金5000.00元" in str(zh.paragraphs[0]) and "完成共建项目1个" in str(zh.paragraphs[0])
    en = cobuild_text(figures, day, "en")
    assert "5000.00 yuan" in str(en.paragraphs[0]) and en.heading == "Co-construction"
    assert figures.as_json()["cobuild"]["money"] == "5000.00"
    assert cobuild_of(cast.branch_c, day.year, day) is None
    from grassroots.access.scope import scope_for

    result = panel(DashboardFrame(scope=scope_for(cast.secretary), org=cast.branch_a, year=day.year, today=day))
    assert result is not None
    assert result["figures"]["money"] == Decimal("5000.00")
    assert {r["state"]: r["count"] for r in result["rows"]} == {"planned": 0, "under_way": 0, "done": 1,
                                                                 "dropped": 0}


def test_the_dashboard_and_the_annual_document_show_it(cast: Any, world: Any) -> None:
    import io as _io

    from django.urls import reverse
    from docx import Document

    from grassroots.ui.testing import client_as

    day = today()
    with acting(None, "system"):
        s.contribution_create(unit=world.unit, kind="money", given_on=day, amount="4321", agreement=world.agreement)
    client = client_as(cast, "secretary")
    page = client.get(reverse("dashboard", args=["A"]) + f"?year={day.year}&panel=cobuild",
                      HTTP_HX_REQUEST="true").content.decode()
    assert 'id="cobuild-table"' in page and "4321.00" in page
    document = client.get(reverse("report-annual", args=["A"]), {"year": day.year})
    text = "\n".join(p.text for p in Document(_io.BytesIO(document.content)).paragraphs)
    assert "投入资金4321.00元" in text
