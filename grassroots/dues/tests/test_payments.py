"""Payments: months covered, quarterly and back payments, refusals, voluntary, remittance, permissions, races."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from conftest import build_cast, run_acting
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.dues import services
from grassroots.dues.models import DuesMonth, DuesPayment, Remittance
from grassroots.dues.selectors import payment_lines
from grassroots.dues.services import record_payment, record_remittance, record_voluntary
from grassroots.members.services import member_record_event

from .conftest import D, assess_in_service, months, pay

Dm = Decimal


def counts() -> tuple[int, int]:
    return DuesPayment.objects.count(), DuesMonth.objects.count()


def test_a_quarterly_payment_covers_three_months(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    with acting(cast.secretary, "web"):
        p = record_payment(cast.member, paid_on=D(2024, 1, 10), months=months(2024, 1, 3), amount=Dm("45.00"),
                           channel="wechat", receipt="R-001")
    assert (p.kind, p.amount, p.org, p.channel) == ("regular", Dm("45.00"), cast.branch_a, "wechat")
    assert list(p.months.order_by("month").values_list("month", "amount")) == [
        (D(2024, 1, 1), Dm("15.00")), (D(2024, 2, 1), Dm("15.00")), (D(2024, 3, 1), Dm("15.00"))]
    entry = AuditEntry.objects.get(action="dues.payment.regular")
    assert entry.changes["extra"]["months"] == ["2024-01", "2024-02", "2024-03"] and entry.actor_name == "secretary"


def test_months_given_on_any_day_are_their_month_and_the_order_does_not_matter(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    p = pay(cast.member, D(2024, 2, 20), [D(2024, 2, 15), D(2024, 1, 31)], "30.00")
    assert sorted(p.months.values_list("month", flat=True)) == [D(2024, 1, 1), D(2024, 2, 1)]


def test_paying_beyond_the_quarter_is_refused(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    with pytest.raises(RuleError) as err:
        pay(cast.member, D(2024, 1, 10), months(2024, 1, 4), "60.00")
    assert "2024-04 is beyond the quarter" in err.value.message and err.value.field == "months"
    # paid in the last month of a quarter: only that month of the quarter is left
    with pytest.raises(RuleError):
        pay(cast.member, D(2024, 3, 28), months(2024, 3, 4), "30.00")
    assert counts() == (0, 0)


def test_a_back_payment_is_months_before_the_month_of_payment(cast: Any) -> None:
    assess_in_service(cast.member, 2023)
    assess_in_service(cast.member, 2024, base="5000.00")  # 50.00
    p = pay(cast.member, D(2024, 2, 5), [D(2023, 11, 1), D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1)],
            "130.00", paid_by="李明的丈夫")
    assert p.kind == "back" and p.paid_by == "李明的丈夫"
    line = payment_lines(DuesPayment.objects.filter(pk=p.pk).prefetch_related("months"))[0]
    assert (line.back_months, line.many_back_months) == (3, False)
    assert AuditEntry.objects.get(action="dues.payment.back").changes["extra"]["back_months"] == 3


def test_more_back_months_than_usual_are_allowed_but_flagged(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    p = pay(cast.member, D(2024, 9, 2), months(2024, 1, 8), kind="back")
    line = payment_lines(DuesPayment.objects.filter(pk=p.pk).prefetch_related("months"))[0]
    assert (p.kind, line.back_months, line.many_back_months) == ("back", 8, True)
    extra = AuditEntry.objects.get(action="dues.payment.back").changes["extra"]
    assert extra["more_back_months_than_usual"] == "dues.back_payment@2008"


def test_back_kind_without_earlier_months_is_refused(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    with pytest.raises(RuleError) as err:
        pay(cast.member, D(2024, 3, 2), [D(2024, 3, 1)], kind="back")
    assert err.value.field == "kind"


def test_the_amount_must_equal_the_assessed_months(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    for wrong in ("44.90", "45.10", "15.00"):
        with pytest.raises(RuleError) as err:
            pay(cast.member, D(2024, 1, 10), months(2024, 1, 3), wrong)
        assert err.value.field == "amount"
        assert f"the amount {wrong} does not equal the 45.00 assessed for 2024-01, 2024-02, 2024-03" == err.value.message
    assert counts() == (0, 0)


def test_each_month_needs_an_assessment_and_membership(cast: Any) -> None:
    with pytest.raises(RuleError) as err:
        pay(cast.member, D(2024, 1, 10), [D(2024, 1, 1)], "15.00")
    assert "no dues assessment for 2024" in err.value.message
    assess_in_service(cast.member, 2005)
    with pytest.raises(RuleError) as err:  # joined on 1 July 2005
        pay(cast.member, D(2005, 7, 10), [D(2005, 6, 1), D(2005, 7, 1)], "30.00")
    assert "did not belong to 第一支部 in 2005-06" in err.value.message
    p = pay(cast.member, D(2005, 7, 10), [D(2005, 7, 1)], "15.00")  # a period on the 1st counts
    assert p.kind == "regular"


def test_a_month_the_member_spent_in_another_branch_is_not_paid_here(cast: Any) -> None:
    assess_in_service(cast.member_a2, 2024)
    with acting(None, "system"):
        member_record_event(cast.member_a2, kind="transferred", on=D(2024, 3, 15), org=cast.branch_b)
    # March: in A until the 15th, in B from it: either branch may receive it; February was A's
    p = pay(cast.member_a2, D(2024, 3, 20), [D(2024, 3, 1)], "15.00")
    assert p.org == cast.branch_b
    with pytest.raises(RuleError) as err:
        pay(cast.member_a2, D(2024, 3, 20), [D(2024, 2, 1)], "15.00")
    assert "did not belong to 第二支部 in 2024-02" in err.value.message


def test_a_month_paid_twice_is_refused_naming_the_month(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 1, 10), months(2024, 1, 2))
    with pytest.raises(RuleError) as err:
        pay(cast.member, D(2024, 3, 1), months(2024, 2, 3))
    assert err.value.message == "李明 has already paid the dues of 2024-02"
    assert counts() == (1, 2)


def test_the_database_guard_turns_a_concurrent_twin_into_a_rule_error(cast: Any, monkeypatch: Any) -> None:
    """The check before writing cannot see a concurrent payment; the unique month stops it (any database)."""
    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 1, 10), months(2024, 1, 2))
    real = services.check_payment

    def blind(*args: Any, **kw: Any) -> Any:  # as if the first payment were not committed yet
        return real(*args, **{**kw, "allow_paid": True})

    monkeypatch.setattr(services, "check_payment", blind)
    with transaction.atomic():
        with pytest.raises(RuleError) as err:
            pay(cast.member, D(2024, 3, 1), months(2024, 2, 3))
        assert err.value.message == "李明 has already paid the dues of 2024-02"
        assert counts() == (1, 2)  # the savepoint rolled the twin back; the transaction is still usable
    assert AuditEntry.objects.filter(action__startswith="dues.payment").count() == 1


def test_other_refusals_write_nothing(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    cases: list[dict[str, Any]] = [
        {"months": []},
        {"months": [D(2024, 1, 1), D(2024, 1, 1)], "amount": Dm("30.00")},
        {"amount": 15.0},
        {"amount": Dm("15.001")},
        {"amount": Dm("-15.00")},
        {"paid_on": D(2999, 1, 1)},
        {"channel": "cheque"},
        {"paid_by": "x" * 51},
        {"kind": "gift"},
    ]
    for case in cases:
        kw: dict[str, Any] = {"paid_on": D(2024, 1, 10), "months": [D(2024, 1, 1)], "amount": Dm("15.00"), **case}
        with acting(None, "system"), pytest.raises(RuleError):
            record_payment(cast.member, **kw)
    assert counts() == (0, 0)
    assert not AuditEntry.objects.filter(action__startswith="dues").exclude(action="dues.assess").exists()


def test_an_exempt_member_has_nothing_to_pay(cast: Any) -> None:
    with acting(None, "system"):
        services.assess(cast.member, year=2024, category="hardship", amount=Dm("0"), approval="批准免交", on=D(2024, 1, 2))
    with pytest.raises(RuleError) as err:
        pay(cast.member, D(2024, 1, 10), [D(2024, 1, 1)], "0.00")
    assert err.value.field in ("amount", "months")


def test_voluntary_payments_have_no_months_and_a_large_one_goes_to_the_centre(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        small = record_voluntary(cast.member, paid_on=D(2024, 6, 1), amount=Dm("999.99"))
        large = record_payment(cast.member, paid_on=D(2024, 7, 1), months=[], amount=Dm("1000.00"), kind="voluntary",
                               note="特殊党费")
        with pytest.raises(RuleError):
            record_payment(cast.member, paid_on=D(2024, 7, 1), months=[D(2024, 7, 1)], amount=Dm("5"), kind="voluntary")
    assert (small.kind, large.kind) == ("voluntary", "voluntary")
    assert not DuesMonth.objects.exists()
    lines = {line.id: line for line in payment_lines(DuesPayment.objects.prefetch_related("months"))}
    assert (lines[small.pk].to_centre, lines[large.pk].to_centre) == (False, True)
    entry = AuditEntry.objects.get(action="dues.payment.voluntary", object_id=str(large.pk))
    assert entry.changes["extra"]["to_centre"] == "dues.cap@2008"


def test_remittance_to_the_parent_by_default(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        r = record_remittance(cast.branch_a, remitted_on=D(2024, 4, 5), period_start=D(2024, 1, 1),
                              period_end=D(2024, 3, 31), amount=Dm("1584.80"))
        with pytest.raises(RuleError):
            record_remittance(cast.branch_a, remitted_on=D(2024, 4, 5), period_start=D(2024, 3, 1),
                              period_end=D(2024, 1, 31), amount=Dm("1"))
        with pytest.raises(RuleError) as err:
            record_remittance(cast.branch_a, remitted_on=D(2024, 4, 5), period_start=D(2024, 1, 1),
                              period_end=D(2024, 3, 31), amount=Dm("1"), to_org=cast.branch_b)
        assert err.value.field == "to_org"
        with pytest.raises(PermissionDeniedError):
            record_remittance(cast.branch_b, remitted_on=D(2024, 4, 5), period_start=D(2024, 1, 1),
                              period_end=D(2024, 3, 31), amount=Dm("1"))
    assert (r.to_org, r.amount) == (cast.general, Dm("1584.80"))
    assert Remittance.objects.count() == 1


def test_permissions(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    assess_in_service(cast.member_b, 2024)
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):  # B's member
        record_payment(cast.member_b, paid_on=D(2024, 1, 10), months=[D(2024, 1, 1)], amount=Dm("15.00"))
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.assess(cast.member_b, year=2024, category="farmer", on=D(2024, 1, 2))
    for user in (cast.auditor, cast.member_user, cast.outsider):
        with acting(user, "web"):
            with pytest.raises(PermissionDeniedError):
                record_payment(cast.member, paid_on=D(2024, 1, 10), months=[D(2024, 1, 1)], amount=Dm("15.00"))
            with pytest.raises(PermissionDeniedError):
                record_voluntary(cast.member, paid_on=D(2024, 1, 10), amount=Dm("15.00"))
            with pytest.raises(PermissionDeniedError):
                services.assess(cast.member, year=2025, category="farmer", on=D(2024, 12, 2))
    assert counts() == (0, 0)
    with acting(cast.street_admin, "web"):  # the street's organizer may record for B
        record_payment(cast.member_b, paid_on=D(2024, 1, 10), months=[D(2024, 1, 1)], amount=Dm("15.00"))
    assert counts() == (1, 1)


# --- the race, for real -----------------------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two concurrent connections blocking on a unique index: PostgreSQL only (SQLite in memory has one)",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_payment_create_one() -> None:
    cast = build_cast()
    assess_in_service(cast.member, 2024)
    for round_, month in enumerate(range(1, 7)):
        out: dict[str, Any] = {}
        start = threading.Barrier(2)

        def record(m: int = month) -> Any:
            return record_payment(cast.member, paid_on=D(2024, m, 10), months=[D(2024, m, 1)], amount=Dm("15.00"))

        users = (cast.secretary, cast.street_admin)
        threads = [threading.Thread(target=run_acting, args=(users[i], record, out, f"t{i}", start)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        errors = [v for v in out.values() if isinstance(v, RuleError)]
        assert len(out) == 2 and len(errors) == 1, (round_, out)
        assert str(errors[0]).endswith(f"李明 has already paid the dues of 2024-{month:02d}")
        assert DuesPayment.objects.filter(member=cast.member, paid_on=D(2024, month, 10)).count() == 1
    assert counts() == (6, 6)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_second_payment_waits_on_the_first_and_fails_on_the_unique_month() -> None:
    """Deterministic: the first payment is written but not committed; the second passes the check (it cannot
    see the first), blocks on the unique index, then fails when the first commits."""
    cast = build_cast()
    assess_in_service(cast.member, 2024)
    written, release = threading.Event(), threading.Event()
    out: dict[str, Any] = {}

    def first() -> Any:
        with transaction.atomic():
            p = record_payment(cast.member, paid_on=D(2024, 1, 10), months=months(2024, 1, 2), amount=Dm("30.00"))
            written.set()
            release.wait(10)
        return p

    def second() -> Any:
        return record_payment(cast.member, paid_on=D(2024, 1, 11), months=months(2024, 2, 3), amount=Dm("30.00"))

    t1 = threading.Thread(target=run_acting, args=(cast.secretary, first, out, "first", None))
    t1.start()
    assert written.wait(10)
    t2 = threading.Thread(target=run_acting, args=(cast.street_admin, second, out, "second", None))
    t2.start()
    t2.join(1.5)
    assert t2.is_alive()  # blocked on the first transaction's February
    release.set()
    t1.join(30)
    t2.join(30)
    assert isinstance(out["first"], DuesPayment)
    assert isinstance(out["second"], RuleError) and out["second"].message == "李明 has already paid the dues of 2024-02"
    assert counts() == (1, 2)
