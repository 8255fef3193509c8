"""Monthly amounts: every bracket boundary, retired, farmer, flat categories, hardship, fixed, rounding."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.core.models import AuditEntry
from grassroots.dues.models import DuesAssessment
from grassroots.dues.services import assess, monthly_amount, round_amount
from grassroots.rules.registry import in_force

from .conftest import ON, D

Dm = Decimal


@pytest.mark.parametrize("base, expected", [
    ("0.00", "0.10"),  # 0 by the rate, raised to the minimum
    ("1000.00", "5.00"),
    ("3000.00", "15.00"),  # 0.5% up to 3000 inclusive
    ("3000.01", "30.10"),  # 1% on the whole base: 30.0001, rounded up to 0.1
    ("5000.00", "50.00"),
    ("5000.01", "75.10"),  # 1.5%: 75.00015
    ("10000.00", "150.00"),
    ("10000.01", "200.10"),  # 2%: 200.0002
    ("20000.00", "400.00"),
])
def test_in_service_brackets_are_one_flat_rate_with_inclusive_bounds(base: str, expected: str) -> None:
    amount, cite = monthly_amount(category="in_service", base=Dm(base), on=ON)
    assert amount == Dm(expected)
    assert cite == "dues.in_service@2008"


@pytest.mark.parametrize("base, expected", [
    ("4000.00", "20.00"),
    ("5000.00", "25.00"),  # 0.5% up to 5000 inclusive
    ("5000.01", "50.10"),  # 1%: 50.0001
])
def test_retired_brackets(base: str, expected: str) -> None:
    amount, cite = monthly_amount(category="retired", base=Dm(base), on=ON)
    assert (amount, cite) == (Dm(expected), "dues.retired@2008")


def test_the_base_is_taken_as_a_string_or_int_but_never_a_float() -> None:
    assert monthly_amount(category="in_service", base="3000.00", on=ON)[0] == Dm("15.00")
    assert monthly_amount(category="in_service", base=3000, on=ON)[0] == Dm("15.00")
    with pytest.raises(RuleError) as err:
        monthly_amount(category="in_service", base=3000.0, on=ON)
    assert err.value.field == "base"
    for bad in ("-1", "abc", "3000.001", None):
        with pytest.raises(RuleError):
            monthly_amount(category="in_service", base=bad, on=ON)


def test_farmer_default_and_range() -> None:
    assert monthly_amount(category="farmer", on=ON) == (Dm("0.50"), "dues.farmer@2008")
    assert monthly_amount(category="farmer", amount=Dm("0.20"), on=ON)[0] == Dm("0.20")
    assert monthly_amount(category="farmer", amount=Dm("1.00"), on=ON)[0] == Dm("1.00")
    for outside in ("0.19", "1.01", "5"):
        with pytest.raises(RuleError) as err:
            monthly_amount(category="farmer", amount=Dm(outside), on=ON)
        assert err.value.field == "amount" and "0.20 to 1.00" in err.value.message


def test_students_unemployed_and_relief_pay_twenty_cents() -> None:
    assert monthly_amount(category="student_unemployed_relief", on=ON) == (Dm("0.20"), "dues.student_unemployed_relief@2008")
    with pytest.raises(RuleError):
        monthly_amount(category="student_unemployed_relief", amount=Dm("0.50"), on=ON)
    with pytest.raises(RuleError):
        monthly_amount(category="student_unemployed_relief", base=Dm("3000"), on=ON)


def test_hardship_is_below_the_ordinary_amount_zero_included() -> None:
    assert monthly_amount(category="hardship", base=Dm("3000.00"), amount=Dm("0"), on=ON)[0] == Dm("0.00")
    assert monthly_amount(category="hardship", base=Dm("3000.00"), amount=Dm("14.90"), on=ON)[0] == Dm("14.90")
    with pytest.raises(RuleError) as err:
        monthly_amount(category="hardship", base=Dm("3000.00"), amount=Dm("15.00"), on=ON)
    assert "below the ordinary 15.00" in err.value.message
    # without a base: below the lowest set amount
    assert monthly_amount(category="hardship", amount=Dm("0.10"), on=ON)[0] == Dm("0.10")
    with pytest.raises(RuleError):
        monthly_amount(category="hardship", amount=Dm("0.20"), on=ON)
    # a retired member's hardship amount is judged by the retired brackets
    assert monthly_amount(category="hardship", base=Dm("5000.00"), amount=Dm("24.90"), on=ON,
                          ordinary="retired")[0] == Dm("24.90")
    with pytest.raises(RuleError):
        monthly_amount(category="hardship", base=Dm("5000.00"), amount=Dm("25.00"), on=ON, ordinary="retired")


def test_unknown_category_refused() -> None:
    with pytest.raises(RuleError) as err:
        monthly_amount(category="rich", base=Dm("1"), on=ON)
    assert err.value.field == "category"


@pytest.mark.parametrize("mode, value, expected", [
    ("up", "30.0001", "30.10"),
    ("up", "30.05", "30.10"),
    ("half_up", "30.05", "30.10"),
    ("half_up", "30.0499", "30.00"),
    ("down", "30.0999", "30.00"),
    ("down", "0.05", "0.10"),  # the minimum still applies
])
def test_rounding_modes(settings: Any, mode: str, value: str, expected: str) -> None:
    settings.GRASSROOTS_RULE_OVERRIDES = {"dues.rounding": {"mode": mode}}
    assert round_amount(Dm(value), ON) == Dm(expected)


def test_the_default_rounding_is_up_to_ten_cents_with_a_minimum() -> None:
    rule = in_force("dues.rounding", ON)
    assert (rule["quantum"], rule["mode"], rule["minimum"]) == ("0.10", "up", "0.10")
    assert round_amount(Dm("15.01"), ON) == Dm("15.10")
    assert round_amount(Dm("0.01"), ON) == Dm("0.10")


def test_a_settings_override_changes_the_result() -> None:
    before = monthly_amount(category="in_service", base=Dm("3000.01"), on=ON)[0]
    with override_settings(GRASSROOTS_RULE_OVERRIDES={"dues.rounding": {"quantum": "0.01", "mode": "half_up"}}):
        after = monthly_amount(category="in_service", base=Dm("3000.01"), on=ON)[0]
        assert monthly_amount(category="in_service", base=Dm("5000.01"), on=ON)[0] == Dm("75.00")
    assert (before, after) == (Dm("30.10"), Dm("30.00"))


def test_an_unknown_rounding_mode_is_refused(settings: Any) -> None:
    settings.GRASSROOTS_RULE_OVERRIDES = {"dues.rounding": {"mode": "banker"}}
    with pytest.raises(RuleError):
        round_amount(Dm("1.00"), ON)


# --- assess ---------------------------------------------------------------------------------------------------

def test_assess_writes_the_amount_and_the_rule_and_an_audit_entry(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        a = assess(cast.member, year=2024, category="in_service", base=Dm("5000.01"), on=D(2024, 1, 5))
    a.refresh_from_db()
    assert (a.monthly_amount, a.rule, a.base, a.year) == (Dm("75.10"), "dues.in_service@2008", Dm("5000.01"), 2024)
    entry = AuditEntry.objects.get(action="dues.assess")
    assert entry.actor_name == "secretary" and entry.org_id == cast.branch_a.pk


def test_reassessing_the_year_replaces_it(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        assess(cast.member, year=2024, category="in_service", base=Dm("3000"), on=D(2024, 1, 5))
        assess(cast.member, year=2024, category="farmer", on=D(2024, 2, 5))
    a = DuesAssessment.objects.get(member=cast.member, year=2024)
    assert (a.category, a.monthly_amount, a.base) == ("farmer", Dm("0.50"), None)
    assert AuditEntry.objects.filter(action="dues.reassess").count() == 1


def test_hardship_and_fixed_need_the_approval(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        for category in ("hardship", "fixed"):
            with pytest.raises(RuleError) as err:
                assess(cast.member, year=2024, category=category, amount=Dm("0"), on=ON)
            assert err.value.field == "approval"
        a = assess(cast.member, year=2024, category="hardship", base=Dm("3000"), amount=Dm("0"),
                   approval="街道党工委 2024-01-10 批准免交", on=ON)
        assert a.monthly_amount == Dm("0.00")
        b = assess(cast.member_a2, year=2024, category="fixed", amount=Dm("1200.00"), approval="本人申请，支部同意",
                   on=ON)
    assert b.monthly_amount == Dm("1200.00") and b.rule == "dues.cap@2008"
    # above the usual maximum: allowed, and noted
    entry = AuditEntry.objects.filter(action="dues.assess", object_id=str(b.pk)).get()
    assert entry.changes["extra"]["above_usual_max"] == "dues.cap@2008"
    assert DuesAssessment.objects.count() == 2


def test_assess_refusals_write_nothing(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError):
            assess(cast.member, year=2024, category="in_service", on=ON)  # no base
        with pytest.raises(RuleError):
            assess(cast.member, year=1900, category="farmer", on=ON)
        with pytest.raises(RuleError):
            assess(cast.member, year=2024, category="farmer", on=D(2999, 1, 1))
    assert not DuesAssessment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="dues").exists()
