"""Arrears: consecutive unpaid months, across year boundaries, and the "dues" findings at 3, 5 and 6."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_member
from grassroots.core.context import acting
from grassroots.dues.selectors import consecutive_unpaid, last_complete_month, unpaid_months
from grassroots.dues.services import assess
from grassroots.members.services import member_record_event
from grassroots.rules.findings import OVERDUE, VIOLATED, findings_for

from .conftest import D, assess_in_service, months, pay


def dues_findings(org: Any, as_of: Any) -> list[Any]:
    return findings_for(org, as_of, only=["dues"])


def test_last_complete_month() -> None:
    assert last_complete_month(D(2025, 2, 1)) == D(2025, 1, 1)
    assert last_complete_month(D(2025, 1, 31)) == D(2024, 12, 1)


def test_nov_dec_jan_unpaid_are_three_across_the_year_boundary(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    assess_in_service(cast.member, 2025)
    pay(cast.member, D(2024, 10, 8), months(2024, 1, 10), kind="back")
    as_of = D(2025, 2, 3)
    assert consecutive_unpaid(cast.member, as_of) == 3
    assert unpaid_months(cast.member, as_of) == [D(2024, 11, 1), D(2024, 12, 1), D(2025, 1, 1)]
    [f] = dues_findings(cast.street, as_of)
    assert (f.state, f.rule, f.subject_id, f.org_id) == (OVERDUE, "dues.arrears@2008", cast.member.pk, cast.branch_a.pk)
    assert f.due == D(2024, 11, 1) and "3 consecutive months (since 2024-11)" in f.message


@pytest.mark.parametrize("paid_through, expected, state, words", [
    (D(2024, 11, 1), 2, None, ""),
    (D(2024, 10, 1), 3, OVERDUE, "remind them"),
    (D(2024, 8, 1), 5, OVERDUE, "talk with them now"),
    (D(2024, 7, 1), 6, VIOLATED, "the branch must discuss it"),
    (D(2024, 3, 1), 10, VIOLATED, "the branch must discuss it"),
])
def test_thresholds_at_2_3_5_and_6_months(cast: Any, paid_through: Any, expected: int, state: str | None,
                                          words: str) -> None:
    assess_in_service(cast.member, 2024)
    assess_in_service(cast.member, 2025)
    pay(cast.member, D(2024, 12, 20), months(2024, 1, paid_through.month), kind="back")
    as_of = D(2025, 2, 10)  # the last complete month is January 2025: the runs cross the year boundary
    assert consecutive_unpaid(cast.member, as_of) == expected
    found = dues_findings(cast.street, as_of)
    if state is None:
        assert found == []
        return
    [f] = found
    assert f.state == state and words in f.message and f"{expected} consecutive months" in f.message
    assert "takes no action" in f.message or state != VIOLATED


def test_a_payment_in_the_last_month_breaks_the_run(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 12, 2), [D(2024, 12, 1)])
    assert consecutive_unpaid(cast.member, D(2025, 1, 5)) == 0
    assert len(unpaid_months(cast.member, D(2025, 1, 5))) == 11
    assert dues_findings(cast.street, D(2025, 1, 5)) == []


def test_months_before_joining_or_the_first_assessment_do_not_count(cast: Any) -> None:
    with acting(None, "system"):
        newcomer = make_member(cast.branch_b, name="周新", joined_on=D(2024, 10, 20), status="probationary",
                               converted_on=None)
    assess_in_service(newcomer, 2024)
    # October (joined on the 20th), November, December: 3; January to September do not count
    assert unpaid_months(newcomer, D(2025, 1, 5)) == months(2024, 10, 12)
    assert consecutive_unpaid(newcomer, D(2025, 1, 5)) == 3
    # assessed only from 2024: 2023 and before do not count, and nobody unassessed is reported
    assess_in_service(cast.member, 2024)
    assert consecutive_unpaid(cast.member, D(2024, 3, 1)) == 2
    assert consecutive_unpaid(cast.member_a2, D(2025, 1, 5)) == 0
    subjects = {f.subject_id for f in dues_findings(cast.street, D(2025, 1, 5))}
    assert subjects == {newcomer.pk, cast.member.pk}


def test_a_year_not_yet_assessed_counts_at_the_last_assessment(cast: Any) -> None:
    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 10, 8), months(2024, 1, 10), kind="back")
    assert consecutive_unpaid(cast.member, D(2025, 2, 3)) == 3  # no 2025 assessment yet: still owed


def test_exempt_months_are_not_owed(cast: Any) -> None:
    with acting(None, "system"):
        assess(cast.member, year=2024, category="hardship", amount=Decimal("0"), approval="批准免交", on=D(2024, 1, 2))
    assert consecutive_unpaid(cast.member, D(2025, 1, 5)) == 0
    assert unpaid_months(cast.member, D(2025, 1, 5)) == []


def test_suspended_and_departed_members_and_other_subtrees_are_not_reported(cast: Any) -> None:
    for m in (cast.member, cast.member_a2, cast.member_b, cast.member_c):
        assess_in_service(m, 2024)
    with acting(None, "system"):
        member_record_event(cast.member_a2, kind="suspended", on=D(2024, 6, 1))
        member_record_event(cast.member_b, kind="transferred_out", on=D(2024, 11, 1), details={"to": "外省"})
    as_of = D(2025, 1, 5)
    assert {f.subject_id for f in dues_findings(cast.street, as_of)} == {cast.member.pk}
    assert {f.subject_id for f in dues_findings(cast.branch_b, as_of)} == set()
    assert {f.subject_id for f in dues_findings(cast.other_street, as_of)} == {cast.member_c.pk}


def test_the_findings_take_a_few_queries_whatever_the_size(cast: Any) -> None:
    with acting(None, "system"):
        people = [make_member(cast.branch_a, name=f"成员{i}") for i in range(12)]
    for m in people:
        assess_in_service(m, 2024)
    with CaptureQueriesContext(connection) as ctx:
        found = dues_findings(cast.street, D(2025, 1, 5))
    assert len(found) == 12 and all(f.state == VIOLATED for f in found)
    assert len(ctx.captured_queries) <= 5


def test_grassroots_check_includes_the_dues_findings(cast: Any, capsys: Any) -> None:
    from grassroots import cli

    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 9, 2), months(2024, 1, 9), kind="back")
    assert cli.main(["check", "--org", "S", "--as-of", "2025-01-05", "--lang", "en", "--as", "street_admin"]) == 0
    out = capsys.readouterr().out
    assert "dues.arrears@2008" in out and "李明 has not paid dues for 3 consecutive months (since 2024-10)" in out
