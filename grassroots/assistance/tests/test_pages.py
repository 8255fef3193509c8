"""The assistance pages with their query ceilings (the ledger with its totals and filters, its .xlsx, a household's
assistance, an entry and its correction, the store, a round and its receipt), the findings, the panel, the summary
and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from grassroots.assistance import services
from grassroots.assistance.models import Assistance, DistributionLine
from grassroots.core.context import acting
from grassroots.ui.testing import client_as

from .fixtures import DAY, entry, households, stocked

pytestmark = pytest.mark.django_db


def setup(cast: Any) -> tuple[Any, Any, Any]:
    a, c = households(cast)
    for i in range(5):
        entry(a, amount=str(100 + i), given_on=DAY - dt.timedelta(days=i))
    entry(c)
    rice = stocked(cast.branch_a, 5)
    with acting(None, "system"):
        rnd = services.round_create(cast.branch_a, title="2024年第一季度", held_on=DAY, kind="temporary")
        services.line_add(rnd, household=a, item=rice, quantity="2", persons_count=2)
    return a, c, rnd


def test_the_ledger_its_totals_filters_and_sheet(cast: Any, django_assert_max_num_queries: Any) -> None:
    a, c, _rnd = setup(cast)
    client = client_as(cast, "secretary")
    url = reverse("assistance-ledger", args=["A"])
    with django_assert_max_num_queries(30):
        page = client.get(url, {"year": 2024})
    text = page.content.decode()
    assert page.status_code == 200 and a.code in text and c.code not in text and "13712345678" not in text
    assert 'id="total-households">1<' in text and 'id="total-amount">510' in text
    assert client.get(url, {"kind": "temporary"}).content.decode().count(f"{a.code} ") >= 1
    assert client.get(url, {"source": "unit"}).context["page"].paginator.count == 0
    assert client.get(url, {"place": "T-A-G2"}).context["page"].paginator.count == 0
    sheet = client.get(url, {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxml")
    assert client_as(cast, "outsider").get(url).status_code == 404


def test_a_household_page_and_the_entry_form(cast: Any, django_assert_max_num_queries: Any) -> None:
    a, c, _rnd = setup(cast)
    worker = client_as(cast, "grid_worker")
    with django_assert_max_num_queries(25):
        page = worker.get(reverse("assistance-household", args=[a.pk]))
    assert page.status_code == 200 and "13712345678" not in page.content.decode()
    assert worker.get(reverse("assistance-household", args=[c.pk])).status_code == 404
    made = worker.post(reverse("assistance-new", args=[a.pk]), {
        "kind": "education", "form": "cash", "amount": "800", "given_on": "2024-09-01", "source": "government",
        "persons": [a.persons.order_by("pk").last().pk]})
    assert made.status_code == 302
    e = Assistance.objects.get(kind="education")
    assert e.persons_count == 1
    bad = worker.post(reverse("assistance-new", args=[a.pk]), {"kind": "education", "form": "cash",
                                                             "given_on": "2024-09-01", "source": "government"})
    assert bad.status_code == 400 and "amount" in bad.context["form"].errors
    fixed = worker.post(reverse("assistance-entry", args=[e.pk]), {
        "kind": "education", "form": "cash", "amount": "900", "given_on": "2024-09-01", "source": "government",
        "persons_count": "1", "version": e.version})
    assert fixed.status_code == 302 and Assistance.objects.get(pk=e.pk).amount == Decimal("900")
    stale = worker.post(reverse("assistance-entry", args=[e.pk]), {
        "kind": "education", "form": "cash", "amount": "1000", "given_on": "2024-09-01", "source": "government",
        "version": e.version})
    assert stale.status_code == 400 and Assistance.objects.get(pk=e.pk).amount == Decimal("900")
    assert client_as(cast, "auditor").post(reverse("assistance-new", args=[a.pk]), {}).status_code == 404


def test_the_store_its_rounds_and_the_receipt(cast: Any, django_assert_max_num_queries: Any) -> None:
    a, _c, rnd = setup(cast)
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("assistance-donations", args=["A"]))
    assert page.status_code == 200 and 'data-figure="on-hand">3<' in page.content.decode()
    got = client.post(reverse("assistance-donations", args=["A"]), {
        "donor": "县农村信用社", "donor_is_unit": "on", "received_on": "2024-03-20", "item": "食用油", "unit": "桶",
        "quantity": "4", "value": "280"})
    assert got.status_code == 302
    with django_assert_max_num_queries(25):
        assert client.get(reverse("assistance-rounds", args=["A"])).status_code == 200
    with django_assert_max_num_queries(30):
        page = client.get(reverse("assistance-round", args=[rnd.pk]))
    assert page.status_code == 200
    rice = rnd.org.stock_items.get(name="大米")
    too_much = client.post(reverse("assistance-round", args=[rnd.pk]),
                           {"step": "line", "household": a.pk, "item": rice.pk, "quantity": "9"})
    assert too_much.status_code == 400 and DistributionLine.objects.count() == 1
    with django_assert_max_num_queries(20):
        receipt = client.get(reverse("assistance-round-receipt", args=[rnd.pk]))
    assert receipt.status_code == 200 and a.head_name in receipt.content.decode()
    signed = client.post(reverse("assistance-round", args=[rnd.pk]),
                         {"step": "sign", "signed_on": "2024-03-20", "version": rnd.version})
    assert signed.status_code == 302
    line = DistributionLine.objects.get()
    assert client.post(reverse("assistance-line-remove", args=[line.pk])).status_code == 302
    assert DistributionLine.objects.count() == 1  # signed for: the list is closed
    assert client_as(cast, "outsider").get(reverse("assistance-round", args=[rnd.pk])).status_code == 404


def test_findings_panel_and_summary(cast: Any) -> None:
    from grassroots.assistance.dashboard import assistance as panel
    from grassroots.assistance.findings import assistance_findings
    from grassroots.assistance.summary import assistance_of, assistance_text
    from grassroots.ui.dashboard import DashboardFrame

    setup(cast)
    found = {f.rule for f in assistance_findings(cast.street, dt.date(2024, 12, 31))}
    assert found == {"assistance.distribute_within@v1", "assistance.sign_within@v1"}
    assert not list(assistance_findings(cast.street, DAY + dt.timedelta(days=3)))
    summary = assistance_of(cast.street, 2024, dt.date(2024, 12, 31))
    assert summary is not None and summary.households == 1 and summary.rounds == 1 and summary.reached == 1
    assert summary.donations == 1 and summary.amount == Decimal("510")
    assert "救助帮扶困难群众1户" in assistance_text(summary, dt.date(2024, 12, 31), "zh-hans").paragraphs[0]
    from grassroots.access.scope import scope_for

    frame = DashboardFrame(scope_for(cast.street_admin), cast.street, 2024, dt.date(2024, 12, 31))
    shown = panel(frame)
    assert shown is not None and shown["households"] == 1 and shown["rounds"] == 1


def test_api(cast: Any) -> None:
    a, c, rnd = setup(cast)
    client = client_as(cast, "secretary")
    listed = client.get("/api/assistance/ledger/", {"year": 2024})
    assert listed.status_code == 200 and {r["household"] for r in listed.json()["results"]} == {a.pk}
    assert "phone" not in str(listed.json())
    made = client.post("/api/assistance/ledger/", {"household": a.pk, "kind": "housing", "form": "service",
                                                   "source": "party", "given_on": "2024-06-01"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    fixed = client.post(f"/api/assistance/ledger/{pk}/correct/", {"kind": "housing", "form": "cash",
                                                                  "amount": "50", "source": "party", "version": 1},
                        content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["amount"] == "50.00"
    stale = client.post(f"/api/assistance/ledger/{pk}/correct/", {"kind": "housing", "form": "cash", "amount": "60",
                                                                  "source": "party", "version": 1},
                        content_type="application/json")
    assert stale.status_code == 409
    refused = client.post("/api/assistance/ledger/", {"household": c.pk, "kind": "housing", "form": "service",
                                                      "source": "party"}, content_type="application/json")
    assert refused.status_code == 400
    detail = client.get(f"/api/assistance/rounds/{rnd.pk}/")
    assert detail.status_code == 200 and detail.json()["lines"][0]["household"] == a.pk
    stock = client.get("/api/assistance/stock/", {"org": "A"})
    assert stock.status_code == 200 and stock.json()[0]["on_hand"] == "3.00"
    assert client.get("/api/assistance/donations/", {"org": "A"}).json()["count"] == 1
    assert client_as(cast, "outsider").get("/api/assistance/stock/", {"org": "A"}).status_code == 404
