"""Household honours: every step and refusal (who proposes, who decides, wrong state, stale version), the list and
the household's page with their query ceilings, the public page (head's name and place only), the finding, the
panel and the summary, the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from conftest import cast_places
from grassroots.assistance.tests.fixtures import households
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.honours import selectors, services
from grassroots.honours.models import Honour, State
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 11, 5)


def as_(user: Any) -> Any:
    return acting(user, "web")


def test_the_eight_model_kinds_are_data() -> None:
    names = [n for _c, n in selectors.model_kinds(ON)]
    assert len(names) == 8


def test_the_grid_worker_proposes_and_the_holder_decides(cast: Any) -> None:
    a, c = households(cast)
    worker = cast_places(cast).grid_worker
    with as_(worker):
        h = services.propose(household=a, year=2024, kind="harmonious", reason="孝老爱亲", on=ON)
        with pytest.raises(PermissionDeniedError):
            services.propose(household=c, year=2024, kind="harmonious", reason="x", on=ON)
        with pytest.raises(PermissionDeniedError):  # a grid worker proposes, never decides
            services.approve(h, on=ON)
        with pytest.raises(RuleError) as exc:  # one honour of a kind a year
            services.propose(household=a, year=2024, kind="harmonious", reason="again", on=ON)
        assert exc.value.field == "kind"
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        services.approve(h, on=ON)
    with as_(cast.secretary):
        with pytest.raises(RuleError):
            services.publish(h, on=ON)  # not approved yet
        h = services.approve(h, on=ON, version=h.version)
        with pytest.raises(StaleVersionError):
            services.publish(h, on=ON, version=1)
    with as_(cast.street_admin):  # an organization above the holder decides too
        h = services.publish(h, on=ON + dt.timedelta(days=3))
    assert h.state == State.PUBLISHED and h.approved_by == cast.secretary and h.published_by == cast.street_admin
    actions = list(AuditEntry.objects.filter(object_type="honours.honour").order_by("pk").values_list("action", flat=True))
    assert actions == ["honours.propose", "honours.approve", "honours.publish"]
    with as_(cast.secretary), pytest.raises(RuleError):
        services.decline(h, reason="晚了", on=ON)


@pytest.mark.parametrize(("kw", "field"), [({"kind": "nothing"}, "kind"), ({"reason": ""}, "reason"),
                                           ({"year": 1990}, "year"), ({"on": dt.date(2999, 1, 1)}, "on")])
def test_bad_proposals_are_refused(cast: Any, kw: dict[str, Any], field: str) -> None:
    a, _c = households(cast)
    values = {"year": 2024, "kind": "honest", "reason": "诚信", "on": ON} | kw
    with as_(cast.secretary), pytest.raises(RuleError) as exc:
        services.propose(household=a, **values)
    assert exc.value.field == field and not Honour.objects.exists()


def test_a_declined_honour_may_be_proposed_again_and_a_local_kind_serves_its_subtree(cast: Any) -> None:
    a, c = households(cast)
    with as_(cast.secretary):
        kind = services.kind_add(cast.branch_a, name="最美庭院")
        h = services.propose(household=a, year=2024, kind=f"local-{kind.pk}", reason="庭院整洁", on=ON)
        with pytest.raises(RuleError):
            services.decline(h, reason="", on=ON)
        h = services.decline(h, reason="证明材料不全", on=ON)
        again = services.propose(household=a, year=2024, kind=f"local-{kind.pk}", reason="补齐材料", on=ON)
    assert h.state == State.DECLINED and again.state == State.PROPOSED
    with as_(None), pytest.raises(RuleError):
        services.propose(household=c, year=2024, kind=f"local-{kind.pk}", reason="x", on=ON)


def _published(cast: Any) -> tuple[Any, Any]:
    a, c = households(cast)
    with as_(None):
        h = services.propose(household=a, year=2024, kind="diligent", reason="勤劳", on=ON)
        services.publish(services.approve(h, on=ON), on=ON)
        waiting = services.propose(household=c, year=2024, kind="diligent", reason="勤劳", on=dt.date(2024, 1, 2))
    return a, waiting


def test_the_public_page_shows_the_head_and_the_place_only(cast: Any, client: Any) -> None:
    a, _w = _published(cast)
    page = client.get(reverse("public-honours", args=[cast.branch_a.code]), {"year": 2024})
    text = page.content.decode()
    assert page.status_code == 200 and a.head_name in text and a.territory.name in text
    assert "13712345678" not in text and a.code not in text
    assert client.get(reverse("public-honours", args=[cast.branch_c.code])).status_code == 404  # none published


def test_pages_and_their_query_ceilings(cast: Any, django_assert_max_num_queries: Any) -> None:
    a, _w = _published(cast)
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("honours-list", args=[cast.branch_a.code]), {"year": 2024})
    assert page.status_code == 200 and a.head_name in page.content.decode()
    sheet = client.get(reverse("honours-list", args=[cast.branch_a.code]), {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxml")
    with django_assert_max_num_queries(25):
        assert client.get(reverse("honours-household", args=[a.pk])).status_code == 200
    honour = Honour.objects.get(household=a)
    assert client.get(reverse("honours-detail", args=[honour.pk])).status_code == 200
    worker = client_as(cast, "grid_worker")
    response = worker.post(reverse("honours-household", args=[a.pk]),
                           {"year": 2024, "kind": "lawful", "reason": "守法", "on": "2024-11-06"})
    assert response.status_code == 302 and Honour.objects.filter(household=a, kind="lawful").exists()
    refused = worker.post(reverse("honours-detail", args=[honour.pk]), {"step": "decline", "on": "2024-11-06",
                                                                        "reason": "x"})
    assert refused.status_code == 403


def test_finding_panel_and_summary(cast: Any) -> None:
    from grassroots.honours.findings import honour_findings
    from grassroots.honours.summary import honours_of, honours_text

    _published(cast)
    found = list(honour_findings(cast.other_street, dt.date(2024, 12, 31)))
    assert not list(honour_findings(cast.street, dt.date(2024, 12, 31)))
    assert [f.rule for f in found] == ["honours.decide_within@v1"]
    summary = honours_of(cast.street, 2024, dt.date(2024, 12, 31))
    assert summary is not None and summary.households == 1
    assert "1户" in honours_text(summary, dt.date(2024, 12, 31), "zh-hans").paragraphs[0]


def test_api(cast: Any) -> None:
    a, waiting = _published(cast)
    client = client_as(cast, "street_admin")
    listed = client.get("/api/honours/", {"year": 2024})
    assert listed.status_code == 200 and {r["head_name"] for r in listed.json()["results"]} == {a.head_name}
    made = client.post("/api/honours/", {"household": a.pk, "year": 2024, "kind": "honest", "reason": "诚信"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert client.post(f"/api/honours/{pk}/approve/", {"version": 1}, content_type="application/json").json()[
        "state"] == "approved"
    assert client.post(f"/api/honours/{pk}/publish/", {"version": 1},
                       content_type="application/json").status_code == 409
    outsider = client_as(cast, "outsider")
    assert outsider.post(f"/api/honours/{pk}/decline/", {"reason": "x"},
                         content_type="application/json").status_code == 404
