"""The organization import page, its template, an organization's territory page and the sub-organization form's
place field."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.orgs import importer
from grassroots.orgs.models import Organization, Territory, TerritoryChange
from grassroots.orgs.selectors import holder_of
from grassroots.orgs.services import territory_create, territory_hold
from grassroots.ui.testing import client_as, counts, import_confirm, import_job_of, import_upload

from .test_importer import ORG_HEADERS, PLACE_HEADERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(sheets: list[tuple[str, list[list[Any]]]], name: str = "tree.xlsx") -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


@pytest.fixture
def places(cast: Cast) -> dict[str, Territory]:
    """The street S's own place ST with two communities: SC1 held through S, SC2 given to branch B."""
    with acting(None, "system"):
        st = territory_create(code="ST", name="某街道", kind="street")
        territory_hold(st, holder=cast.street, on=dt.date(2001, 1, 1))
        sc1 = territory_create(code="SC1", name="东社区", kind="community", parent=st)
        sc2 = territory_create(code="SC2", name="西社区", kind="community", parent=st, on=dt.date(2005, 1, 1))
        territory_hold(sc2, holder=cast.branch_b, on=dt.date(2005, 1, 1))
    return {"ST": st, "SC1": sc1, "SC2": sc2}


# --- the import page -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("street_admin", 200), ("secretary", 200),
                                              ("outsider", 200), ("auditor", 403), ("member", 403)])
def test_who_may_open_the_import_page(cast: Cast, role: str, status: int) -> None:
    client = client_as(cast, role)
    assert client.get("/import/orgs/").status_code == status
    assert client.get("/import/orgs/template.xlsx").status_code == status
    nav = client.get("/orgs/").content.decode()
    assert ('href="/import/orgs/"' in nav) == (status == 200), role


def test_the_import_page_needs_a_login(cast: Cast) -> None:
    response = client_as(cast, "anonymous").post("/import/orgs/", {})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_dry_run_then_confirm_as_the_organizer(cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    before = counts()
    file = upload([("组织", [["第一批"], ORG_HEADERS, ["D", "第三支部", "党支部", "G", "2019-01-05"],
                             ["D1", "第一党小组", "党小组", "D", "2019-02-01"]])])
    response = import_upload(client, "/import/orgs/", file)
    assert response.status_code == 200 and counts() == before
    html = response.content.decode()
    assert 'id="import-preview"' in html and 'id="confirm-import"' in html and 'id="header-row"' in html
    assert [r["code"] for r in response.context["rows"]] == ["D", "D1"]
    assert [r["action_label"] for r in response.context["rows"]] == ["Create", "Create"]  # the flow's words
    assert '<span class="badge ok">Create</span>' in html
    done = import_confirm(client, response)
    assert done.status_code == 200 and 'href="/orgs/" id="done-link"' in done.content.decode()
    assert "Imported: 2 organizations and 0 places created" in done.content.decode()
    d = Organization.objects.get(code="D")
    assert d.get_parent() == cast.general and Organization.objects.get(code="D1").get_parent() == d
    entry = AuditEntry.objects.filter(action="org.create").order_by("-id").first()
    assert entry is not None and (entry.channel, entry.actor_id) == ("import", cast.street_admin.pk)
    # The job is done and its file deleted: confirming again writes nothing.
    after = counts()
    assert import_confirm(client, response).status_code == 200
    assert counts() == after


def test_errors_are_shown_by_row_and_column_and_nothing_can_be_confirmed(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    file = upload([("组织", [ORG_HEADERS, ["A2", "第二党小组", "党小组", "A", "2019-01-05"],
                             ["D", "第三支部", "党支部", "G", "2019-01-05"]])])
    before = counts()
    response = import_upload(client, "/import/orgs/", file)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="import-errors"' in html and 'id="confirm-import"' not in html
    assert [(e.row, e.column) for e in import_job_of(response).lines.filter(kind="error")] == [(3, "上级组织代码")]
    assert "no organization with the code G" in html
    assert counts() == before


def test_the_secretary_imports_below_the_branch(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    file = upload([("组织", [ORG_HEADERS, ["A2", "第二党小组", "党小组", "A", "2019-01-05"]])])
    assert import_confirm(client, import_upload(client, "/import/orgs/", file)).status_code == 200
    assert Organization.objects.get(code="A2").get_parent() == cast.branch_a


def test_the_template_reads_back_as_an_empty_import(cast: Cast, tmp_path: Path) -> None:
    response = client_as(cast, "street_admin").get("/import/orgs/template.xlsx")
    assert response["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["组织", "地域"] and len(wb.sheetnames) == 3
    assert [c.value for c in wb["组织"][1]] == ORG_HEADERS
    assert [c.value for c in wb["地域"][1]] == PLACE_HEADERS
    help_text = " ".join(str(c.value) for row in wb.worksheets[2].iter_rows() for c in row if c.value)
    for word in ("党工委", "党总支", "党小组", "general_branch", "村民小组", "网格", "2019年1月5日", "20190105"):
        assert word in help_text, word
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    with acting(cast.street_admin, "web"):
        plan = importer.plan_import(path, path.name)
    assert plan.ok and plan.rows == [] and plan.sheet is not None and plan.place_sheet is not None


# --- an organization's territory ---------------------------------------------------------------------------------

def test_the_territory_page_for_readers(cast: Cast, places: dict[str, Territory]) -> None:
    html = client_as(cast, "street_admin").get("/orgs/S/").content.decode()
    assert 'href="/orgs/S/territory/"' in html
    assert "/orgs/A1/territory/" not in client_as(cast, "street_admin").get("/orgs/A1/").content.decode()  # a group
    response = client_as(cast, "auditor").get("/orgs/S/territory/")
    assert response.status_code == 200 and response.context["form"] is None
    rows = {r["place"].code: r for r in response.context["rows"]}
    assert list(rows) == ["ST", "SC1", "SC2"]
    assert rows["SC2"]["holder"] == cast.branch_b and rows["SC1"]["holder"] == cast.street
    assert rows["SC2"]["since"] == dt.date(2005, 1, 1) and rows["ST"]["since"] is None
    response = client_as(cast, "secretary").get("/orgs/B/territory/")
    assert response.status_code == 404  # B is outside the secretary's scope
    assert client_as(cast, "outsider").get("/orgs/S/territory/").status_code == 404
    assert [r["place"].code for r in client_as(cast, "street_admin").get("/orgs/B/territory/").context["rows"]] == [
        "SC2"]


def test_an_organizer_adds_a_place(cast: Cast, places: dict[str, Territory]) -> None:
    client = client_as(cast, "street_admin")
    response = client.post("/orgs/S/territory/", {"step": "add", "parent": "SC1", "code": "SC1-G1", "name": "一网格",
                                                   "kind": "grid", "since": "2020/3/1"})
    assert response.status_code == 302
    grid = Territory.objects.get(code="SC1-G1")
    assert grid.get_parent() == places["SC1"] and holder_of(grid, dt.date(2021, 1, 1)) == cast.street
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and (entry.action, entry.channel, entry.actor_id) == (
        "territory.create", "web", cast.street_admin.pk)
    response = client.post("/orgs/S/territory/", {"step": "add", "parent": "SC1", "code": "SC1-G1", "name": "重复",
                                                   "kind": "grid"})
    assert response.status_code == 400 and "already used" in response.content.decode()
    before = (counts(), TerritoryChange.objects.count())
    assert client_as(cast, "auditor").post("/orgs/S/territory/", {"step": "add", "parent": "SC1", "code": "Z",
                                                                   "name": "z",
                                                                   "kind": "grid"}).status_code == 403
    assert (counts(), TerritoryChange.objects.count()) == before


# --- the sub-organization form's place -------------------------------------------------------------------------

def test_a_sub_organization_takes_a_free_place(cast: Cast, places: dict[str, Territory]) -> None:
    client = client_as(cast, "street_admin")
    form = client.get("/orgs/S/children/add/").context["form"]
    assert [code for code, _label in form.fields["territory"].choices] == ["", "SC1"]  # SC2 is B's, ST is S's
    # A place not offered (given to B) is refused by the form.
    response = client.post("/orgs/S/children/add/", {"code": "E", "name": "x", "kind": "branch",
                                                     "founded_on": "2019-01-05", "territory": "SC2"})
    assert response.status_code == 200 and not Organization.objects.filter(code="E").exists()
    assert response.context["form"].errors["territory"]
    response = client.post("/orgs/S/children/add/", {"code": "D", "name": "东社区党支部", "kind": "branch",
                                                     "founded_on": "2019-01-05", "territory": "SC1"})
    assert response.status_code == 302
    d = Organization.objects.get(code="D")
    assert d.territory == places["SC1"] and holder_of(places["SC1"], dt.date(2019, 1, 5)) == d
    assert holder_of(places["SC1"], dt.date(2019, 1, 4)) == cast.street
    assert "territory" not in client.get("/orgs/S/children/add/").context["form"].fields  # none free now
    assert "territory" not in client.get("/orgs/G/children/add/").context["form"].fields  # G holds no place


def test_an_organizer_gives_a_place_to_a_branch(cast: Cast, places: dict[str, Territory]) -> None:
    client = client_as(cast, "street_admin")
    form = client.get("/orgs/S/territory/").context["hold_form"]
    assert {c for c, _l in form.fields["holder"].choices} == {"", "S", "G", "A", "B"}  # no party group
    response = client.post("/orgs/S/territory/", {"step": "hold", "hold-place": "SC1", "hold-holder": "A",
                                                   "hold-date": "2020-03-01"})
    assert response.status_code == 302
    assert holder_of(places["SC1"], dt.date(2020, 3, 1)) == cast.branch_a
    assert holder_of(places["SC1"], dt.date(2020, 2, 29)) == cast.street
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and (entry.action, entry.channel, entry.actor_id) == (
        "territory.hold", "web", cast.street_admin.pk)
    response = client.post("/orgs/S/territory/", {"step": "hold", "hold-place": "SC1", "hold-holder": "",
                                                   "hold-date": "2020-01-01"})
    assert response.status_code == 400 and "date order" in response.content.decode()
    before = (counts(), TerritoryChange.objects.count())
    response = client_as(cast, "auditor").post("/orgs/S/territory/", {"step": "hold", "hold-place": "SC1",
                                                                       "hold-holder": "B", "hold-date": "2021-01-01"})
    assert response.status_code == 403 and (counts(), TerritoryChange.objects.count()) == before


def test_the_page_s_holders_are_holder_of_s(cast: Cast, places: dict[str, Territory]) -> None:
    """`holders_of` (the page's few queries) answers as `holder_of` (one place at a time) does: given places,
    own places, a place shared by two branches (their general branch), places below that inherit, a party group's."""
    from grassroots.orgs.models import Organization as Org
    from grassroots.orgs.selectors import holders_of

    with acting(None, "system"):
        g1 = territory_create(code="SC1-1", name="一组", kind="villager_group", parent=places["SC1"])
        grid = territory_create(code="SC2-G", name="网格", kind="grid", parent=places["SC2"], on=dt.date(2010, 1, 1))
        Org.objects.filter(code__in=["A", "B"]).update(territory=places["SC1"])
        Org.objects.filter(code="A1").update(territory=g1)  # a party group holds nothing
    everything = [places["ST"], places["SC1"], g1, places["SC2"], grid]
    for day in (dt.date(2003, 1, 1), dt.date(2008, 1, 1), dt.date(2012, 1, 1), dt.date(2024, 1, 1)):
        assert holders_of(everything, day) == {p.pk: holder_of(p, day) for p in everything}, day
    assert holders_of(everything, dt.date(2024, 1, 1))[g1.pk] == cast.general
    # A list that starts below the top still inherits from above it.
    assert holders_of([grid, g1], dt.date(2024, 1, 1)) == {grid.pk: cast.branch_b, g1.pk: cast.general}
