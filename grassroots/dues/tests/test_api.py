"""The dues API, tried as the roles of the test cast (see conftest.py): reads in scope, 404 outside it,
refused writes, broken rules named by field, the audit log, the ledger against the selectors, query counts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Cast, make_member
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.dues import selectors, services
from grassroots.dues.models import DuesAssessment, DuesMonth, DuesPayment, Remittance
from grassroots.ui.testing import client_as

from .conftest import D, assess_in_service, months, pay

pytestmark = pytest.mark.django_db

ASSESSMENTS, PAYMENTS, REMITTANCES = "/api/dues/assessments/", "/api/dues/payments/", "/api/dues/remittances/"


def client(cast: Cast, role: str) -> Client:
    return client_as(cast, role)  # in English: the messages are asserted by their msgids


def post(c: Client, url: str, data: dict[str, Any]) -> Any:
    return c.post(url, data=json.dumps(data), content_type="application/json")


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def written() -> tuple[int, int, int, int, int]:
    return (DuesAssessment.objects.count(), DuesPayment.objects.count(), DuesMonth.objects.count(),
            Remittance.objects.count(), AuditEntry.objects.count())


def assessed_2024(cast: Cast) -> None:
    """15.00 a month in 2024 for the members of A, B and C; and 2023 for the cast's member."""
    for member in (cast.member, cast.member_a2, cast.member_b, cast.member_c):
        assess_in_service(member, 2024)
    assess_in_service(cast.member, 2023)


def ledger_url(code: str, **query: Any) -> str:
    return f"/api/orgs/{code}/dues-ledger/?" + "&".join(f"{k}={v}" for k, v in query.items())


def statement_url(member: Any, **query: Any) -> str:
    return f"/api/members/{member.pk}/dues-statement/?" + "&".join(f"{k}={v}" for k, v in query.items())


# --- reads ----------------------------------------------------------------------------------------------------

def test_assessments_by_organization_and_year_in_scope(cast: Cast) -> None:
    assessed_2024(cast)
    rows = results(client(cast, "street_admin").get(ASSESSMENTS + "?org=G&year=2024"))
    assert sorted((r["member"], r["year"], r["org"]) for r in rows) == sorted(
        [(cast.member.pk, 2024, "A"), (cast.member_a2.pk, 2024, "A"), (cast.member_b.pk, 2024, "B")])
    assert {r["monthly_amount"] for r in rows} == {"15.00"} and {r["base"] for r in rows} == {"3000.00"}
    assert {r["member"] for r in results(client(cast, "secretary").get(ASSESSMENTS + "?org=A&year=2024"))} == {
        cast.member.pk, cast.member_a2.pk}
    assert {r["member"] for r in results(client(cast, "auditor").get(ASSESSMENTS))} == {
        cast.member.pk, cast.member_a2.pk, cast.member_b.pk}
    own = results(client(cast, "member").get(ASSESSMENTS))
    assert [(r["member"], r["year"]) for r in own] == [(cast.member.pk, 2023), (cast.member.pk, 2024)]
    # An organization outside the scope is not found, as a filter too.
    assert client(cast, "secretary").get(ASSESSMENTS + "?org=B").status_code == 404
    assert client(cast, "outsider").get(ASSESSMENTS + "?org=A").status_code == 404
    assert [r["member"] for r in results(client(cast, "outsider").get(ASSESSMENTS))] == [cast.member_c.pk]

    c_assessment = DuesAssessment.objects.get(member=cast.member_c)
    assert client(cast, "street_admin").get(f"{ASSESSMENTS}{c_assessment.pk}/").status_code == 404
    assert client(cast, "outsider").get(f"{ASSESSMENTS}{c_assessment.pk}/").json()["member_name"] == "孙丽"


def test_payments_by_organization_and_period_in_scope(cast: Cast) -> None:
    assessed_2024(cast)
    p_a = pay(cast.member, D(2024, 3, 5), months(2024, 1, 3))
    p_a2 = pay(cast.member_a2, D(2024, 4, 2), months(2024, 4, 4))
    p_b = pay(cast.member_b, D(2024, 3, 6), months(2024, 3, 3))
    p_c = pay(cast.member_c, D(2024, 3, 7), months(2024, 3, 3))

    street = client(cast, "street_admin")
    rows = results(street.get(PAYMENTS + "?org=G&start=2024-03-01&end=2024-03-31"))
    assert [r["id"] for r in rows] == [p_a.pk, p_b.pk]
    first = rows[0]
    assert (first["amount"], first["months"], first["org"], first["kind"]) == (
        "45.00", ["2024-01", "2024-02", "2024-03"], "A", "back")
    assert [r["id"] for r in results(street.get(PAYMENTS + "?org=A"))] == [p_a.pk, p_a2.pk]
    assert [r["id"] for r in results(street.get(PAYMENTS + f"?member={cast.member_b.pk}"))] == [p_b.pk]
    assert [r["id"] for r in results(client(cast, "member").get(PAYMENTS))] == [p_a.pk]
    assert [r["id"] for r in results(client(cast, "outsider").get(PAYMENTS))] == [p_c.pk]
    assert client(cast, "secretary").get(PAYMENTS + "?org=B").status_code == 404
    assert client(cast, "secretary").get(f"{PAYMENTS}{p_b.pk}/").status_code == 404
    assert client(cast, "member").get(f"{PAYMENTS}{p_a2.pk}/").status_code == 404
    assert client(cast, "auditor").get(f"{PAYMENTS}{p_b.pk}/").json()["months"] == ["2024-03"]


def test_the_ledger_equals_the_selectors(cast: Cast) -> None:
    assessed_2024(cast)
    pay(cast.member, D(2024, 3, 5), months(2024, 1, 3))
    pay(cast.member_b, D(2024, 3, 6), months(2024, 3, 3))
    with acting(None, "system"):
        services.record_voluntary(cast.member_a2, paid_on=D(2024, 3, 8), amount=Decimal("200.00"))
        services.record_remittance(cast.branch_a, remitted_on=D(2024, 4, 1), period_start=D(2024, 1, 1),
                                   period_end=D(2024, 3, 31), amount=Decimal("45.00"))

    for role, code in (("secretary", "A"), ("auditor", "G"), ("street_admin", "S")):
        org = {"A": cast.branch_a, "G": cast.general, "S": cast.street}[code]
        response = client(cast, role).get(ledger_url(code, year=2024, month=3, as_of="2024-06-30"))
        assert response.status_code == 200, (role, response.content)
        data = response.json()
        expected = selectors.ledger(org, 2024, 3)
        assert [r["member_id"] for r in data["rows"]] == [r.member_id for r in expected]
        for got, want in zip(data["rows"], expected, strict=True):
            assert got["month_paid"] == want.month_paid and got["received"] == money(want.received)
            assert got["monthly_amount"] == (None if want.monthly_amount is None else money(want.monthly_amount))
            assert [p["id"] for p in got["payments"]] == [p.id for p in want.payments]
        assert data["paid_count"] == sum(1 for r in expected if r.month_paid)
        for key, (start, end) in (("month", (D(2024, 3, 1), D(2024, 3, 31))), ("year", (D(2024, 1, 1),
                                                                                           D(2024, 6, 30)))):
            want = selectors.totals(org, start, end)
            got = data["totals"][key]
            assert (got["start"], got["end"]) == (start.isoformat(), end.isoformat())
            for figure in selectors.FIGURES:
                assert got[figure] == money(want[figure]), (code, key, figure)
            assert [o["code"] for o in got["by_org"]] == [o["code"] for o in want["by_org"]]
    # The branch's own ledger has figures to compare (the comparison above is not vacuous).
    a = client(cast, "secretary").get(ledger_url("A", year=2024, month=3, as_of="2024-06-30")).json()
    assert a["totals"]["month"]["collected"] == "45.00" and a["totals"]["month"]["voluntary"] == "200.00"
    assert a["totals"]["year"]["remitted"] == "45.00"

    assert client(cast, "secretary").get(ledger_url("B", year=2024, month=3)).status_code == 404
    assert client(cast, "member").get(ledger_url("A", year=2024, month=3)).status_code == 404
    assert client(cast, "outsider").get(ledger_url("A", year=2024, month=3)).status_code == 404
    assert client(cast, "secretary").get(ledger_url("A", year=2024, month=13)).status_code == 400


def test_a_members_statement(cast: Cast) -> None:
    assessed_2024(cast)
    pay(cast.member, D(2024, 3, 5), months(2024, 1, 3), paid_by="王强")
    url = statement_url(cast.member, year=2024, as_of="2024-06-15")
    want = selectors.statement(cast.member, 2024)
    for role in ("member", "secretary", "auditor", "street_admin"):
        response = client(cast, role).get(url)
        assert response.status_code == 200, role
        data = response.json()
        assert [m["month"] for m in data["months"]] == [f"2024-{m:02d}" for m in range(1, 13)]
        assert [m["paid"] for m in data["months"]] == [m["paid"] for m in want["months"]]
        assert data["paid_total"] == money(want["paid_total"]) == "45.00"
        assert data["assessed_total"] == money(want["assessed_total"])
        assert data["months"][0]["paid_by"] == "王强" and data["assessment"]["monthly_amount"] == "15.00"
        assert data["overdue"] == ["2024-04", "2024-05", "2024-06"]
        assert data["unpaid"] == [f"2024-{m:02d}" for m in range(4, 13)]
    assert client(cast, "outsider").get(url).status_code == 404
    assert client(cast, "member").get(statement_url(cast.member_a2, year=2024)).status_code == 404
    assert client(cast, "secretary").get(statement_url(cast.member_b, year=2024)).status_code == 404


# --- writes ----------------------------------------------------------------------------------------------------

def test_assessing_through_the_api_is_the_service_and_is_audited(cast: Cast) -> None:
    response = post(client(cast, "secretary"), ASSESSMENTS, {
        "member": cast.member_a2.pk, "year": 2024, "category": "in_service", "base": "4000.00", "on": "2024-01-03"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["monthly_amount"], data["base"], data["rule"], data["org"]) == (
        "40.00", "4000.00", DuesAssessment.objects.get().rule, "A")
    entry = AuditEntry.objects.get(action="dues.assess")
    assert (entry.object_id, entry.actor_name, entry.channel) == (str(data["id"]), "secretary", "api")
    # Again for the same year, from the version read: the service replaces it (and says so in the log).
    response = post(client(cast, "street_admin"), ASSESSMENTS, {
        "member": cast.member_a2.pk, "year": 2024, "category": "farmer", "on": "2024-02-01",
        "version": data["version"]})
    assert response.status_code == 201 and response.json()["monthly_amount"] == "0.50"
    assert response.json()["version"] > data["version"]
    assert AuditEntry.objects.filter(action="dues.reassess", object_id=str(data["id"])).exists()


def test_replacing_an_assessment_from_a_stale_read_gets_409(cast: Cast) -> None:
    """No lost edit through the API: a replacement sent with the version read before someone else's change, or
    with none, is refused naming who changed what, and the newer assessment is kept."""
    first = post(client(cast, "secretary"), ASSESSMENTS, {
        "member": cast.member_a2.pk, "year": 2024, "category": "in_service", "base": "4000.00", "on": "2024-01-03"})
    read = first.json()
    changed = post(client(cast, "street_admin"), ASSESSMENTS, {
        "member": cast.member_a2.pk, "year": 2024, "category": "in_service", "base": "5000.00", "on": "2024-01-04",
        "version": read["version"]})
    assert changed.status_code == 201
    entries = AuditEntry.objects.count()
    for stale in ({"version": read["version"]}, {}):  # the old version, or none at all
        response = post(client(cast, "secretary"), ASSESSMENTS, {
            "member": cast.member_a2.pk, "year": 2024, "category": "farmer", "on": "2024-01-05", **stale})
        assert response.status_code == 409, response.content
        assert response.json()["field"] == "version" and "street_admin" in response.json()["detail"]
    kept = DuesAssessment.objects.get(member=cast.member_a2, year=2024)
    assert (kept.category, kept.base) == ("in_service", Decimal("5000.00"))
    assert AuditEntry.objects.count() == entries


def test_recording_payments_through_the_api_is_the_service_and_is_audited(cast: Cast) -> None:
    assessed_2024(cast)
    secretary = client(cast, "secretary")
    response = post(secretary, PAYMENTS, {"member": cast.member.pk, "paid_on": "2024-03-05",
                                          "months": ["2024-02", "2024-03-01"], "amount": "30.00",
                                          "channel": "wechat", "receipt": "R-7"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["months"], data["amount"], data["kind"], data["org"], data["channel"]) == (
        ["2024-02", "2024-03"], "30.00", "back", "A", "wechat")
    assert sorted(DuesMonth.objects.values_list("month", flat=True)) == [D(2024, 2, 1), D(2024, 3, 1)]
    entry = AuditEntry.objects.get(action="dues.payment.back")
    assert (entry.object_id, entry.actor_name, entry.channel) == (str(data["id"]), "secretary", "api")
    assert entry.changes["extra"]["months"] == ["2024-02", "2024-03"]

    response = post(secretary, PAYMENTS, {"member": cast.member_a2.pk, "paid_on": "2024-03-05", "kind": "voluntary",
                                          "amount": "1000.00"})
    assert response.status_code == 201 and response.json()["months"] == []
    assert AuditEntry.objects.filter(action="dues.payment.voluntary", object_id=str(response.json()["id"])).exists()


def test_recording_a_remittance_through_the_api_is_the_service_and_is_audited(cast: Cast) -> None:
    response = post(client(cast, "secretary"), REMITTANCES, {
        "org": "A", "remitted_on": "2024-04-01", "period_start": "2024-01-01", "period_end": "2024-03-31",
        "amount": "45.00", "note": "第一季度"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["org"], data["to_org"], data["amount"]) == ("A", "G", "45.00")  # to the parent by default
    entry = AuditEntry.objects.get(action="dues.remittance")
    assert (entry.object_id, entry.actor_name, entry.channel) == (str(data["id"]), "secretary", "api")
    response = post(client(cast, "street_admin"), REMITTANCES, {
        "org": "B", "to_org": "S", "remitted_on": "2024-04-02", "period_start": "2024-01-01",
        "period_end": "2024-03-31", "amount": "15.00"})
    assert response.status_code == 201 and response.json()["to_org"] == "S"

    assert [r["org"] for r in results(client(cast, "auditor").get(REMITTANCES + "?start=2024-04-01"))] == ["A", "B"]
    assert [r["org"] for r in results(client(cast, "secretary").get(REMITTANCES))] == ["A"]
    assert results(client(cast, "outsider").get(REMITTANCES)) == []
    assert client(cast, "outsider").get(REMITTANCES + "?org=A").status_code == 404


# The cast's member may read their own record but change nothing; the auditor reads A but writes nowhere; the
# outsider cannot even read A.
REFUSED = {"member": (403, 403, 404), "auditor": (403, 403, 403), "outsider": (404, 404, 404)}


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_refused_writes_change_nothing(cast: Cast, role: str) -> None:
    assess_in_service(cast.member, 2024)
    before = written()
    c = client(cast, role)
    assess, payment, remittance = REFUSED[role]
    response = post(c, ASSESSMENTS, {"member": cast.member.pk, "year": 2024, "category": "in_service",
                                     "base": "9000.00"})
    assert response.status_code == assess, response.content
    response = post(c, PAYMENTS, {"member": cast.member.pk, "paid_on": "2024-03-05", "months": ["2024-03"],
                                  "amount": "15.00"})
    assert response.status_code == payment, response.content
    response = post(c, REMITTANCES, {"org": "A", "remitted_on": "2024-04-01", "period_start": "2024-01-01",
                                     "period_end": "2024-03-31", "amount": "45.00"})
    assert response.status_code == remittance, response.content
    if 403 in REFUSED[role]:
        refused = post(c, PAYMENTS, {"member": cast.member.pk, "paid_on": "2024-03-05", "months": ["2024-03"],
                                     "amount": "15.00"}).json()
        assert set(refused) == {"detail"} and refused["detail"]
    assert written() == before


@pytest.mark.parametrize(("url", "data", "field"), [
    (PAYMENTS, {"paid_on": "2024-03-05", "months": ["2024-03"], "amount": "14.00"}, "amount"),
    (PAYMENTS, {"paid_on": "2024-03-05", "months": ["2024-03"], "amount": "15.001"}, "amount"),
    (PAYMENTS, {"paid_on": "2024-03-05", "months": ["2024-07"], "amount": "15.00"}, "months"),
    (PAYMENTS, {"paid_on": "2024-03-05", "months": [], "amount": "15.00"}, "months"),
    (PAYMENTS, {"paid_on": "2024-03-05", "months": ["2024-03"], "amount": "15.00", "channel": "gold"}, "channel"),
    (PAYMENTS, {"paid_on": "2099-03-05", "months": ["2024-03"], "amount": "15.00"}, "paid_on"),
    (ASSESSMENTS, {"year": 2024, "category": "nonsense", "base": "3000.00"}, "category"),
    (ASSESSMENTS, {"year": 2024, "category": "in_service", "amount": "12.00"}, "amount"),
    (ASSESSMENTS, {"year": 2024, "category": "hardship", "amount": "1.00"}, "approval"),
    (REMITTANCES, {"org": "A", "remitted_on": "2024-04-01", "period_start": "2024-03-31",
                   "period_end": "2024-01-01", "amount": "45.00"}, "period_end"),
    (REMITTANCES, {"org": "A", "to_org": "B", "remitted_on": "2024-04-01", "period_start": "2024-01-01",
                   "period_end": "2024-03-31", "amount": "45.00"}, "to_org"),
    (REMITTANCES, {"org": "A", "remitted_on": "2024-04-01", "period_start": "2024-01-01",
                   "period_end": "2024-03-31", "amount": "0"}, "amount"),
])
def test_a_broken_rule_is_400_naming_the_field(cast: Cast, url: str, data: dict[str, Any], field: str) -> None:
    assess_in_service(cast.member, 2024)
    before = written()
    if url != REMITTANCES:
        data = {"member": cast.member.pk, **data}
    response = post(client(cast, "secretary"), url, data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field and body["detail"], body
    assert written() == before


def test_a_month_paid_twice_is_refused(cast: Cast) -> None:
    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 3, 5), months(2024, 3, 3))
    before = written()
    response = post(client(cast, "secretary"), PAYMENTS, {"member": cast.member.pk, "paid_on": "2024-03-06",
                                                          "months": ["2024-03"], "amount": "15.00"})
    assert response.status_code == 400
    assert response.json()["field"] == "months" and "already paid" in response.json()["detail"]
    assert written() == before


# --- query counts and the schema ----------------------------------------------------------------------------------

def _queries(c: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url)
    return len(ctx.captured_queries), len(response.json()["results"])


def _add_rows(cast: Cast, n: int) -> None:
    """n more members of A, each assessed for 2024 with March paid, and n more remittances from A."""
    with acting(None, "system"):
        members = [make_member(cast.branch_a, name=f"成员{i}") for i in range(n)]
    for i, member in enumerate(members):
        assess_in_service(member, 2024)
        pay(member, D(2024, 3, 5), months(2024, 3, 3))
        with acting(None, "system"):
            services.record_remittance(cast.branch_a, remitted_on=D(2024, 4, 1 + i), period_start=D(2024, 1, 1),
                                       period_end=D(2024, 3, 31), amount=Decimal("15.00"))


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_the_lists_take_as_many_queries_for_10_rows_as_for_2(cast: Cast, role: str) -> None:
    _add_rows(cast, 2)
    if role == "member":  # the member reads their own rows only: give them two of each
        assess_in_service(cast.member, 2024)
        assess_in_service(cast.member, 2023)
        pay(cast.member, D(2024, 3, 5), months(2024, 2, 3))
        pay(cast.member, D(2024, 4, 5), months(2024, 4, 4))
    c = client(cast, role)
    urls = [ASSESSMENTS + "?org=A&year=2024", PAYMENTS + "?org=A", REMITTANCES + "?org=A"]
    if role == "member":
        urls = [ASSESSMENTS, PAYMENTS]
    small = {url: _queries(c, url) for url in urls}
    assert all(rows == 2 for _n, rows in small.values()), small
    _add_rows(cast, 8)
    if role == "member":
        assert {url: _queries(c, url) for url in urls} == small  # nothing more of theirs, nor more queries
        return
    for url in urls:
        count, rows = _queries(c, url)
        assert rows == 10 and count == small[url][0] <= 7, (url, count, small[url])


def test_the_ledger_and_statement_queries_are_bounded(cast: Cast) -> None:
    _add_rows(cast, 2)
    c = client(cast, "secretary")
    first = _queries_plain(c, ledger_url("A", year=2024, month=3))
    _add_rows(cast, 8)
    assert _queries_plain(c, ledger_url("A", year=2024, month=3)) == first <= 22  # 4 to authenticate and find A, 5 the ledger, 6 each totals
    assert _queries_plain(c, statement_url(cast.member, year=2024)) <= 12


def _queries_plain(c: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_schema_lists_the_dues_endpoints(cast: Cast) -> None:
    schema = json.loads(client(cast, "auditor").get("/api/schema/?format=json").content)
    paths = schema["paths"]
    for path, methods in (("/api/dues/assessments/", {"get", "post"}), ("/api/dues/assessments/{id}/", {"get"}),
                          ("/api/dues/payments/", {"get", "post"}), ("/api/dues/payments/{id}/", {"get"}),
                          ("/api/dues/remittances/", {"get", "post"}), ("/api/orgs/{code}/dues-ledger/", {"get"}),
                          ("/api/members/{id}/dues-statement/", {"get"})):
        assert path in paths, path
        assert set(paths[path]) == methods, (path, set(paths[path]))
    amount = schema["components"]["schemas"]["Payment"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["format"] == "decimal"
