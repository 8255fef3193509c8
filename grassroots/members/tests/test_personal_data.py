"""Personal data past the mask (issue 13, point 5): the import's preview and errors mask phones; an ID number
held outside the user's scope gets one neutral message and the attempt is logged; a mobile member's contact is
masked in the audit log, its export, the audit API, the events API and the member page (for readers who may not
reveal it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import Cast
from grassroots.core import audit, idnumber
from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.core.models import AuditEntry
from grassroots.members import services
from grassroots.members.importer import plan_import
from grassroots.members.lifecycle_services import mobile_out
from grassroots.members.models import Member
from grassroots.ui.testing import client_as, counts, field_errors, import_upload, login

D = dt.date
NEUTRAL = "this ID number cannot be used here; ask the organizer of the committee above"
CONTACT = "13912345678"
CONTACT_MASKED = "139****5678"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path


HEADS = ["name", "sex", "birth_date", "id_number", "education", "occupation", "joined_on", "converted_on",
         "org_code", "phone"]


def row_of(m: Member, **over: Any) -> list[Any]:
    values = {"name": m.name, "sex": "男" if m.sex == "M" else "女", "birth_date": m.birth_date.isoformat(),
              "id_number": m.id_number, "education": m.education, "occupation": m.occupation,
              "joined_on": m.joined_on.isoformat(), "converted_on": m.converted_on.isoformat() if m.converted_on
              else "", "org_code": m.org.code if m.org else "A", "phone": m.phone}
    values.update(over)
    return [values[h] for h in HEADS]


def csv_file(path: Path, rows: list[list[Any]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADS)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def xlsx_upload(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADS)
    for r in rows:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile("roster.xlsx", buf.getvalue())


def attempts() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="member.duplicate_id_attempt").order_by("id"))


# --- the import's preview and errors ----------------------------------------------------------------------

def test_the_import_preview_masks_the_current_and_the_new_phone(cast: Cast) -> None:
    m = cast.member  # phone 13800138000 (the cast's)
    client = client_as(cast, "secretary")
    response = import_upload(client, "/import/members/", xlsx_upload([row_of(m, phone="13711112222")]))
    page = response.content.decode()
    assert '<tr data-action="update">' in page
    assert "13800138000" not in page and "13711112222" not in page
    assert "138****8000 → 137****2222" in page
    # nor does the job keep them in clear for its pages
    from grassroots.ui.models import ImportJobLine
    assert "13800138000" not in json.dumps([line.data for line in ImportJobLine.objects.all()])


def test_the_cli_dry_run_masks_the_phones_too(cast: Cast, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from grassroots.members.importer import cli_import

    path = csv_file(tmp_path / "m.csv", [row_of(cast.member, phone="13711112222")])
    assert cli_import(path, org_code=None, dry_run=True, actor=cast.street_admin) == 0
    out = capsys.readouterr().out
    assert "phone: 138****8000 -> 137****2222" in out and "13800138000" not in out


def test_a_bad_phone_is_masked_in_its_error(cast: Cast, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "m.csv", [row_of(cast.member, phone="1380013800x")])
    with acting(cast.secretary, "web"):
        (error,) = plan_import(path, path.name).errors
    assert error.column == "phone" and "1380013800x" not in error.message
    assert error.message == "138****800x is not a phone number"


# --- an ID number held outside the user's scope ----------------------------------------------------------

def test_an_import_row_with_an_id_number_held_elsewhere_gets_the_neutral_message(cast: Cast, tmp_path: Path) -> None:
    # member_b is in B (a sister branch), member_c in another street: the secretary of A reads neither
    path = csv_file(tmp_path / "m.csv", [row_of(cast.member_b, org_code="A", name="某人"),
                                         row_of(cast.member_c, org_code="A", name="某人")])
    with acting(cast.secretary, "web"):
        plan = plan_import(path, path.name)
    assert [(e.row, e.column, e.message) for e in plan.errors] == [(2, "id_number", NEUTRAL), (3, "id_number", NEUTRAL)]
    logged = attempts()
    assert [(e.actor_id, e.changes["extra"]["id_number"]) for e in logged] == [
        (cast.secretary.pk, cast.member_b.id_number_masked), (cast.secretary.pk, cast.member_c.id_number_masked)]
    assert all(e.org_id == cast.general.pk for e in logged)  # the organization above A: its organizer sees them
    assert not any(m.id_number in json.dumps(e.changes) for e in logged for m in (cast.member_b, cast.member_c))


def test_a_member_in_the_user_s_own_scope_is_still_named_plainly(cast: Cast, tmp_path: Path) -> None:
    # the street's organizer reads B: the row would change B's member from the wrong org, said as before
    path = csv_file(tmp_path / "m.csv", [row_of(cast.member_b, org_code="A")])
    with acting(cast.street_admin, "web"):
        plan = plan_import(path, path.name)
    assert plan.errors and NEUTRAL not in [e.message for e in plan.errors]
    assert attempts() == []


def test_adding_a_member_with_an_id_number_held_elsewhere(cast: Cast) -> None:
    c = cast.member_c
    args: dict[str, Any] = dict(name="新人", sex=c.sex, birth_date=c.birth_date, id_number=c.id_number,
                                education="bachelor", occupation="in_service", org=cast.branch_a,
                                joined_on=D(2015, 7, 1))
    before = Member.objects.count()
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as err:
        services.member_create(**args)
    assert (err.value.field, err.value.message) == ("id_number", NEUTRAL)
    assert Member.objects.count() == before
    (entry,) = attempts()
    assert (entry.actor_id, entry.channel, entry.org_id) == (cast.secretary.pk, "web", cast.general.pk)
    assert entry.changes["extra"] == {"id_number": c.id_number_masked, "org": cast.branch_a.pk}
    # the same number held inside the user's scope is said plainly, and is no attempt to log
    with acting(cast.secretary, "web"), pytest.raises(RuleError, match="already held"):
        services.member_create(**{**args, "id_number": cast.member_a2.id_number,
                                  "birth_date": cast.member_a2.birth_date, "sex": cast.member_a2.sex})
    assert len(attempts()) == 1


def test_the_add_member_page_says_the_neutral_message_and_logs_the_attempt(cast: Cast, client: Any) -> None:
    c = cast.member_c
    login(client, cast, "secretary")
    data = {"name": "张老", "sex": c.sex, "ethnicity": "汉族", "id_number": c.id_number, "birth_date": "",
            "phone": "", "education": "bachelor", "occupation": "in_service", "joined_on": "2001-07-01",
            "status": "full", "converted_on": "2002-07-01", "party_group": ""}
    before = counts()
    response = client.post("/orgs/A/members/add/", data)
    assert response.status_code == 200
    assert field_errors(response, "id_number") == [NEUTRAL]
    assert "already held" not in response.content.decode()
    after = counts()
    assert after["members"] == before["members"] and after["audit"] == before["audit"] + 1
    (entry,) = attempts()
    assert entry.actor_id == cast.secretary.pk and entry.changes["extra"]["id_number"] == c.id_number_masked
    # the secretary's own audit log does not show the attempt (it would say what the message does not)
    assert "duplicate_id_attempt" not in client.get("/audit/").content.decode()
    street = client_as(cast, "street_admin").get("/audit/?action=duplicate_id").content.decode()
    assert c.id_number_masked in street and cast.branch_a.name in street  # where the user tried to add them


def test_editing_a_member_to_an_id_number_held_elsewhere(cast: Cast) -> None:
    m, c = cast.member_a2, cast.member_c  # the secretary's own member; a member in another street
    kept = Member.objects.get(pk=m.pk)
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as err:
        services.member_update(m, version=kept.version, id_number=c.id_number, birth_date=c.birth_date, sex=c.sex)
    assert (err.value.field, err.value.message) == ("id_number", NEUTRAL)
    after = Member.objects.get(pk=m.pk)
    assert (after.id_number, after.birth_date, after.version) == (kept.id_number, kept.birth_date, kept.version)
    assert not AuditEntry.objects.filter(action="member.update").exists()
    (entry,) = attempts()
    assert (entry.actor_id, entry.channel, entry.org_id) == (cast.secretary.pk, "web", cast.general.pk)
    assert entry.changes["extra"] == {"id_number": c.id_number_masked, "org": cast.branch_a.pk}
    assert c.id_number not in json.dumps(entry.changes)
    # a number held inside the user's scope is said plainly, and is no attempt to log
    a = cast.member
    with acting(cast.secretary, "web"), pytest.raises(RuleError, match="already held"):
        services.member_update(m, version=kept.version, id_number=a.id_number, birth_date=a.birth_date, sex=a.sex)
    assert len(attempts()) == 1


def test_the_edit_page_says_the_neutral_message_and_logs_the_attempt(cast: Cast, client: Any) -> None:
    m, c = cast.member_a2, cast.member_c
    login(client, cast, "secretary")
    version = Member.objects.get(pk=m.pk).version
    before = counts()
    response = client.post(f"/members/{m.pk}/edit/", {"version": version, "name": m.name, "sex": c.sex,
                                                       "ethnicity": "汉族", "id_number": c.id_number,
                                                       "birth_date": "", "phone": "", "party_group": ""})
    assert response.status_code == 200
    assert field_errors(response, "id_number") == [NEUTRAL]
    assert c.id_number not in response.content.decode()
    assert counts()["audit"] == before["audit"] + 1
    assert Member.objects.get(pk=m.pk).id_number == m.id_number
    (entry,) = attempts()
    assert entry.actor_id == cast.secretary.pk and entry.changes["extra"]["id_number"] == c.id_number_masked


# --- a mobile member's contact -----------------------------------------------------------------------------

@pytest.fixture
def mobile(cast: Cast) -> Member:
    with acting(cast.secretary, "web"):
        mobile_out(cast.member_a2, on=D(2023, 4, 1), destination="广东省深圳市", contact=CONTACT)
        # an entry written before contacts were masked when written: the chain keeps it as it is
        audit.record("member.mobile_out", cast.member_a2, org_id=cast.branch_a.pk,
                     extra={"contact": CONTACT, "date": D(2023, 4, 1)})
    return Member.objects.get(pk=cast.member_a2.pk)


def test_a_contact_is_masked_when_the_audit_entry_is_written(cast: Cast, mobile: Member) -> None:
    first = AuditEntry.objects.filter(action="member.mobile_out").order_by("id").first()
    assert first is not None and first.changes["extra"]["contact"] == CONTACT_MASKED
    assert audit.verify_chain() is None  # the chain holds, the old entry kept as written


@pytest.mark.parametrize("role", ["auditor", "street_admin", "secretary", "admin"])
def test_the_audit_page_and_its_export_mask_a_contact(cast: Cast, mobile: Member, role: str) -> None:
    client = client_as(cast, role)
    page = client.get("/audit/").content.decode()
    assert CONTACT not in page and CONTACT_MASKED in page
    export = client.get("/audit/?format=xlsx")
    assert export.status_code == 200
    cells = [str(v) for r in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
             for v in r if v is not None]
    assert not any(CONTACT in v for v in cells) and any(CONTACT_MASKED in v for v in cells)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_the_audit_api_masks_a_contact(cast: Cast, mobile: Member, role: str) -> None:
    body = client_as(cast, role).get("/api/audit/").content.decode()
    assert CONTACT not in body and CONTACT_MASKED in body


def test_the_events_api_and_the_member_page_mask_a_contact_for_the_auditor(cast: Cast, mobile: Member) -> None:
    url = f"/api/members/{mobile.pk}/events/"
    auditor = client_as(cast, "auditor")
    events = auditor.get(url).json()
    assert [e["details"].get("contact") for e in events if e["kind"] == "mobile_out"] == [CONTACT_MASKED]
    page = auditor.get(f"/members/{mobile.pk}/").content.decode()
    assert CONTACT not in page and CONTACT_MASKED in page
    # the member's own branch keeps contact with them: its secretary may reveal, and reads it
    secretary = client_as(cast, "secretary")
    assert [e["details"].get("contact") for e in secretary.get(url).json() if e["kind"] == "mobile_out"] == [CONTACT]
    assert CONTACT in secretary.get(f"/members/{mobile.pk}/").content.decode()


def test_mask_personal_is_idempotent_and_reaches_nested_values() -> None:
    number = idnumber.make("110101", D(1980, 1, 2), 5)
    values = {"before": {"phone": "13800138000", "id_number": number}, "extra": {"contact": "微信 wq2023",
                                                                                "submitter_email": "zhang@x.cn"},
              "list": [{"phone": "13800138000"}], "mobile": True, "name": "李明"}
    once = idnumber.mask_personal(values)
    assert once == {"before": {"phone": "138****8000", "id_number": idnumber.mask(number)},
                    "extra": {"contact": "微信 **2023", "submitter_email": "z***@x.cn"},
                    "list": [{"phone": "138****8000"}], "mobile": True, "name": "李明"}
    assert idnumber.mask_personal(once) == once


def test_an_application_with_an_id_number_held_elsewhere_gets_the_neutral_message(cast: Cast) -> None:
    from grassroots.recruitment.services import candidate_apply

    def apply(user: Any, org: Any, number: str, birth: dt.date) -> Any:
        with acting(user, "web"):
            return candidate_apply(name="甲", sex="M", birth_date=birth, id_number=number, education="bachelor",
                                   occupation="in_service", org=org, applied_on=D(2024, 2, 10))

    c = cast.member_c
    with pytest.raises(RuleError) as err:  # a member in another street
        apply(cast.secretary, cast.branch_a, c.id_number, c.birth_date)
    assert (err.value.field, err.value.message) == ("id_number", NEUTRAL)
    birth = D(1990, 1, 1)
    elsewhere = idnumber.make("110101", birth, 321)
    apply(cast.outsider, cast.branch_c, elsewhere, birth)  # an open application in the other street
    with pytest.raises(RuleError) as err:
        apply(cast.secretary, cast.branch_a, elsewhere, birth)
    assert (err.value.field, err.value.message) == ("id_number", NEUTRAL)
    assert [(e.actor_id, e.changes["extra"]["id_number"]) for e in attempts()] == [
        (cast.secretary.pk, c.id_number_masked), (cast.secretary.pk, idnumber.mask(elsewhere))]
    # inside the user's scope both are said plainly
    with pytest.raises(RuleError, match="already held"):
        apply(cast.secretary, cast.branch_a, cast.member_a2.id_number, cast.member_a2.birth_date)
    apply(cast.street_admin, cast.branch_b, idnumber.make("110101", birth, 322), birth)
    with pytest.raises(RuleError, match="open application"):
        apply(cast.street_admin, cast.branch_a, idnumber.make("110101", birth, 322), birth)
    assert len(attempts()) == 2
