"""The volunteer pages: each opens for the staff, refuses outsiders, writes through the services and shows a
broken rule on its field; lists print, export and keep their queries bounded."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.ui.testing import client_as
from grassroots.volunteers import services as s
from grassroots.volunteers.models import Activity, Attendance, Correction, Participation, Volunteer

from .conftest import RESIDENT_ID, RESIDENT_PHONE, at


def test_every_page_opens_for_the_secretary(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    with acting(None, "system"):
        p = s.mark_attendance(s.sign_up(world.activity, world.resident), present=True)
    urls = [reverse(name, args=["A"]) for name in ("volunteers-home", "volunteers-people", "volunteers-activities",
                                                   "volunteers-pending", "volunteers-corrections",
                                                   "volunteers-hours", "volunteers-people-import",
                                                   "volunteers-activities-import")]
    urls += [reverse("volunteers-team", args=[world.team.pk]), reverse("volunteers-volunteer", args=[world.resident.pk]),
             reverse("volunteers-activity", args=[world.activity.pk]),
             reverse("volunteers-signin-sheet", args=[world.activity.pk]),
             reverse("volunteers-checkin", args=[world.activity.pk]),
             reverse("volunteers-activities", args=["A"]) + "?view=calendar&year=2024",
             reverse("volunteers-member", args=[cast.member.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert RESIDENT_PHONE not in text and RESIDENT_ID not in text, url
    sheet = client.get(reverse("volunteers-signin-sheet", args=[world.activity.pk])).content.decode()
    assert world.resident.display_name in sheet
    assert p.hours == Decimal("2.5")


def test_outsiders_and_the_member_are_refused(cast: Any, world: Any) -> None:
    for role in ("outsider", "member"):
        client = client_as(cast, role)
        for url in (reverse("volunteers-home", args=["A"]), reverse("volunteers-activity", args=[world.activity.pk]),
                    reverse("volunteers-volunteer", args=[world.resident.pk])):
            assert client.get(url).status_code == 404, (role, url)
            assert client.post(url, {"action": "edit"}).status_code == 404, (role, url)
    auditor = client_as(cast, "auditor")
    assert auditor.get(reverse("volunteers-people", args=["A"])).status_code == 200
    before = Volunteer.objects.count()
    response = auditor.post(reverse("volunteers-people", args=["A"]), {"name": "审计", "registered_on": "2024-01-01"})
    assert response.status_code == 403 and Volunteer.objects.count() == before


def test_register_shows_the_broken_rule_on_its_field(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("volunteers-people", args=["A"])
    response = client.post(url, {"name": "重复", "id_type": "resident_id", "id_number": RESIDENT_ID,
                                 "registered_on": "2024-02-01"})
    assert response.status_code == 400
    assert response.context["register_form"].errors["id_number"]
    response = client.post(url, {"name": "新居民", "id_type": "passport", "id_number": "E7788",
                                 "phone": "13600001111", "registered_on": "2024-02-01"})
    assert response.status_code == 302
    assert Volunteer.objects.filter(name="新居民").exists()


def test_reveal_is_a_logged_post(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("volunteers-reveal", args=[world.resident.pk, "phone"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and RESIDENT_PHONE in response.content.decode()
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and (entry.action, entry.channel) == ("volunteer.reveal_phone", "web")
    assert client_as(cast, "auditor").post(url).status_code == 403


def test_attendance_sheet_and_confirmation_through_the_page(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("volunteers-activity", args=[world.activity.pk])
    assert client.post(url, {"action": "signup", "signup-volunteer": world.resident.pk}).status_code == 302
    assert client.post(url, {"action": "signup", "signup-volunteer": world.member_vol.pk}).status_code == 302
    a, b = Participation.objects.filter(activity=world.activity).order_by("pk")
    # one bad row refuses the whole sheet
    response = client.post(url, {"action": "attendance", f"state-{a.pk}": "present",
                                 f"start-{a.pk}": "2024-03-05T09:00", f"end-{a.pk}": "2024-03-05T11:30",
                                 f"version-{a.pk}": a.version, f"state-{b.pk}": "present",
                                 f"start-{b.pk}": "2024-03-05T11:00", f"end-{b.pk}": "2024-03-05T10:00",
                                 f"version-{b.pk}": b.version})
    assert response.status_code == 400 and response.context["error"]
    assert not Participation.objects.filter(activity=world.activity, state=Attendance.PRESENT).exists()
    response = client.post(url, {"action": "attendance", f"state-{a.pk}": "present",
                                 f"start-{a.pk}": "2024-03-05T09:00", f"end-{a.pk}": "2024-03-05T11:30",
                                 f"version-{a.pk}": a.version, f"state-{b.pk}": "absent",
                                 f"version-{b.pk}": b.version})
    assert response.status_code == 302
    assert client.post(url, {"action": "confirm"}).status_code == 302
    a.refresh_from_db()
    assert a.confirmed_on is not None and a.hours == Decimal("2.5")


def test_member_signs_up_reports_and_asks_for_a_correction(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        future = s.activity_create(world.team, title="未来活动", starts_at=at(2099, 1, 1, 9),
                                   ends_at=at(2099, 1, 1, 10))
        p = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True)
        s.confirm_hours(p, on=dt.date(2024, 3, 6))
    client = client_as(cast, "member")
    url = reverse("volunteers-member", args=[cast.member.pk])
    page = client.get(url)
    assert page.status_code == 200 and "未来活动" in page.content.decode()
    assert client.post(url, {"action": "signup", "volunteer": world.member_vol.pk,
                             "activity": future.pk}).status_code == 302
    assert Participation.objects.get(activity=future, volunteer=world.member_vol).on_behalf is False
    response = client.post(url, {"action": "report", "volunteer": world.member_vol.pk, "report-day": "2024-05-02",
                                 "report-hours": "1.2", "report-content": "修水管"})
    assert response.status_code == 400 and response.context["report"].errors["hours"]
    response = client.post(url, {"action": "correction", "volunteer": world.member_vol.pk,
                                 f"correction{world.member_vol.pk}-record": f"p:{p.pk}",
                                 f"correction{world.member_vol.pk}-hours": "3",
                                 f"correction{world.member_vol.pk}-reason": "提前到场"})
    assert response.status_code == 302
    correction = Correction.objects.get(participation=p)
    secretary = client_as(cast, "secretary")
    response = secretary.post(reverse("volunteers-pending", args=["A"]), {
        "action": "correction", "id": correction.pk, "approve": "1", "version": correction.version})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.hours == Decimal("3.0")
    assert client_as(cast, "member").get(reverse("volunteers-member", args=[cast.member_b.pk])).status_code == 404


def test_certificate_download(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        p = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True)
        s.confirm_hours(p, on=dt.date(2024, 3, 6))
    client = client_as(cast, "secretary")
    response = client.post(reverse("volunteers-volunteer", args=[world.member_vol.pk]), {
        "action": "certificate", "certificate-period_start": "2024-01-01", "certificate-period_end": "2024-03-31",
        "certificate-person_in_charge": "张书记", "certificate-handler": "李干事", "certificate-contact": "0871-1"})
    assert response.status_code == 302
    cert = world.member_vol.certificates.get()
    for role in ("secretary", "member"):
        download = client_as(cast, role).get(reverse("volunteers-certificate", args=[cert.pk]))
        assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    assert client_as(cast, "outsider").get(reverse("volunteers-certificate", args=[cert.pk])).status_code == 404


def test_lists_export_and_bounded_queries(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    with acting(None, "system"):
        for i in range(12):
            v = s.volunteer_register(cast.branch_a, name=f"居民{i}", id_type="passport", id_number=f"P{i}",
                                     registered_on=dt.date(2024, 1, 2))
            s.activity_create(world.team, title=f"活动{i}", starts_at=at(2024, 4, i + 1, 9),
                              ends_at=at(2024, 4, i + 1, 10))
            s.team_join(world.team, v, joined_on=dt.date(2024, 1, 3))
    client = client_as(cast, "secretary")
    for name in ("volunteers-people", "volunteers-activities", "volunteers-home"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name, args=["A"])).status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("volunteers-people", args=["A"]) +
                                                        "?format=xlsx").content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "居民11" in values and RESIDENT_PHONE not in values and RESIDENT_ID not in values
    printed = client.get(reverse("volunteers-activities", args=["A"]) + "?all=1").content.decode()
    assert "活动11" in printed
    assert Activity.objects.count() == 13


def test_team_page_join_and_stale_edit(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("volunteers-team", args=[world.team.pk])
    response = client.post(url, {"action": "join", "join-volunteer": world.resident.pk, "join-joined_on": "2024-01-05"})
    assert response.status_code == 302 and world.team.memberships.filter(volunteer=world.resident).exists()
    response = client.post(url, {"action": "edit", "edit-code": "RV", "edit-name": "改名", "edit-version": "0"})
    assert response.status_code == 400 and response.context["edit"].non_field_errors()
    response = client.post(url, {"action": "edit", "edit-code": "RV", "edit-name": "改名",
                                 "edit-version": str(world.team.version)})
    assert response.status_code == 302
    world.team.refresh_from_db()
    assert world.team.name == "改名"
