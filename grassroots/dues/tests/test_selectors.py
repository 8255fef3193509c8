"""The monthly ledger, totals for a subtree and a period, and a member's yearly statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from grassroots.core.context import acting
from grassroots.dues.selectors import ledger, remittances, statement, totals
from grassroots.dues.services import record_remittance, record_voluntary

from .conftest import D, assess_in_service, months, pay

Dm = Decimal


def _setup(cast: Any) -> dict[str, Any]:
    assess_in_service(cast.member, 2024)  # 15.00
    assess_in_service(cast.member_a2, 2024, base="5000.00")  # 50.00
    assess_in_service(cast.member_b, 2024, base="10000.01")  # 200.10
    assess_in_service(cast.member_c, 2024)  # another street
    out = {
        "q1": pay(cast.member, D(2024, 1, 10), months(2024, 1, 3)),  # 45.00 regular
        "back": pay(cast.member_a2, D(2024, 3, 5), months(2024, 1, 3), paid_by="王强的妻子"),  # 150.00 back
        "b": pay(cast.member_b, D(2024, 2, 1), [D(2024, 2, 1)]),  # 200.10 regular
        "c": pay(cast.member_c, D(2024, 1, 10), months(2024, 1, 3)),
        "late": pay(cast.member, D(2024, 4, 2), [D(2024, 4, 1)]),  # outside Q1
    }
    with acting(None, "system"):
        out["vol"] = record_voluntary(cast.member_b, paid_on=D(2024, 3, 1), amount=Dm("1000.00"))
        out["vol_small"] = record_voluntary(cast.member, paid_on=D(2024, 2, 1), amount=Dm("20.00"))
        out["r_a"] = record_remittance(cast.branch_a, remitted_on=D(2024, 3, 30), period_start=D(2024, 1, 1),
                                       period_end=D(2024, 3, 31), amount=Dm("215.00"))  # to G: inside the subtree
        out["r_g"] = record_remittance(cast.general, remitted_on=D(2024, 3, 31), period_start=D(2024, 1, 1),
                                       period_end=D(2024, 3, 31), amount=Dm("1584.80"))  # to S
    return out


def test_totals_for_a_subtree_and_a_period(cast: Any) -> None:
    _setup(cast)
    t = totals(cast.general, D(2024, 1, 1), D(2024, 3, 31))
    assert t["assessed"] == 3 * (Dm("15.00") + Dm("50.00") + Dm("200.10"))
    assert (t["regular"], t["back"]) == (Dm("45.00") + Dm("200.10"), Dm("150.00"))
    assert t["collected"] == t["regular"] + t["back"]
    assert (t["voluntary"], t["to_centre"]) == (Dm("1020.00"), Dm("1000.00"))
    assert t["remitted"] == Dm("1584.80")  # A's remittance to G stays inside the subtree
    by = {row["code"]: row for row in t["by_org"]}
    assert set(by) == {"G", "A", "B"}
    assert by["A"]["assessed"] == 3 * Dm("65.00") and by["A"]["collected"] == Dm("195.00")
    assert by["A"]["voluntary"] == Dm("20.00") and by["A"]["remitted"] == Dm("215.00")
    assert by["B"]["collected"] == Dm("200.10") and by["B"]["to_centre"] == Dm("1000.00")
    assert by["G"]["remitted"] == Dm("1584.80") and by["G"]["assessed"] == 0
    # a branch alone; its remittance to G leaves it
    a = totals(cast.branch_a, D(2024, 1, 1), D(2024, 3, 31))
    assert (a["collected"], a["remitted"]) == (Dm("195.00"), Dm("215.00"))
    # a single month
    feb = totals(cast.general, D(2024, 2, 1), D(2024, 2, 29))
    assert feb["assessed"] == Dm("265.10") and feb["collected"] == Dm("200.10") and feb["voluntary"] == Dm("20.00")
    # the other street sees only its own
    assert totals(cast.other_street, D(2024, 1, 1), D(2024, 3, 31))["collected"] == Dm("45.00")


def test_ledger_of_a_branch_for_a_month(cast: Any) -> None:
    made = _setup(cast)
    rows = {r.name: r for r in ledger(cast.branch_a, 2024, 3)}
    assert set(rows) == {"李明", "王强"}
    li, wang = rows["李明"], rows["王强"]
    assert (li.category, li.monthly_amount, li.month_paid, li.month_paid_on) == ("in_service", Dm("15.00"), True,
                                                                                 D(2024, 1, 10))
    assert li.payments == [] and li.received == 0  # paid in January, not received in March
    assert wang.month_paid and wang.received == Dm("150.00")
    [line] = wang.payments
    assert (line.id, line.kind, line.back_months, line.paid_by) == (made["back"].pk, "back", 2, "王强的妻子")
    assert line.months == months(2024, 1, 3)
    b_rows = ledger(cast.branch_b, 2024, 3)
    assert [(r.name, r.month_paid, r.received) for r in b_rows] == [("赵刚", False, Dm("1000.00"))]
    assert b_rows[0].payments[0].to_centre
    assert [r.amount for r in remittances(cast.branch_a, D(2024, 1, 1), D(2024, 12, 31))] == [Dm("215.00")]


def test_statement_of_a_member_for_a_year(cast: Any) -> None:
    made = _setup(cast)
    s = statement(cast.member, 2024)
    assert s["assessment"].monthly_amount == Dm("15.00")
    assert len(s["months"]) == 12 and all(m["assessed"] == Dm("15.00") for m in s["months"])
    paid = [m for m in s["months"] if m["paid"]]
    assert [(m["month"], m["paid_on"], m["payment_id"]) for m in paid] == [
        (D(2024, 1, 1), D(2024, 1, 10), made["q1"].pk), (D(2024, 2, 1), D(2024, 1, 10), made["q1"].pk),
        (D(2024, 3, 1), D(2024, 1, 10), made["q1"].pk), (D(2024, 4, 1), D(2024, 4, 2), made["late"].pk)]
    assert (s["assessed_total"], s["paid_total"], s["voluntary_total"]) == (Dm("180.00"), Dm("60.00"), Dm("20.00"))
    assert s["unpaid"] == months(2024, 5, 12)
    empty = statement(cast.member, 2023)
    assert empty["assessment"] is None and empty["assessed_total"] == 0 and all(m["belonged"] for m in empty["months"])


def test_a_member_moved_in_the_month_is_assessed_where_they_were_on_the_first(cast: Any) -> None:
    from grassroots.members.services import member_reassign

    assess_in_service(cast.member_a2, 2024, base="5000.00")  # 50.00 a month
    with acting(None, "system"):
        member_reassign(cast.member_a2, to_org=cast.branch_b, on=D(2024, 2, 15), reason="moved")
    t = totals(cast.general, D(2024, 1, 1), D(2024, 3, 31))
    by = {row["code"]: row["assessed"] for row in t["by_org"]}
    assert by == {"A": 2 * Dm("50.00"), "B": Dm("50.00")}  # January and February in A, March in B
    # branch B alone: the member arrived in February, so February is B's there, and March
    assert totals(cast.branch_b, D(2024, 1, 1), D(2024, 3, 31))["assessed"] == 2 * Dm("50.00")


def test_totals_read_a_bounded_number_of_queries_whatever_the_members(cast: Any,
                                                                       django_assert_max_num_queries: Any) -> None:
    """The assessed figure is summed in the database in one query: more members or branches add no query."""
    from conftest import make_member
    from grassroots.orgs.services import org_create

    _setup(cast)
    with django_assert_max_num_queries(5):
        small = totals(cast.general, D(2024, 1, 1), D(2024, 12, 31))
    with acting(None, "system"):
        for n in range(4):
            branch = org_create(parent=cast.general, code=f"GX{n}", name=f"新支部{n}", kind="branch",
                                founded_on=D(2020, 1, 1))
            for k in range(5):
                assess_in_service(make_member(branch, name=f"党员{n}{k}"), 2024)
    with django_assert_max_num_queries(5):
        big = totals(cast.general, D(2024, 1, 1), D(2024, 12, 31))
    assert big["assessed"] == small["assessed"] + 20 * 12 * Dm("15.00")
