"""The rollups of the structure statistics (issue 16): after each kind of write through the services they give
what the scan of the periods gives, for every organization and day; a property over random histories; the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_member
from grassroots.cli import main
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.members import rollups, stats
from grassroots.members.models import FIGURES, AgeMark, Member, RollupDelta, RollupMark
from grassroots.members.services import creating_in_bulk, member_create, member_record_event, member_update
from grassroots.members.tests import test_as_of_property as gen
from grassroots.orgs.models import Organization
from grassroots.orgs.services import org_create, org_merge, org_move, org_rename, org_revoke, org_upgrade

D = dt.date
FOUNDED = D(2000, 1, 1)
TODAY = timezone.localdate()  # the site's day (Beijing), as the code's: the machine's UTC date differs from 16:00 UTC


@pytest.fixture
def city(db: Any) -> dict[str, Organization]:
    with acting(None, "system"):
        c = org_create(code="C", name="市委", kind="committee", founded_on=FOUNDED)
        t1 = org_create(code="T1", name="甲镇党委", kind="committee", founded_on=FOUNDED, parent=c)
        t2 = org_create(code="T2", name="乙镇党委", kind="committee", founded_on=FOUNDED, parent=c)
        a = org_create(code="A", name="甲一支部", kind="branch", founded_on=FOUNDED, parent=t1)
        b = org_create(code="B", name="甲二支部", kind="branch", founded_on=FOUNDED, parent=t1)
        e = org_create(code="E", name="乙一支部", kind="branch", founded_on=FOUNDED, parent=t2)
    with acting(None, "system"):
        yield {"C": c, "T1": t1, "T2": t2, "A": a, "B": b, "E": e}


def days_of_interest(*extra: dt.date) -> list[dt.date]:
    out = {FOUNDED - dt.timedelta(days=1), FOUNDED, D(2005, 6, 30), D(2005, 7, 1), D(2010, 1, 1), D(2015, 3, 1),
           D(2015, 2, 28), D(2019, 12, 31), TODAY, TODAY.replace(day=1), TODAY + dt.timedelta(days=400), *extra}
    return sorted(out)


def assert_right(days: list[dt.date] | None = None) -> None:
    """The rollups equal the scan for every organization and each day."""
    for org in Organization.objects.order_by("path"):
        for day in days or days_of_interest():
            assert stats.structure_counts(org, day) == stats.structure_counts_scan(org, day), f"{org.code} {day}"


def read_today() -> None:
    """Reads build the marks of this month: every write after them, dated in the past, must move them."""
    for org in Organization.objects.all():
        stats.structure_counts(org, TODAY)


def test_create_counts_in_the_node_and_every_ancestor(city: dict[str, Organization]) -> None:
    read_today()
    make_member(city["A"], name="甲", joined_on=D(2005, 7, 1), status="probationary", converted_on=None)
    make_member(city["E"], name="乙", sex="F", ethnicity="回族", education="college", occupation="retired")
    for code, total in (("A", 1), ("B", 0), ("T1", 1), ("T2", 1), ("C", 2)):
        assert stats.structure_counts(city[code], TODAY)["total"] == total
    c = stats.structure_counts(city["C"], TODAY)
    assert (c["probationary"], c["full"], c["female"], c["minority"], c["college_or_above"]) == (1, 1, 1, 1, 2)
    assert stats.structure_counts(city["C"], D(2005, 6, 30))["total"] == 0  # both joined on 2005-07-01
    assert_right()


def test_events_and_backdated_events_move_built_marks(city: dict[str, Organization]) -> None:
    m = make_member(city["A"], name="甲", joined_on=D(2005, 7, 1), status="probationary", converted_on=None)
    read_today()
    stats.structure_counts(city["C"], D(2012, 5, 20))  # a mark in the past too
    assert RollupMark.objects.filter(node=city["C"]).count() >= 2
    member_record_event(m, kind="converted", on=D(2006, 7, 1))  # dated years before the marks
    member_record_event(m, kind="mobile_out", on=D(2010, 3, 5))
    member_record_event(m, kind="suspended", on=D(2013, 1, 1))
    c = stats.structure_counts(city["C"], D(2012, 5, 20))
    assert (c["full"], c["mobile"], c["suspended"]) == (1, 1, 0)
    assert stats.structure_counts(city["C"], TODAY)["suspended"] == 1
    make_member(city["B"], name="乙", joined_on=D(2001, 2, 3))  # a member created with a past joining date
    assert_right(days_of_interest(D(2006, 6, 30), D(2006, 7, 1), D(2010, 3, 4), D(2010, 3, 5), D(2012, 5, 20)))


def test_transfer_between_towns(city: dict[str, Organization]) -> None:
    m = make_member(city["A"], name="甲")
    read_today()
    member_record_event(m, kind="transferred", on=D(2015, 3, 1), org=city["E"])
    assert stats.structure_counts(city["T1"], D(2015, 2, 28))["total"] == 1
    assert stats.structure_counts(city["T1"], D(2015, 3, 1))["total"] == 0
    assert stats.structure_counts(city["T2"], D(2015, 3, 1))["total"] == 1
    assert stats.structure_counts(city["C"], D(2015, 3, 1))["total"] == 1
    member_record_event(m, kind="transferred_out", on=D(2019, 1, 1))
    assert stats.structure_counts(city["C"], TODAY)["total"] == 0
    assert_right()


def test_organization_moved_between_parents_at_a_date(city: dict[str, Organization]) -> None:
    make_member(city["A"], name="甲")
    make_member(city["A"], name="乙", sex="F")
    read_today()
    stats.structure_counts(city["T2"], D(2016, 8, 8))
    org_move(city["A"], parent=city["T2"], on=D(2015, 3, 1))
    assert stats.structure_counts(city["T1"], D(2015, 2, 28))["total"] == 2
    assert stats.structure_counts(city["T1"], D(2015, 3, 1))["total"] == 0
    assert stats.structure_counts(city["T2"], D(2016, 8, 8))["total"] == 2
    assert stats.structure_counts(city["C"], D(2016, 8, 8))["total"] == 2
    assert stats.structure_counts(Organization.objects.get(code="A"), D(2016, 8, 8))["female"] == 1
    assert_right()


def test_merge_revoke_upgrade_and_rename(city: dict[str, Organization]) -> None:
    make_member(city["A"], name="甲")
    make_member(city["B"], name="乙")
    read_today()
    org_rename(city["T1"], name="甲镇新党委", on=D(2011, 1, 1))
    org_upgrade(Organization.objects.get(code="E"), on=D(2012, 1, 1))
    org_merge(Organization.objects.get(code="B"), into=Organization.objects.get(code="A"), on=D(2014, 1, 1))
    a = Organization.objects.get(code="A")
    assert stats.structure_counts(a, D(2014, 1, 1))["total"] == 2
    assert stats.structure_counts(Organization.objects.get(code="B"), D(2014, 1, 1))["total"] == 0
    org_revoke(a, on=D(2016, 1, 1), members_to=Organization.objects.get(code="E"))
    assert stats.structure_counts(Organization.objects.get(code="T2"), D(2016, 1, 1))["total"] == 2
    assert_right(days_of_interest(D(2013, 12, 31), D(2014, 1, 1), D(2015, 12, 31), D(2016, 1, 1)))


def test_fixed_attribute_change_moves_every_period(city: dict[str, Organization]) -> None:
    m = make_member(city["A"], name="甲", birth=D(1980, 3, 4))
    member_record_event(m, kind="transferred", on=D(2010, 1, 1), org=city["E"])
    read_today()
    stats.structure_counts(city["C"], D(2008, 8, 8))
    born = D(1950, 5, 6)
    m = member_update(Member.objects.get(pk=m.pk), sex="F", ethnicity="彝族", birth_date=born,
                      id_number=idnumber.make("530522", born, 77))
    for day in (D(2008, 8, 8), TODAY):
        c = stats.structure_counts(city["C"], day)
        assert (c["male"], c["female"], c["han"], c["minority"]) == (0, 1, 0, 1)
    assert stats.structure_counts(city["C"], TODAY)["age_over_60"] == 1
    assert_right()


@pytest.mark.parametrize("day,band", [
    (D(2020, 2, 28), "age_55_60"), (D(2020, 2, 29), "age_over_60"), (D(2020, 3, 1), "age_over_60"),
    (D(2019, 2, 28), "age_55_60"), (D(2021, 2, 27), "age_over_60"), (D(2021, 2, 28), "age_over_60"),
])
def test_age_band_on_29_february_birthdays(city: dict[str, Organization], day: dt.date, band: str) -> None:
    make_member(city["A"], name="闰", birth=D(1960, 2, 29), joined_on=D(2001, 1, 1), converted_on=D(2002, 1, 1))
    make_member(city["A"], name="平", birth=D(1959, 2, 28), joined_on=D(2001, 1, 1), converted_on=D(2002, 1, 1))
    read_today()
    counts = stats.structure_counts(city["C"], day)
    assert counts == stats.structure_counts_scan(city["C"], day)
    assert counts[band] >= 1
    assert counts["age_55_60"] + counts["age_over_60"] == 2


def test_bulk_creation_writes_the_rollups_in_one_go(city: dict[str, Organization]) -> None:
    read_today()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), creating_in_bulk(size=50):
        for i in range(40):
            born = D(1960 + i % 30, 1 + i % 12, 1 + i % 28)
            member_create(name=f"批{i}", sex="MF"[i % 2], birth_date=born, id_number=idnumber.make("530522", born, i),
                          education="bachelor", occupation="farmer", org=city["AB"[i % 2]],
                          joined_on=D(2003 + i % 10, 5, 1))
    rollup_tables = ("members_orgspan", "members_rollupdelta", "members_agedelta", "members_rollupmark",
                     "members_agemark")
    touching = [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in rollup_tables)]
    # the spans of the periods' organizations, two inserts, the marks after the earliest delta, their updates
    # (this month's marks built above: four nodes, each a figures update and an age upsert): one batch, not per member
    assert 3 <= len(touching) <= 4 + 4 * 2, touching
    assert stats.structure_counts(city["C"], TODAY)["total"] == 40
    assert_right()


def test_a_bulk_s_batches_write_their_deltas_summed_once(city: dict[str, Organization]) -> None:
    """Many batches (an import of 100,000 members writes 20): their deltas summed by node and day and written once
    at the end, one row a node and day (not one a batch), the figures the scan's."""
    read_today()
    with transaction.atomic(), creating_in_bulk(size=7):
        for i in range(40):
            born = D(1950 + i % 30, 1 + i % 12, 1 + i % 28)
            member_create(name=f"批{i}", sex="MF"[i % 2], birth_date=born, id_number=idnumber.make("530522", born, i),
                          education="bachelor", occupation="farmer", org=city["AB"[i % 2]],
                          joined_on=D(2003 + i % 3, 5, 1), status="full" if i % 4 else "probationary",
                          converted_on=D(2004 + i % 3, 5, 1) if i % 4 else None)
    keys = list(RollupDelta.objects.values_list("node_id", "day"))
    assert keys and len(keys) == len(set(keys))  # one row a node and day across the 6 batches
    assert stats.structure_counts(city["C"], TODAY)["total"] == 40
    assert_right()


def test_a_read_is_a_few_queries(city: dict[str, Organization], django_assert_max_num_queries: Any) -> None:
    for i in range(5):
        make_member(city["AB"[i % 2]], name=f"甲{i}")
    stats.structure_counts(city["C"], TODAY)
    with django_assert_max_num_queries(2):  # the figures (mark + the month's deltas), the age bands
        stats.structure_counts(city["C"], TODAY)
    with django_assert_max_num_queries(12):  # the mark of a new month built on the way
        stats.structure_counts(city["C"], D(2011, 4, 4))


def test_verify_and_rebuild_rollups(city: dict[str, Organization], capsys: Any) -> None:
    make_member(city["A"], name="甲")
    assert main(["verify-rollups", "--date", "2010-01-01"]) == 0
    assert "rollups right" in capsys.readouterr().out
    RollupDelta.objects.create(node=city["T1"], day=D(2009, 6, 1), total=1, female=1)
    assert main(["verify-rollups", "--org", "C", "--date", "2010-01-01"]) == 1
    out = capsys.readouterr().out
    assert "T1 2010-01-01 total: rollups 2, periods 1" in out and "T1 2010-01-01 female: rollups 1, periods 0" in out
    assert "A 2010-01-01" not in out
    assert main(["rebuild-rollups", "--org", "T1"]) == 0
    assert main(["verify-rollups"]) == 0
    assert main(["rebuild-rollups"]) == 0
    assert_right()
    from grassroots.core.models import AuditEntry  # the repairs are logged (and move the kept pages' mark)

    assert list(AuditEntry.objects.filter(action="rollups.rebuilt").order_by("id").values_list(
        "object_id", "org_id", "channel")) == [("T1", city["T1"].pk, "system"), ("*", None, "system")]
    with pytest.raises(SystemExit):
        main(["verify-rollups", "--org", "NOPE"])


# --- the property: after any sequence of member events through the services, rollups == scan ------------------
@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_rollups_equal_the_scan_after_any_history(data: Any) -> None:
    with transaction.atomic(), acting(None, "system"):
        w = gen.World()
        for code, kind, parent in gen.TREE:
            org_create(code=code, name=f"{code}委", kind=kind, founded_on=gen.FOUNDED,
                       parent=gen.org(parent) if parent else None)
        for _ in range(data.draw(st.integers(1, 3))):
            gen.add_member(data, w, gen.START)
        on = gen.START
        drawn_days: set[dt.date] = {TODAY, gen.START}
        for _ in range(data.draw(st.integers(4, 18))):
            on += dt.timedelta(days=data.draw(st.sampled_from([0, 1, 30, 200, 365, 400])))
            step = data.draw(st.sampled_from(["member", "member", "member", "org", "join", "read", "fix"]))
            if step == "read":  # marks built now must be moved by every later (backdated) write
                day = data.draw(st.sampled_from([TODAY, on, on + dt.timedelta(days=45)]))
                stats.structure_counts(gen.org(data.draw(st.sampled_from([c for c, _, _ in gen.TREE]))), day)
                drawn_days.add(day)
            elif step == "fix":
                pk = data.draw(st.sampled_from(sorted(w.members)))
                m = Member.objects.get(pk=pk)
                born = data.draw(st.sampled_from([m.birth_date, *gen.LEAP_BIRTHS, D(1975, 12, 31)]))
                member_update(m, sex=data.draw(st.sampled_from("MF")),
                              ethnicity=data.draw(st.sampled_from(gen.ETHNICITIES)), birth_date=born,
                              id_number=idnumber.make("110105", born, 500 + pk % 400))
            elif step == "org":
                gen.org_step(data, w, on)
            elif step == "join" or not any(not s["dead"] for s in w.members.values()):
                gen.add_member(data, w, on)
            else:
                gen.member_step(data, w, on)
            drawn_days |= {on, on - dt.timedelta(days=1)}
        sample = data.draw(st.lists(st.sampled_from(sorted(drawn_days)), min_size=2, max_size=6, unique=True))
        for day in sorted({*sample, TODAY}):
            for code, _, _ in gen.TREE:
                o = gen.org(code)
                assert stats.structure_counts(o, day) == stats.structure_counts_scan(o, day), f"{code} on {day}"
        transaction.set_rollback(True)


def _a_committee_and_its_member() -> tuple[Organization, Member]:
    with acting(None, "system"):
        c = org_create(code="C", name="市委", kind="committee", founded_on=FOUNDED)
        a = org_create(code="A", name="甲一支部", kind="branch", founded_on=FOUNDED, parent=c)
        m = make_member(a, name="甲")
    return c, m


def _while_a_write_is_open(member: Member, action: Callable[[], Any]) -> Any:
    """Run `action` on a connection of its own while another holds a write of `member` open (a mobile_out dated
    2010-01-01, committed a second after `action` started); its result once both have ended."""
    import threading
    import time

    written, out = threading.Event(), {}

    def write() -> None:
        try:
            with acting(None, "system"), transaction.atomic():
                member_record_event(Member.objects.get(pk=member.pk), kind="mobile_out", on=D(2010, 1, 1))
                written.set()
                time.sleep(1.0)  # the action starts meanwhile
        finally:
            connection.close()

    def run() -> None:
        try:
            out["result"] = action()
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    assert written.wait(10)
    other = threading.Thread(target=run)
    other.start()
    writer.join()
    other.join()
    return out["result"]


@pytest.mark.django_db(transaction=True)
def test_a_mark_built_while_a_write_is_under_way_waits_for_its_commit() -> None:
    """PostgreSQL: the reader building a mark takes the node's exclusive advisory lock, which waits for the writer
    holding its shared one; without it the mark would miss the delta committed after it was built."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory locks are PostgreSQL's (SQLite has one writer at a time)")
    c, m = _a_committee_and_its_member()
    counts = _while_a_write_is_open(m, lambda: stats.structure_counts(Organization.objects.get(pk=c.pk), TODAY))
    assert counts["mobile"] == 1
    assert stats.structure_counts(c, TODAY) == stats.structure_counts_scan(c, TODAY)
    assert RollupMark.objects.filter(node=c, month=TODAY.replace(day=1), mobile=1).exists()


# --- the marks built ahead (rollups.build_marks, the nightly task, `grassroots rollup-marks`) -------------------
MONTH = D(2012, 5, 1)
BANDS = {"young": (D(1985, 12, 31), None), "middle": (D(1955, 12, 31), D(1985, 12, 31)), "old": (None, D(1955, 12, 31))}


def marks_of(month: dt.date) -> tuple[dict[int, tuple[int, ...]], set[tuple[int, dt.date, int]]]:
    """The month's marks of every node: the figures by node, the age marks' rows."""
    figures = {row[0]: tuple(row[1:]) for row in RollupMark.objects.filter(month=month).values_list("node_id", *FIGURES)}
    return figures, set(AgeMark.objects.filter(month=month).values_list("node_id", "birth_date", "n"))


def assert_marks_read_right(days: list[dt.date]) -> None:
    """figures and born_between from the marks equal their sums of every delta up to the day."""
    for node in Organization.objects.values_list("pk", flat=True):
        for day in days:
            assert rollups.figures(node, day) == rollups.figures(node, day, marks=False), (node, day)
            assert rollups.born_between(node, day, BANDS) == rollups.born_between(node, day, BANDS, marks=False)


def test_marks_built_ahead_equal_those_a_read_builds(city: dict[str, Organization]) -> None:
    make_member(city["A"], name="甲", joined_on=D(2005, 7, 1), birth=D(1950, 3, 4))
    make_member(city["B"], name="乙", joined_on=D(2012, 4, 30), sex="F", status="probationary",
                converted_on=None)  # the last day before the month
    make_member(city["E"], name="丙", joined_on=D(2012, 5, 10), birth=D(1990, 2, 28),
                status="probationary", converted_on=None)  # within the month
    stats.structure_counts(city["C"], D(2010, 1, 15))  # an earlier mark for C
    # last month's marks for some nodes (built in one statement from them), none for the others (one by one)
    assert rollups.build_marks(D(2012, 4, 1), nodes=[city[code].pk for code in ("C", "T2", "B", "E")]) == 4
    nodes = Organization.objects.count()
    assert rollups.build_marks(MONTH) == nodes
    ahead = marks_of(MONTH)
    assert set(ahead[0]) == set(Organization.objects.values_list("pk", flat=True))
    assert ahead[0][city["C"].pk][FIGURES.index("total")] == 2 and ahead[0][city["E"].pk][FIGURES.index("total")] == 0
    RollupMark.objects.filter(month=MONTH).delete()
    AgeMark.objects.filter(month=MONTH).delete()
    for node in ahead[0]:
        rollups._build_mark(node, MONTH)  # what the first read of the month would build
    assert marks_of(MONTH) == ahead
    assert_marks_read_right([MONTH, D(2012, 5, 9), D(2012, 5, 10), D(2012, 5, 31)])
    assert rollups.build_marks(MONTH) == 0  # nothing left to build
    assert marks_of(MONTH) == ahead


def test_a_backdated_write_after_the_marks_are_built_moves_them(city: dict[str, Organization]) -> None:
    m = make_member(city["A"], name="甲", joined_on=D(2005, 7, 1), status="probationary", converted_on=None)
    nodes = Organization.objects.count()
    assert rollups.build_marks(D(2012, 4, 1)) == rollups.build_marks(MONTH) == rollups.build_marks() == nodes
    member_record_event(m, kind="converted", on=D(2006, 7, 1))  # dated years before both months' marks
    member_record_event(m, kind="suspended", on=D(2012, 4, 10))  # within the month before it
    member_record_event(m, kind="mobile_out", on=D(2012, 5, 20))  # within the month marked in the past
    make_member(city["B"], name="乙", joined_on=D(2001, 2, 3))  # created with a past joining date
    c = stats.structure_counts(city["C"], D(2012, 5, 20))
    assert (c["total"], c["full"], c["mobile"], c["suspended"]) == (2, 2, 1, 1)
    assert RollupMark.objects.get(node=city["C"], month=MONTH).full == 2  # moved, not built again
    assert rollups.build_marks(MONTH) == rollups.build_marks() == 0
    assert_marks_read_right([D(2012, 4, 9), D(2012, 4, 10), MONTH, D(2012, 5, 20), TODAY.replace(day=1), TODAY])
    assert_right(days_of_interest(D(2006, 7, 1), D(2012, 4, 10), D(2012, 5, 19), D(2012, 5, 20)))


def test_the_current_month_built_ahead_spares_the_read(city: dict[str, Organization],
                                                       django_assert_max_num_queries: Any) -> None:
    for i in range(4):
        make_member(city["AB"[i % 2]], name=f"甲{i}", joined_on=D(2010, 1, 1) + dt.timedelta(days=400 * i),
                    status="probationary", converted_on=None)
    assert rollups.build_marks(nodes=[city["A"].pk, city["T1"].pk]) == 2  # only the nodes given
    assert rollups.build_marks() == Organization.objects.count() - 2
    assert not RollupMark.objects.filter(month__gt=TODAY.replace(day=1)).exists()
    with django_assert_max_num_queries(2):  # the figures (mark + the month's deltas), the age bands: nothing built
        counts = stats.structure_counts(city["C"], TODAY)
    assert counts == stats.structure_counts_scan(city["C"], TODAY)
    with pytest.raises(ValueError, match="after the current one"):  # no read would ever start from it
        rollups.build_marks(TODAY.replace(day=1) + dt.timedelta(days=31))


def test_the_nightly_build_queues_itself_once_for_the_next_night(city: dict[str, Organization],
                                                                  settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from grassroots.members.tasks import build_rollup_marks_nightly

    make_member(city["A"], name="甲")
    assert not rollups.ensure_nightly_marks()  # the tests' queue runs tasks at once: it cannot wait for the night
    committees = Organization.objects.filter(numchild__gt=0)
    assert 0 < committees.count() < Organization.objects.count()
    assert build_rollup_marks_nightly.enqueue().return_value == committees.count()  # the branches: on their read
    assert set(RollupMark.objects.filter(month=TODAY.replace(day=1)).values_list("node_id", flat=True)) == set(
        committees.values_list("pk", flat=True))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert rollups.ensure_nightly_marks() and not rollups.ensure_nightly_marks()
    path = "grassroots.members.tasks.build_rollup_marks_nightly"
    waiting = DBTaskResult.objects.get(task_path=path)
    assert waiting.run_after == rollups.next_marks_run()
    assert timezone.localtime(waiting.run_after).hour == 1 and waiting.run_after > timezone.now()
    waiting.delete()
    assert build_rollup_marks_nightly.call() == 0  # the run the worker makes: nothing left, the next one queued
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    assert build_rollup_marks_nightly.call() == 0
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1  # still one waiting


def test_the_next_night_is_today_until_its_hour(settings: Any) -> None:
    from grassroots.core.nightly import next_night

    tz = timezone.get_current_timezone()
    before = dt.datetime(2026, 12, 31, 0, 30, tzinfo=tz)
    assert next_night(1, before) == dt.datetime(2026, 12, 31, 1, tzinfo=tz)  # the first night of January: 1 January
    assert next_night(1, before.replace(hour=1)) == dt.datetime(2027, 1, 1, 1, tzinfo=tz)
    assert rollups.next_marks_run(before.replace(hour=23)) == dt.datetime(2027, 1, 1, 1, tzinfo=tz)
    settings.GRASSROOTS_ROLLUP_MARKS_HOUR = 3
    assert rollups.next_marks_run(before) == dt.datetime(2026, 12, 31, 3, tzinfo=tz)


def test_the_rollup_marks_verb(city: dict[str, Organization], capsys: Any) -> None:
    make_member(city["A"], name="甲", joined_on=D(2005, 7, 1))
    nodes = Organization.objects.filter(numchild__gt=0).count()  # the committees', as the worker builds
    assert main(["rollup-marks"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{nodes} marks of {TODAY:%Y-%m} built in ") and "queued" not in out
    assert main(["rollup-marks"]) == 0
    assert capsys.readouterr().out.startswith(f"0 marks of {TODAY:%Y-%m} built in ")
    assert main(["rollup-marks", "--month", "2012-05"]) == 0
    assert capsys.readouterr().out.startswith(f"{nodes} marks of 2012-05 built in ")
    assert RollupMark.objects.get(node=city["C"], month=MONTH).total == 1
    assert main(["rollup-marks", "--month", "2012-05", "--every-node"]) == 0  # and the branches'
    assert capsys.readouterr().out.startswith(f"{Organization.objects.count() - nodes} marks of 2012-05 built in ")
    with pytest.raises(SystemExit):
        main(["rollup-marks", "--month", "2012-13"])
    future = TODAY.replace(day=1) + dt.timedelta(days=62)
    with pytest.raises(SystemExit, match="after the current one"):
        main(["rollup-marks", "--month", f"{future:%Y-%m}"])


@pytest.mark.django_db(transaction=True)
def test_marks_built_ahead_while_a_write_is_under_way_wait_for_its_commit() -> None:
    """PostgreSQL: `build_marks` (here its batch, from last month's marks) takes the nodes' exclusive locks, so the
    marks it builds hold the delta of a write that was under way."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory locks are PostgreSQL's (SQLite has one writer at a time)")
    c, m = _a_committee_and_its_member()
    month = TODAY.replace(day=1)
    assert rollups.build_marks((month - dt.timedelta(days=1)).replace(day=1)) == 2
    assert _while_a_write_is_open(m, rollups.build_marks) == 2
    assert RollupMark.objects.get(node=c, month=month).mobile == 1
    assert stats.structure_counts(c, TODAY) == stats.structure_counts_scan(c, TODAY)
