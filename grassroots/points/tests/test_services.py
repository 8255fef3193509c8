"""Points: proposals from the records (idempotent, never for an exempt member), approval before anything counts,
caps and the floor at their boundaries, a scheme changed mid-year, no automatic deduction, refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.points import selectors, services
from grassroots.points.models import EntryStatus, PointEntry

from .conftest import D, approve_all, ev, propose, set_scheme

pytestmark = pytest.mark.django_db
TODAY = D(2026, 1, 1)


def total(member: Any, year: int = 2024) -> Decimal:
    return selectors.statement(member, year, TODAY).total


# --- proposals from the meetings and dues records ------------------------------------------------------------

def test_meetings_and_dues_are_proposed_once(cast: Any) -> None:
    from grassroots.dues.tests.conftest import assess_in_service, months, pay
    from grassroots.meetings.services import record_meeting

    m, m2 = cast.member, cast.member_a2
    with acting(None, "system"):
        record_meeting(org=cast.branch_a, kind="theme_day", date=D(2024, 3, 5), topic="学习",
                       attendance={m.pk: ("present", ""), m2.pk: ("absent", "")})
        record_meeting(org=cast.branch_a, kind="committee_meeting", date=D(2024, 3, 6), topic="支委会",
                       attendance={m.pk: ("present", "")})
    assess_in_service(m, 2024)
    pay(m, D(2024, 1, 20), months(2024, 1, 3))  # January on time, February and March ahead: on time
    pay(m, D(2024, 5, 3), months(2024, 4, 5))  # April back (late), May on time
    made = propose(cast.branch_a, 2024, cast.secretary)
    items = sorted((e.item, e.day) for e in made)
    assert items == [("dues.paid_on_time", D(2024, 1, 20))] * 3 + [("dues.paid_on_time", D(2024, 5, 3)),
                                                                    ("meetings.attended", D(2024, 3, 5))]
    assert all(e.member_id == m.pk and e.status == EntryStatus.PROPOSED for e in made)
    assert AuditEntry.objects.filter(action="points.propose").count() == 1
    assert propose(cast.branch_a, 2024, cast.secretary) == []  # a record never earns twice
    assert propose(cast.street, 2024) == []  # nor from higher up
    assert PointEntry.objects.count() == 5


def test_approval_is_required_before_anything_counts(cast: Any, fake_source: list[Any]) -> None:
    set_scheme(cast.street, D(2000, 1, 1))
    fake_source.append(ev(cast.member, D(2024, 4, 1)))
    [entry] = propose(cast.branch_a, 2024, cast.secretary)
    assert total(cast.member) == Decimal(60)
    with acting(cast.secretary, "web"):
        services.approve_entry(entry, version=entry.version)
    assert total(cast.member) == Decimal(61)


def test_declined_proposals_never_count_and_need_a_reason(cast: Any, fake_source: list[Any]) -> None:
    set_scheme(cast.street, D(2000, 1, 1))
    fake_source.append(ev(cast.member, D(2024, 4, 1)))
    [entry] = propose(cast.branch_a, 2024, cast.secretary)
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.decline_entry(entry, reason=" ", version=entry.version)
    assert exc.value.field == "reason"
    with acting(cast.secretary, "web"):
        declined = services.decline_entry(entry, reason="重复", version=entry.version)
    assert declined.status == EntryStatus.DECLINED and total(cast.member) == Decimal(60)
    assert propose(cast.branch_a, 2024, cast.secretary) == []  # declined stays declined
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.approve_entry(declined, version=declined.version)
    assert exc.value.field == "status"


# --- caps and floor at the boundaries -----------------------------------------------------------------------

@pytest.mark.parametrize(("acts", "expected"), [(2, 62), (3, 63), (4, 63)])  # one under, at, one over the cap 3
def test_the_cap_of_an_item_a_year(cast: Any, fake_source: list[Any], acts: int, expected: int) -> None:
    set_scheme(cast.street, D(2000, 1, 1))
    fake_source.extend(ev(cast.member, D(2024, 5, day)) for day in range(1, acts + 1))
    propose(cast.branch_a, 2024, cast.secretary)
    approve_all(cast.branch_a, cast.secretary)
    st = selectors.statement(cast.member, 2024, TODAY)
    assert st.total == Decimal(expected)
    assert [line.counts for line in st.lines][-1] == (Decimal(0) if acts > 3 else Decimal(1))


def test_the_yearly_reset(cast: Any, fake_source: list[Any]) -> None:
    set_scheme(cast.street, D(2000, 1, 1))
    fake_source.extend(ev(cast.member, D(2024, 12, d)) for d in (1, 2, 3))
    fake_source.append(ev(cast.member, D(2025, 1, 2)))
    propose(cast.branch_a, 2024, cast.secretary)
    propose(cast.branch_a, 2025, cast.secretary)
    approve_all(cast.branch_a, cast.secretary)
    assert total(cast.member, 2024) == Decimal(63) and total(cast.member, 2025) == Decimal(61)


@pytest.mark.parametrize(("deducted", "expected"), [("4", "56"), ("5", "55"), ("6", "55")])  # floor 55
def test_the_floor_holds(cast: Any, deducted: str, expected: str) -> None:
    set_scheme(cast.street, D(2000, 1, 1), base="60", floor="55")
    with acting(cast.secretary, "web"):
        entry = services.give_points(cast.member, item="manual.deduction", day=D(2024, 6, 1), points=deducted,
                                     reason="无故缺席")
    assert entry.points == -Decimal(deducted) and entry.status == EntryStatus.APPROVED
    st = selectors.statement(cast.member, 2024, TODAY)
    assert st.total == Decimal(expected)
    assert st.floored == (deducted == "6")


# --- a scheme changed mid-year; the nearest organization's scheme -------------------------------------------

def test_a_scheme_changed_mid_year(cast: Any, fake_source: list[Any]) -> None:
    """First half: 1 point, cap 4; from 1 July: 2 points, cap 6. Each entry is valued and capped by the version in
    force on its day; the running total of the year carries across versions."""
    set_scheme(cast.street, D(2024, 1, 1), items={"wishes.fulfilled": {"points": "1", "cap": "4"}})
    set_scheme(cast.street, D(2024, 7, 1), items={"wishes.fulfilled": {"points": "2", "cap": "6"}})
    fake_source.extend(ev(cast.member, D(2024, 6, d)) for d in (1, 2, 3))  # 3 points
    fake_source.extend(ev(cast.member, D(2024, 7, d)) for d in (1, 2, 3))  # 2 each: 2, then 1, then 0
    made = propose(cast.branch_a, 2024, cast.secretary)
    assert [e.points for e in made] == [Decimal(1)] * 3 + [Decimal(2)] * 3
    assert made[0].scheme != made[-1].scheme
    approve_all(cast.branch_a, cast.secretary)
    st = selectors.statement(cast.member, 2024, TODAY)
    assert [line.counts for line in st.lines] == [1, 1, 1, 2, 1, 0]
    assert st.total == Decimal(66)


def test_a_cap_lowered_mid_year_takes_nothing_back(cast: Any, fake_source: list[Any]) -> None:
    set_scheme(cast.street, D(2024, 1, 1), items={"wishes.fulfilled": {"points": "1", "cap": "5"}})
    set_scheme(cast.street, D(2024, 7, 1), items={"wishes.fulfilled": {"points": "1", "cap": "2"}})
    fake_source.extend(ev(cast.member, D(2024, 6, d)) for d in (1, 2, 3))
    fake_source.append(ev(cast.member, D(2024, 8, 1)))
    propose(cast.branch_a, 2024, cast.secretary)
    approve_all(cast.branch_a, cast.secretary)
    st = selectors.statement(cast.member, 2024, TODAY)
    assert [line.counts for line in st.lines] == [1, 1, 1, 0]


def test_the_nearest_organizations_scheme_wins(cast: Any) -> None:
    from grassroots.points.schemes import scheme_for

    street = set_scheme(cast.street, D(2024, 1, 1), base="70")
    branch = set_scheme(cast.branch_a, D(2024, 3, 1), base="100")
    day = D(2024, 6, 1)
    assert scheme_for(cast.branch_a, day).cite == branch.cite
    assert scheme_for(cast.branch_a, D(2024, 2, 29)).cite == street.cite  # A's not yet in force
    assert scheme_for(cast.branch_b, day).cite == street.cite
    assert scheme_for(cast.branch_c, day).cite == "points.default@default"
    assert total(cast.member) == Decimal(100) and total(cast.member_b) == Decimal(70)


def test_a_scheme_is_validated_naming_the_field(cast: Any) -> None:
    from grassroots.points.tests.conftest import scheme_params

    bad = [({"base": "abc"}, "base"), ({"base": "10", "floor": "20"}, "floor"),
           ({"exempt": ["lazy"]}, "exempt"), ({"items": {"posts.unknown": {"points": "1"}}}, "items"),
           ({"items": {"wishes.fulfilled": {"points": "-1"}}}, "items"),
           ({"items": {"manual.x": {"points": "1", "cap": None}}}, "items")]
    for change, field in bad:
        params = {**scheme_params(), **change}
        with acting(None, "system"), pytest.raises(RuleError) as exc:
            services.set_scheme(cast.branch_a, effective_from=D(2024, 1, 1), params=params)
        assert exc.value.field == field, change
    with acting(cast.member_user, "web"), pytest.raises(PermissionDeniedError):
        services.set_scheme(cast.branch_a, effective_from=D(2024, 1, 1), params=scheme_params())
    scheme = set_scheme(cast.branch_a, D(2024, 1, 1))
    with acting(cast.secretary, "web"), pytest.raises(StaleVersionError):
        services.set_scheme(cast.branch_a, effective_from=D(2024, 1, 1), params=scheme_params(base="80"),
                            version=scheme.version + 1)
    with acting(cast.secretary, "web"):
        again = services.set_scheme(cast.branch_a, effective_from=D(2024, 1, 1), params=scheme_params(base="80"),
                                    version=scheme.version)
    assert again.pk == scheme.pk and again.params["base"] == "80.00"
    assert AuditEntry.objects.filter(action="points.scheme.update", object_id=str(scheme.pk)).exists()


# --- exemptions --------------------------------------------------------------------------------------------

def test_retired_and_mobile_members_get_no_proposals(cast: Any, fake_source: list[Any]) -> None:
    from conftest import make_member
    from grassroots.members.models import MemberPeriod

    with acting(None, "system"):
        retired = make_member(cast.branch_a, name="老张", occupation="retired")
        mobile = make_member(cast.branch_a, name="小王")
    MemberPeriod.objects.filter(member=mobile).update(mobile=True)
    fake_source.extend([ev(retired, D(2024, 5, 1)), ev(mobile, D(2024, 5, 1)), ev(cast.member, D(2024, 5, 1))])
    made = propose(cast.branch_a, 2024, cast.secretary)
    assert [e.member_id for e in made] == [cast.member.pk]
    # a scheme that does not exempt the retired proposes for them (what was left out before too)
    set_scheme(cast.street, D(2024, 1, 1), exempt=("mobile", "sick"))
    assert [(e.member_id, e.day) for e in propose(cast.branch_a, 2024, cast.secretary)] == [(retired.pk,
                                                                                            D(2024, 5, 1))]


def test_a_recorded_exemption_at_its_boundaries(cast: Any, fake_source: list[Any]) -> None:
    with acting(cast.secretary, "web"):
        services.record_exemption(cast.member, reason="sick", start=D(2024, 3, 10), end=D(2024, 3, 20),
                                  note="住院")
    days = [D(2024, 3, 9), D(2024, 3, 10), D(2024, 3, 20), D(2024, 3, 21)]
    fake_source.extend(ev(cast.member, d) for d in days)
    made = propose(cast.branch_a, 2024, cast.secretary)
    assert [e.day for e in made] == [D(2024, 3, 9), D(2024, 3, 21)]
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.give_points(cast.member, item="manual.deduction", day=D(2024, 3, 15), points="2", reason="缺席")
    assert exc.value.field == "member"  # no deduction for an exempt member
    with acting(cast.secretary, "web"):
        services.give_points(cast.member, item="manual.deduction", day=D(2024, 3, 21), points="2", reason="缺席")


def test_an_exemption_is_the_branchs_to_record(cast: Any) -> None:
    for user in (cast.member_user, cast.auditor, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.record_exemption(cast.member, reason="sick", start=D(2024, 1, 1))
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.record_exemption(cast.member, reason="sick", start=D(2024, 2, 1), end=D(2024, 1, 1))
    assert exc.value.field == "end"
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.record_exemption(cast.member, reason="other", start=D(2024, 2, 1))
    assert exc.value.field == "note"


# --- no automatic deduction ----------------------------------------------------------------------------------

def test_nothing_is_deducted_automatically(cast: Any, fake_source: list[Any]) -> None:
    set_scheme(cast.street, D(2000, 1, 1), items={"wishes.fulfilled": {"points": "1", "cap": "3"},
                                                  "manual.deduction": {"points": "-1", "cap": None,
                                                                       "label_zh": "扣分"}})
    fake_source.append(ev(cast.member, D(2024, 5, 1), quantity=-2))  # a source cannot take points away
    fake_source.append(ev(cast.member, D(2024, 5, 2), item="manual.deduction"))  # nor give a manual item
    assert propose(cast.branch_a, 2024, cast.secretary) == []
    assert total(cast.member) == Decimal(60)


def test_manual_entries_are_checked(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        for kw, field in [({"item": "meetings.attended"}, "item"), ({"reason": ""}, "reason"),
                          ({"day": D(2099, 1, 1)}, "day"), ({"points": "abc"}, "points"), ({"points": "-3"}, "points")]:
            args = {"item": "manual.pioneer", "day": D(2024, 7, 1), "points": None, "reason": "抗洪抢险", **kw}
            with pytest.raises(RuleError) as exc:
                services.give_points(cast.member, **args)
            assert exc.value.field == field, kw
        entry = services.give_points(cast.member, item="manual.pioneer", day=D(2024, 7, 1), reason="抗洪抢险")
    assert entry.points == Decimal(5) and total(cast.member) == Decimal(65)
    for user in (cast.member_user, cast.auditor, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.give_points(cast.member, item="manual.pioneer", day=D(2024, 7, 1), reason="x")


# --- refusals ---------------------------------------------------------------------------------------------

def test_decisions_are_the_branchs_within_its_scope(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_b, D(2024, 5, 1))])
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.propose_points(cast.branch_b, 2024)
    for user in (cast.member_user, cast.auditor, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.propose_points(cast.branch_a, 2024)
    made = propose(cast.general, 2024, cast.street_admin)
    entry_a = next(e for e in made if e.member_id == cast.member.pk)
    entry_b = next(e for e in made if e.member_id == cast.member_b.pk)
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.approve_entry(entry_b, version=entry_b.version)  # outside the secretary's branch
    for user in (cast.member_user, cast.auditor, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.approve_entry(entry_a, version=entry_a.version)
    with acting(cast.secretary, "web"), pytest.raises(StaleVersionError):
        services.approve_entry(entry_a, version=entry_a.version + 1)
    with acting(cast.secretary, "web"):
        services.approve_entry(entry_a, version=entry_a.version)
    entry_a.refresh_from_db()
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.approve_entry(entry_a, version=entry_a.version)  # approved already
    assert exc.value.field == "status"


def test_bulk_decisions_are_all_or_nothing(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_b, D(2024, 5, 1))])
    made = propose(cast.general, 2024, cast.street_admin)
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.decide_entries([(e, e.version) for e in made], approve=True)
    assert not PointEntry.objects.filter(status=EntryStatus.APPROVED).exists()
    with acting(cast.street_admin, "web"):
        assert services.decide_entries([(e, e.version) for e in made], approve=False, reason="不符合") == 2


# --- the ranking: off by default, only with the switch, only members who opted in -----------------------------

def test_the_ranking(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_a2, D(2024, 5, 1))])
    propose(cast.branch_a, 2024, cast.secretary)
    approve_all(cast.branch_a, cast.secretary)
    assert selectors.ranking(cast.branch_a, 2024, TODAY) == []  # absent by default
    with acting(cast.member_user, "web"):
        services.set_opt_in(cast.member, opted_in=True)
    assert selectors.ranking(cast.branch_a, 2024, TODAY) == []  # opted in, but the branch has not turned it on
    with acting(cast.member_user, "web"), pytest.raises(PermissionDeniedError):
        services.set_ranking(cast.branch_a, enabled=True)
    with acting(cast.secretary, "web"):
        setting = services.set_ranking(cast.branch_a, enabled=True)
    assert AuditEntry.objects.filter(action="points.ranking").count() == 1
    assert [r.member_id for r in selectors.ranking(cast.branch_a, 2024, TODAY)] == [cast.member.pk]
    with acting(cast.member_user, "web"), pytest.raises(PermissionDeniedError):
        services.set_opt_in(cast.member_a2, opted_in=True)  # only for oneself
    with acting(cast.secretary, "web"):
        services.set_opt_in(cast.member_a2, opted_in=True)  # the secretary on the member's behalf
    assert len(selectors.ranking(cast.branch_a, 2024, TODAY)) == 2
    with acting(cast.secretary, "web"), pytest.raises(StaleVersionError):
        services.set_ranking(cast.branch_a, enabled=False, version=setting.version + 5)
    with acting(cast.secretary, "web"):
        services.set_ranking(cast.branch_a, enabled=False, version=setting.version)
    assert selectors.ranking(cast.branch_a, 2024, TODAY) == []


def test_approve_all_proposals(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_a2, D(2024, 6, 1)),
                        ev(cast.member_b, D(2024, 5, 1))])
    propose(cast.general, 2024, cast.street_admin)
    for user in (cast.member_user, cast.auditor, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.approve_all_proposals(cast.branch_a, year=2024, until=D(2024, 12, 31))
    with acting(cast.secretary, "web"):
        assert services.approve_all_proposals(cast.branch_a, year=2024, until=D(2024, 5, 31)) == 1
        assert services.approve_all_proposals(cast.branch_a, year=2024, until=D(2024, 12, 31)) == 1
        assert services.approve_all_proposals(cast.branch_a, year=2024, until=D(2024, 12, 31)) == 0
    assert PointEntry.objects.get(member=cast.member_b).status == EntryStatus.PROPOSED  # B is not the secretary's
    assert AuditEntry.objects.filter(action="points.approve").count() == 2
    assert total(cast.member) == Decimal(62) and total(cast.member_a2) == Decimal(62)  # 2 points a wish


def test_ending_an_exemption(cast: Any, fake_source: list[Any]) -> None:
    with acting(cast.secretary, "web"):
        exemption = services.record_exemption(cast.member, reason="sick", start=D(2024, 3, 1), note="住院")
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        services.end_exemption(exemption, end=D(2024, 4, 30))
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.end_exemption(exemption, end=D(2024, 2, 1))
    assert exc.value.field == "end"
    with acting(cast.secretary, "web"):
        services.end_exemption(exemption, end=D(2024, 4, 30))
    fake_source.extend([ev(cast.member, D(2024, 4, 30)), ev(cast.member, D(2024, 5, 1))])
    assert [e.day for e in propose(cast.branch_a, 2024, cast.secretary)] == [D(2024, 5, 1)]
    assert AuditEntry.objects.filter(action="points.exempt.end").count() == 1


def test_dues_on_time_at_the_month_end(cast: Any) -> None:
    """Paid on the month's last day: on time; the day after: late (grace 0 days in the rule data)."""
    from grassroots.dues.tests.conftest import assess_in_service, months, pay

    assess_in_service(cast.member, 2024)
    pay(cast.member, D(2024, 1, 31), months(2024, 1, 1))  # the last day: on time
    pay(cast.member, D(2024, 3, 1), months(2024, 2, 2))  # the day after February: late
    pay(cast.member, D(2024, 3, 30), months(2024, 3, 3))  # one day before: on time
    made = propose(cast.branch_a, 2024, cast.secretary)
    assert [(e.item, e.day) for e in made] == [("dues.paid_on_time", D(2024, 1, 31)),
                                               ("dues.paid_on_time", D(2024, 3, 30))]
