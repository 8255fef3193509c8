"""Households' services: every change and every refusal, the head changing, situations with their dates and
as-of counts, and the special fields' switch (off: refused; on: accepted, masked, revealed with a log entry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import cast_places
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.households import relations, selectors, services
from grassroots.households.models import Household, Person, Situation

pytestmark = pytest.mark.django_db
D = dt.date


def _household(place: Any, name: str = "寸德昌", **kw: Any) -> Household:
    return services.household_create(territory=place, head_name=name, registered_on=kw.pop("on", D(2019, 1, 2)),
                                     **kw)


def test_relations_table_and_lookup() -> None:
    assert relations.RELATIONS["02"][0] == "户主" and relations.RELATIONS["12"][0] == "妻"
    assert relations.lookup("户主") == "02" and relations.lookup("2") == "02" and relations.lookup("儿子") == "20"
    assert relations.lookup("长子") == "22" and relations.lookup("非亲属") == "99"
    assert relations.lookup("堂舅") is None
    assert all(len(code) == 2 and code.isdigit() for code in relations.RELATIONS)


def test_household_persons_head_change_and_leaving(cast: Any) -> None:
    places = cast_places(cast)
    with acting(None, "system"):
        h = _household(places.grid_a, head={"sex": "M", "id_number": idnumber.make("530522", D(1950, 2, 3), 7)})
        head = h.persons.get()
        assert head.relation == "02" and head.birth_date == D(1950, 2, 3)  # from the ID number
        wife = services.person_add(household=h, name="李秀英", relation="12", sex="F", joined_on=D(2019, 1, 2))
        son = services.person_add(household=h, name="寸国华", relation="22", joined_on=D(2019, 1, 2))
        with pytest.raises(RuleError) as err:
            services.person_add(household=h, name="某", relation="02")
        assert err.value.field == "relation"
        with pytest.raises(RuleError):
            services.person_add(household=h, name="某", relation="7")
        with pytest.raises(RuleError) as err:
            services.person_add(household=h, name="某", relation="20", id_number="123")
        assert err.value.field == "id_number"
        # the head dies; the wife heads the household from that day, the old head keeps his records
        services.person_leave(head, on=D(2021, 5, 6), reason="去世", new_head=wife)
        h.refresh_from_db()
        wife.refresh_from_db()
        assert wife.relation == "02" and h.head_name == "李秀英"
        with pytest.raises(RuleError):
            services.person_leave(head, on=D(2021, 6, 1))  # left already
        with pytest.raises(RuleError):
            services.person_leave(son, on=D(2018, 1, 1))  # before joining
        with pytest.raises(RuleError):
            services.person_leave(son, on=D(2022, 1, 1), new_head=wife)  # only the head's leaving names one
        # the head changes while both live in it
        services.head_change(h, person=son, on=D(2023, 1, 1), former_relation="52")
        son.refresh_from_db()
        wife.refresh_from_db()
        assert son.relation == "02" and wife.relation == "52"
        with pytest.raises(RuleError):
            services.head_change(h, person=son, on=D(2023, 2, 1))  # already the head
        # edit with the version read; an older version is refused
        v = son.version
        services.person_edit(son, version=v, phone="13700001111", name="寸国华")
        with pytest.raises(StaleVersionError):
            services.person_edit(son, version=v, name="寸国")
        with pytest.raises(RuleError):
            services.person_edit(son, relation="20")  # the head is changed by head_change only
        services.household_edit(h, address="和顺村12号", phone="13800002222")
        services.household_move(h, territory=places.grid_a2, on=D(2024, 3, 1))
        with pytest.raises(RuleError):
            services.household_move(h, territory=places.grid_a2, on=D(2024, 4, 1))
        services.household_leave(h, on=D(2025, 1, 1), reason="迁出")
        with pytest.raises(RuleError):
            services.household_leave(h, on=D(2025, 2, 1))
    entries = AuditEntry.objects.filter(action__startswith="household.")
    actions = set(entries.values_list("action", flat=True))
    assert {"household.create", "household.person_add", "household.person_leave", "household.head_change",
            "household.person_edit", "household.edit", "household.move", "household.leave"} <= actions
    text = " ".join(str(e.changes) + e.object_repr for e in entries)
    assert "13700001111" not in text and "13800002222" not in text  # no phone in the clear


def test_as_of_counts_by_place_and_situation(cast: Any) -> None:
    places = cast_places(cast)
    with acting(None, "system"):
        h1 = _household(places.grid_a)
        services.person_add(household=h1, name="妻", relation="12", joined_on=D(2019, 1, 2))
        h2 = _household(places.grid_a2, name="尹福顺", on=D(2020, 6, 1))
        s = services.situation_start(h1, kind="difficult", started_on=D(2019, 3, 1))
        services.situation_start(h2, kind="elderly_alone", started_on=D(2020, 7, 1), person=h2.persons.get())
        services.situation_end(s, on=D(2022, 1, 1))
        services.household_leave(h2, on=D(2023, 1, 1))
        with pytest.raises(RuleError):
            services.situation_start(h1, kind="no_such_kind", started_on=D(2020, 1, 1))
        with pytest.raises(RuleError):
            services.situation_end(s, on=D(2022, 2, 1))  # ended already
    paths = selectors.org_paths(cast.branch_a)
    kinds = selectors.situation_kinds(cast.branch_a)

    def counts(day: dt.date) -> dict[str, tuple[int, int]]:
        return {c.kind.code: (c.households, c.persons) for c in selectors.situation_counts(paths, day, kinds)}

    assert selectors.households_under(paths, D(2019, 6, 1)).count() == 1
    assert selectors.persons_under(paths, D(2019, 6, 1)).count() == 2
    assert selectors.households_under(paths, D(2021, 1, 1)).count() == 2
    assert counts(D(2019, 6, 1)) == {"difficult": (1, 2)}  # a household's situation concerns its persons
    assert counts(D(2021, 1, 1)) == {"difficult": (1, 2), "elderly_alone": (1, 1)}
    assert counts(D(2022, 6, 1)) == {"elderly_alone": (1, 1)}
    assert counts(D(2023, 6, 1)) == {}
    moves = selectors.year_moves(paths, 2020, D(2026, 1, 1))
    assert (moves.came, moves.left) == (1, 0)
    assert selectors.year_moves(paths, 2023, D(2026, 1, 1)).left == 1


def test_the_grid_worker_writes_only_their_grid(cast: Any) -> None:
    places = cast_places(cast)
    with acting(places.grid_worker, "web"):
        h = _household(places.grid_a)
        with pytest.raises(PermissionDeniedError):
            _household(places.grid_a2)
        with pytest.raises(PermissionDeniedError):
            services.household_move(h, territory=places.grid_c, on=D(2024, 1, 1))
        with pytest.raises(PermissionDeniedError):
            services.special_fields_set(cast.branch_a, enabled=True)
        assert services.person_reveal(h.persons.get(), field="id_number") == ""
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        services.person_reveal(h.persons.get(), field="phone")  # an auditor reads, reveals nothing


def test_special_fields_off_refused_on_accepted_and_revealed_with_a_log(cast: Any) -> None:
    places = cast_places(cast)
    with acting(cast.secretary, "web"):
        h = _household(places.grid_a)
        with pytest.raises(RuleError) as err:
            services.person_add(household=h, name="某", relation="20", special_population="released")
        assert err.value.field == "special_population"
        with pytest.raises(PermissionDeniedError):
            services.special_fields_set(cast.branch_a, enabled=True)  # a secretary switches nothing
    with acting(cast.street_admin, "web"):
        services.special_fields_set(cast.street, enabled=True)  # the street's switch covers A below it
    assert selectors.special_fields_on(cast.branch_a) and not selectors.special_fields_on(cast.branch_c)
    with acting(cast.secretary, "web"):
        p = services.person_add(household=h, name="某", relation="20", special_population="released",
                                health="糖尿病", disability_grade="2")
        with pytest.raises(RuleError):
            services.person_edit(p, disability_grade="7")
        assert services.person_reveal(p, field="health") == "糖尿病"
    entry = AuditEntry.objects.filter(action="household.reveal_health").get()
    assert "糖尿病" not in str(entry.changes) and entry.org_id == cast.branch_a.pk
    with acting(cast.street_admin, "web"):
        services.special_fields_set(cast.branch_a, enabled=False)  # the nearest switch wins
    with acting(cast.secretary, "web"):
        assert not selectors.special_fields_on(cast.branch_a)
        with pytest.raises(RuleError):
            services.person_reveal(p, field="health")
        with pytest.raises(RuleError):
            services.person_edit(p, health="高血压")


def test_situation_review_and_findings(cast: Any) -> None:
    from grassroots.households.findings import household_findings

    places = cast_places(cast)
    with acting(None, "system"):
        h = _household(places.grid_a)
        fresh = _household(places.grid_a2, name="赵玉梅")
        s = services.situation_start(h, kind="low_income", started_on=D(2020, 1, 1))
        s2 = services.situation_start(fresh, kind="low_income", started_on=D(2020, 1, 1))
        services.situation_review(s2, on=D(2021, 6, 1))
        with pytest.raises(RuleError):
            services.situation_review(s, on=D(2019, 1, 1))  # before it started
        alone = _household(places.grid_a2, name="独居")
        services.person_leave(alone.persons.get(), on=D(2021, 1, 1), reason="去世")
    found = list(household_findings(cast.branch_a, D(2021, 12, 1)))
    late = [f for f in found if f.rule.startswith("households.situation_review_months")]
    assert [f.subject_id for f in late] == [h.pk]  # the one reviewed in June 2021 is not late
    assert late[0].due == D(2021, 1, 1)
    headless = [f for f in found if f.rule == "households.head@v1"]
    assert [f.subject_id for f in headless] == [alone.pk]
    assert Situation.objects.count() == 2 and Person.objects.filter(household=alone).count() == 1


def test_an_organization_adds_a_kind_for_its_subtree(cast: Any) -> None:
    places = cast_places(cast)
    with acting(cast.secretary, "web"):
        kind = services.situation_kind_create(cast.branch_a, code="flood_2024", name="受灾户", reviewed=True)
        with pytest.raises(RuleError):
            services.situation_kind_create(cast.branch_a, code="difficult", name="又一个")  # a default's code
        with pytest.raises(RuleError):
            services.situation_kind_create(cast.branch_a, code="x2", name="困难户")  # a default's name
        with pytest.raises(PermissionDeniedError):
            services.situation_kind_create(cast.branch_c, code="y", name="外")
        h = _household(places.grid_a)
        services.situation_start(h, kind=kind.code, started_on=D(2024, 8, 1))
    assert "flood_2024" in {k.code for k in selectors.situation_kinds_for_place(places.grid_a)}
    assert "flood_2024" not in {k.code for k in selectors.situation_kinds(cast.branch_c)}
    with acting(None, "system"):
        other = services.household_create(territory=places.grid_c, head_name="外")
        with pytest.raises(RuleError):
            services.situation_start(other, kind="flood_2024", started_on=D(2024, 8, 1))
