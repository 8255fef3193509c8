"""Households' pages (bounded queries, masked phones and ID numbers, special fields only where switched on, the
audited reveal, the grid worker's place page, .xlsx export), the API, and the import of a dirty register."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conftest import cast_places
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.households import importer, services
from grassroots.households.models import Household, Person, Situation
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db
D = dt.date
ID = idnumber.make("530522", D(1958, 7, 1), 21)


def _households(cast: Any, n: int = 6) -> list[Household]:
    places = cast_places(cast)
    made = []
    with acting(None, "system"):
        for i in range(n):
            h = services.household_create(territory=places.grid_a if i % 2 else places.grid_a2, head_name=f"户主{i}",
                                          registered_on=D(2019, 1, 2), phone=f"1390000{i:04d}",
                                          head={"id_number": idnumber.make("530522", D(1960, 1, 1), i + 1)})
            services.person_add(household=h, name=f"配偶{i}", relation="10", joined_on=D(2019, 1, 2))
            services.situation_start(h, kind="difficult" if i % 3 else "low_income", started_on=D(2020, 1, 1))
            made.append(h)
        services.household_create(territory=places.grid_c, head_name="外人", phone="13911112222")
    return made


def test_org_list_counts_filters_export_and_ceiling(cast: Any, django_assert_max_num_queries: Any) -> None:
    _households(cast)
    client = client_as(cast, "secretary")
    url = reverse("household-org", args=["A"])
    with django_assert_max_num_queries(30):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="household-count">6<' in text and 'id="person-count">12<' in text
    assert "外人" not in text and "13900000001" not in text and "139****0001" in text
    assert text.count('data-kind="difficult"') == 1
    page = client.get(url, {"situation": "low_income"})
    assert 'id="household-count">2<' in page.content.decode()
    page = client.get(url, {"as_of": "2018-12-31"})
    assert 'id="household-count">0<' in page.content.decode()  # before the households came
    sheet = client.get(url, {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(sheet.content))
    values = " ".join(str(c.value) for row in wb.active.iter_rows() for c in row)
    assert "户主1" in values and "13900000001" not in values
    persons = client.get(reverse("household-persons-export", args=["A"]))
    values = " ".join(str(c.value) for row in load_workbook(io.BytesIO(persons.content)).active.iter_rows()
                      for c in row)
    assert "配偶1" in values and idnumber.make("530522", D(1960, 1, 1), 2) not in values


def test_grid_worker_place_page_detail_reveal_and_forms(cast: Any, django_assert_max_num_queries: Any) -> None:
    made = _households(cast)
    places = cast_places(cast)
    client = client_as(cast, "grid_worker")
    assert client.get(reverse("household-org", args=["A"])).status_code == 404  # no organization
    with django_assert_max_num_queries(30):
        page = client.get(reverse("household-place", args=[places.grid_a.pk]))
    assert page.status_code == 200 and 'id="household-count">3<' in page.content.decode()
    assert client.get(reverse("household-place", args=[places.grid_a2.pk])).status_code == 404
    mine = next(h for h in made if h.territory_id == places.grid_a.pk)
    other = next(h for h in made if h.territory_id == places.grid_a2.pk)
    assert client.get(reverse("household-detail", args=[other.pk])).status_code == 404
    with django_assert_max_num_queries(30):
        page = client.get(reverse("household-detail", args=[mine.pk]))
    text = page.content.decode()
    head = mine.persons.get(relation="02")
    assert page.status_code == 200 and head.id_number not in text and head.id_number_masked in text
    assert "Special population" not in text  # switched off
    before = AuditEntry.objects.filter(action="household.reveal_id_number").count()
    shown = client.post(reverse("household-person-reveal", args=[head.pk, "id_number"]))
    assert head.id_number in shown.content.decode()
    assert AuditEntry.objects.filter(action="household.reveal_id_number").count() == before + 1
    # add a person, record a situation, edit, the head leaves with a new head
    r = client.post(reverse("household-person-add", args=[mine.pk]),
                    {"name": "寸小明", "relation": "20", "sex": "M", "joined_on": "2020-02-02"})
    assert r.status_code == 302
    kid = Person.objects.get(name="寸小明")
    r = client.post(reverse("household-situation-start", args=[mine.pk]),
                    {"kind": "left_behind_child", "person": kid.pk, "started_on": "2021-01-01"})
    assert r.status_code == 302 and Situation.objects.filter(person=kid).exists()
    r = client.post(reverse("household-person-edit", args=[kid.pk]),
                    {"name": "寸小明", "relation": "22", "sex": "M", "version": kid.version + 5})
    assert r.status_code == 400  # an old version is refused
    spouse = mine.persons.get(relation="10")
    r = client.post(reverse("household-person-leave", args=[head.pk]),
                    {"on": "2024-05-05", "reason": "去世", "new_head": spouse.pk, "version": head.version})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.head_name == spouse.name
    # special fields are not accepted from a form while switched off
    r = client.post(reverse("household-person-add", args=[mine.pk]),
                    {"name": "某", "relation": "99", "special_population": "released"})
    assert r.status_code == 302 and Person.objects.get(name="某").special_population == ""


def test_special_fields_switched_on_are_masked_and_revealed(cast: Any) -> None:
    made = _households(cast, 2)
    street = client_as(cast, "street_admin")
    assert client_as(cast, "secretary").get(reverse("household-special-fields", args=["A"])).status_code == 404
    r = street.post(reverse("household-special-fields", args=["A"]), {"enabled": "on"})
    assert r.status_code == 302
    client = client_as(cast, "secretary")
    h = made[1]
    r = client.post(reverse("household-person-add", args=[h.pk]),
                    {"name": "某", "relation": "99", "special_population": "released", "health": "糖尿病"})
    assert r.status_code == 302
    p = Person.objects.get(name="某")
    assert p.health == "糖尿病"
    page = client.get(reverse("household-detail", args=[h.pk])).content.decode()
    assert "Special population" in page and "糖尿病" not in page and "●●●" in page
    shown = client.post(reverse("household-person-reveal", args=[p.pk, "health"])).content.decode()
    assert "糖尿病" in shown and AuditEntry.objects.filter(action="household.reveal_health").count() == 1


def test_api_lists_masked_creates_and_reveals(cast: Any, django_assert_max_num_queries: Any) -> None:
    _households(cast)
    places = cast_places(cast)
    client = client_as(cast, "grid_worker")
    with django_assert_max_num_queries(15):
        r = client.get("/api/households/")
    data = r.json()
    assert r.status_code == 200 and data["count"] == 3
    assert all("*" in h["phone"] for h in data["results"])
    r = client.post("/api/households/", {"place": places.grid_a.code, "head_name": "新户"},
                    content_type="application/json")
    assert r.status_code == 201
    hid = r.json()["id"]
    r = client.post("/api/households/", {"place": places.grid_a2.code, "head_name": "新户"},
                    content_type="application/json")
    assert r.status_code == 400 and "place" in r.json()  # a place outside the grid is unknown to the worker
    assert Household.objects.filter(head_name="新户").count() == 1
    r = client.post("/api/households/persons/", {"household": hid, "name": "子", "relation": "20",
                                                 "phone": "13712345678"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["phone"] != "13712345678"
    r = client.post(f"/api/households/persons/{r.json()['id']}/reveal/", {"field": "phone"},
                    content_type="application/json")
    assert r.json()["value"] == "13712345678"
    persons = client.get("/api/households/persons/", {"household": hid}).json()
    assert persons["count"] == 2 and "13712345678" not in str(persons)


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


HEADER = ["户编号", "户主", "所在网格", "门牌/地址", "姓名", "与户主关系", "性别", "身份证号", "出生日期", "联系电话",
          "情况"]


def _rows() -> list[list[Any]]:
    return [["东风一网格住户花名册（2024年）"], HEADER,
            ["", "杨永春", "T-A-G1", "1号", "杨永春", "户主", "男", ID.translate(str.maketrans("0123456789",
                                                                                  "０１２３４５６７８９")),
             "", "１３７００００１２３４", "困难户"],
            ["", "杨永春", "T-A-G1", "1号", "段玉兰", "10", "女", "", "1960-03-04", "", ""],
            ["", "杨永春", "东风一网格", "1号", "杨家明", "子", "男", "", "1985-01-01", "", "留守老人"],
            ["H-9", "", "T-A-G1", "2号", "许正", "02", "男", "", "", "", "低保户、五种人"]]


def test_import_dirty_file_dry_run_all_or_nothing_and_again(cast: Any) -> None:
    cast_places(cast)
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(_sheet(_rows()), "register.xlsx", org=cast.branch_a)
        assert plan.ok, [str(e) for e in plan.errors]
        assert plan.counts["create"] == 4 and Household.objects.count() == 0  # the dry run writes nothing
        done = importer.apply_import(plan)
        assert done.applied
    h = Household.objects.get(head_name="杨永春")
    head = h.persons.get(relation="02")
    assert head.id_number == ID and head.birth_date == D(1958, 7, 1) and head.phone == "13700001234"
    assert h.persons.count() == 3
    assert set(Situation.objects.filter(household=h).values_list("kind", flat=True)) == {"difficult",
                                                                                          "left_behind_elderly"}
    assert set(Household.objects.get(code="H-9").situations.values_list("kind", flat=True)) == {"low_income",
                                                                                                "five_kinds"}
    entries = AuditEntry.objects.count()
    with acting(cast.secretary, "web"):
        again = importer.apply_import(importer.plan_import(_sheet(_rows()), "register.xlsx", org=cast.branch_a))
    assert again.applied and again.counts == {"create": 0, "update": 0, "unchanged": 4}
    assert AuditEntry.objects.count() == entries  # the same file again writes nothing
    # a bad relation: the error names the row and the column, and nothing is written
    bad = _rows()
    bad[3][5] = "堂舅"
    bad.append(["H-10", "", "T-A-G1", "3号", "李德", "02", "男", "", "", "", ""])
    with acting(cast.secretary, "web"):
        plan = importer.apply_import(importer.plan_import(_sheet(bad), "register.xlsx", org=cast.branch_a))
    assert not plan.applied
    assert [(e.row, e.column) for e in plan.errors] == [(4, "与户主关系")]
    assert not Household.objects.filter(code="H-10").exists()
    # a place outside the organization's, and a household without a head
    other = [HEADER, ["H-11", "", "T-C-G1", "", "王", "02", "", "", "", "", ""],
             ["H-12", "", "T-A-G1", "", "赵", "20", "", "", "", "", ""]]
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(_sheet(other), "register.xlsx", org=cast.branch_a)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "所在网格"), (3, "与户主关系")]


def test_import_cli_and_web(cast: Any, tmp_path: Any) -> None:
    cast_places(cast)
    path = tmp_path / "register.xlsx"
    path.write_bytes(_sheet(_rows()).getvalue())
    assert importer.cli_run(path, org=None, dry_run=True, actor=cast.secretary) == 0
    assert Household.objects.count() == 0
    assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=cast.secretary) == 0
    assert Household.objects.count() == 2
    client = client_as(cast, "secretary")
    assert client.get(reverse("household-import", args=["A"])).status_code == 200
    assert client.get(reverse("household-import-template", args=["A"])).status_code == 200
    assert client_as(cast, "auditor").get(reverse("household-import", args=["A"])).status_code == 403


def test_a_code_with_a_nul_is_no_code_in_any_api(cast: Any) -> None:
    """PostgreSQL refuses NUL in text: `ui.api.code_param` takes it out before any lookup, so every API answers
    "unknown" (400/404), never a database error."""
    _households(cast)
    places = cast_places(cast)
    client = client_as(cast, "grid_worker")
    r = client.get("/api/households/", {"place": places.grid_a.code + "\x00"})
    assert r.status_code == 200 and r.json()["count"] == 3  # the code without its NUL is the grid's
    assert client.get("/api/households/", {"place": "\x00"}).status_code == 400
    assert client.get("/api/visits/", {"place": "\x00"}).status_code == 200
    organizer = client_as(cast, "street_admin")
    assert organizer.get("/api/households/", {"org": "\x00"}).status_code == 404
