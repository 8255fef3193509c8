"""Every write of assistance, allowed and refused: the ledger entry and its correction (before and after in the
audit log), local kinds, donations, rounds and their lines (stock never below zero), the receipt."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from conftest import build_cast, cast_places, run_acting
from grassroots.assistance import selectors, services
from grassroots.assistance.models import Assistance, DistributionLine, Donation
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry

from .fixtures import DAY, entry, households, stocked

pytestmark = pytest.mark.django_db


def as_(user: Any) -> Any:
    return acting(user, "web")


def test_the_statutory_kinds_are_the_eight_of_the_measures() -> None:
    kinds = selectors.statutory_kinds(dt.date(2024, 1, 1))
    assert [c for c, _n in kinds] == ["dibao", "tekun", "disaster", "medical", "education", "housing", "employment",
                                      "temporary"]
    assert selectors.kinds_cite(dt.date(2024, 1, 1)) == "assistance.statutory_kinds@2014"


def test_a_grid_worker_records_assistance_of_their_grid_only(cast: Any) -> None:
    a, c = households(cast)
    worker = cast_places(cast).grid_worker
    with as_(worker):
        e = services.assistance_record(household=a, kind="medical", form="cash", amount="1200.50", given_on=DAY,
                                       source="government", source_name="县医保局", persons=[a.persons.first()])
        with pytest.raises(PermissionDeniedError):
            services.assistance_record(household=c, kind="medical", form="cash", amount="100", given_on=DAY,
                                       source="government")
    assert e.amount == Decimal("1200.50") and e.persons_count == 1 and e.recorded_by == worker
    entry_log = AuditEntry.objects.get(action="assistance.record")
    assert entry_log.org_id == cast.branch_a.pk and "13712345678" not in str(entry_log.changes)


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "nothing"}, "kind"), ({"form": "cash", "amount": None}, "amount"), ({"form": "goods", "goods": ""}, "goods"),
    ({"amount": "-3"}, "amount"), ({"amount": "1.234"}, "amount"), ({"source": "unit", "source_name": ""}, "source_name"),
    ({"given_on": dt.date(2019, 5, 1)}, "given_on"), ({"given_on": dt.date(2999, 1, 1)}, "given_on"),
    ({"persons_count": 0}, "persons_count"), ({"form": "service", "quantity": "2"}, "quantity"),
])
def test_bad_entries_are_refused_naming_the_field(cast: Any, changes: dict[str, Any], field: str) -> None:
    a, _c = households(cast)
    with pytest.raises(RuleError) as exc:
        entry(a, **changes)
    assert exc.value.field == field and not Assistance.objects.exists()


def test_persons_of_another_household_are_refused(cast: Any) -> None:
    a, c = households(cast)
    with pytest.raises(RuleError) as exc:
        entry(a, persons=[c.persons.first()])
    assert exc.value.field == "persons"


def test_a_correction_keeps_before_and_after_and_refuses_a_stale_version(cast: Any) -> None:
    a, _c = households(cast)
    e = entry(a)
    with as_(cast.secretary):
        fixed = services.assistance_correct(e, version=e.version, amount="520")
        with pytest.raises(StaleVersionError):
            services.assistance_correct(e, version=e.version, amount="530")
    assert fixed.amount == Decimal("520") and fixed.version == 2
    log = AuditEntry.objects.get(action="assistance.correct")
    assert log.changes["before"] == {"amount": "500.00"} and log.changes["after"] == {"amount": "520.00"}
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        services.assistance_correct(fixed, amount="1")
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        services.assistance_correct(fixed, amount="1")


def test_a_local_kind_serves_its_subtree_only(cast: Any) -> None:
    a, c = households(cast)
    with as_(cast.secretary):
        kind = services.kind_add(cast.branch_a, name="节日慰问")
        with pytest.raises(RuleError):
            services.kind_add(cast.branch_a, name="节日慰问")
        with pytest.raises(RuleError):
            services.kind_add(cast.branch_a, name="Medical assistance")
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        services.kind_add(cast.branch_a, name="结对帮扶")
    value = f"local-{kind.pk}"
    assert entry(a, kind=value).local_kind == kind
    with pytest.raises(RuleError) as exc:
        entry(c, kind=value)
    assert exc.value.field == "kind"


def test_donations_in_kind_and_cash(cast: Any) -> None:
    with as_(cast.secretary):
        cash = services.donation_receive(cast.branch_a, donor="李秀英", value="2000", received_on=DAY)
        rice = services.donation_receive(cast.branch_a, donor="县供电所", donor_is_unit=True, item="大米", unit="袋",
                                         quantity="10", value="600", received_on=DAY)
        with pytest.raises(RuleError) as exc:
            services.donation_receive(cast.branch_a, donor="某人", received_on=DAY)
        assert exc.value.field == "value"
        with pytest.raises(RuleError) as exc:
            services.donation_receive(cast.branch_a, donor="某人", item="大米", unit="桶", quantity="1")
        assert exc.value.field == "unit"
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        services.donation_receive(cast.branch_a, donor="某人", value="1")
    assert cash.is_cash and not rice.is_cash and Donation.objects.count() == 2
    assert [(r.item.name, r.on_hand) for r in selectors.stock(cast.branch_a)] == [("大米", Decimal("10"))]


def test_a_round_takes_stock_and_never_below_zero(cast: Any) -> None:
    a, c = households(cast)
    rice = stocked(cast.branch_a, 3)
    with as_(cast.secretary):
        rnd = services.round_create(cast.branch_a, title="2024年第一季度", held_on=DAY, kind="temporary")
        line = services.line_add(rnd, household=a, item=rice, quantity="2", persons_count=2)
        with pytest.raises(RuleError) as exc:
            services.line_add(rnd, household=a, item=rice, quantity="2")
        assert exc.value.field == "quantity" and "only 1" in exc.value.message
        with pytest.raises(RuleError) as exc:  # a household outside A's places
            services.line_add(rnd, household=c, item=rice, quantity="1")
        assert exc.value.field == "household"
    assert selectors.stock_of(rice) == Decimal("1")
    ledger = line.assistance
    assert ledger.source == "donations" and ledger.goods == "大米" and ledger.quantity == Decimal("2")
    assert ledger.household == a and ledger.kind == "temporary"
    with as_(cast.secretary), pytest.raises(RuleError):  # corrected on the round, not on the ledger
        services.assistance_correct(ledger, amount="1")
    with as_(cast.secretary):
        services.line_remove(line)
    assert selectors.stock_of(rice) == Decimal("3") and not Assistance.objects.exists()


def test_a_round_dated_before_the_donation_cannot_give_it(cast: Any) -> None:
    a, _c = households(cast)
    rice = stocked(cast.branch_a, 3)
    with as_(cast.secretary):
        rnd = services.round_create(cast.branch_a, title="早", held_on=DAY - dt.timedelta(days=1), kind="temporary")
        with pytest.raises(RuleError):
            services.line_add(rnd, household=a, item=rice, quantity="1")


def test_signing_closes_the_list(cast: Any) -> None:
    a, _c = households(cast)
    rice = stocked(cast.branch_a, 3)
    with as_(cast.secretary):
        rnd = services.round_create(cast.branch_a, title="Q1", held_on=DAY, kind="temporary")
        with pytest.raises(RuleError):  # nothing to sign
            services.round_sign(rnd, signed_on=DAY)
        line = services.line_add(rnd, household=a, item=rice, quantity="1")
        with pytest.raises(RuleError):
            services.round_sign(rnd, signed_on=DAY - dt.timedelta(days=1))
        signed = services.round_sign(rnd, signed_on=DAY + dt.timedelta(days=2), version=rnd.version)
        assert signed.signed and signed.signed_on == DAY + dt.timedelta(days=2) and not signed.photo
        with pytest.raises(RuleError):
            services.line_add(signed, household=a, item=rice, quantity="1")
        with pytest.raises(RuleError):
            services.line_remove(line)
        with pytest.raises(RuleError):
            services.round_sign(signed)
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        services.round_create(cast.branch_a, title="x", held_on=DAY, kind="temporary")


def test_totals_count_households_and_persons_apart(cast: Any) -> None:
    a, c = households(cast)
    entry(a, persons_count=2)
    entry(a, kind="medical", persons_count=1, amount="100")
    entry(c, persons_count=3, amount="200")
    t = selectors.totals(Assistance.objects.all())
    assert (t.households, t.persons, t.entries, t.amount) == (2, 5, 3, Decimal("800"))
    by = {k.kind: (k.households, k.persons, k.amount) for k in t.by_kind}
    assert by == {"dibao": (2, 5, Decimal("700")), "medical": (1, 1, Decimal("100"))}


# --- the race, for real -----------------------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="two concurrent connections locking a row: PostgreSQL only")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_cannot_both_give_the_last_one() -> None:
    cast = build_cast()
    a, _c = households(cast)
    rice = stocked(cast.branch_a, 1)
    with acting(None, "system"):
        rnd = services.round_create(cast.branch_a, title="Q1", held_on=DAY, kind="temporary")
    out: dict[str, Any] = {}
    start = threading.Barrier(2)

    def give() -> Any:
        return services.line_add(rnd, household=a, item=rice, quantity="1")

    users = (cast.secretary, cast.street_admin)
    threads = [threading.Thread(target=run_acting, args=(users[i], give, out, f"t{i}", start)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    errors = [v for v in out.values() if isinstance(v, RuleError)]
    assert len(out) == 2 and len(errors) == 1, out
    assert errors[0].field == "quantity"
    assert DistributionLine.objects.count() == 1 and selectors.stock_of(rice) == 0


def test_a_round_dated_back_cannot_take_what_a_later_round_gave(cast: Any) -> None:
    a, _c = households(cast)
    rice = stocked(cast.branch_a, 3)  # received on DAY
    with as_(cast.secretary):
        later = services.round_create(cast.branch_a, title="Q2", held_on=DAY + dt.timedelta(days=60), kind="temporary")
        services.line_add(later, household=a, item=rice, quantity="3")
        services.donation_receive(cast.branch_a, donor="李秀英", item="大米", unit="袋", quantity="2",
                                  received_on=DAY + dt.timedelta(days=90))
        earlier = services.round_create(cast.branch_a, title="Q1", held_on=DAY + dt.timedelta(days=10),
                                        kind="temporary")
        with pytest.raises(RuleError) as exc:  # on day 60 the store would hold -1
            services.line_add(earlier, household=a, item=rice, quantity="1")
        assert exc.value.field == "quantity"
    assert selectors.stock_of(rice) == Decimal("2")
