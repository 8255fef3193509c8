"""The in-service pages: the member reports, the community accepts, assigns and logs services on the report's
page, the home branch reads the feedback sheet; outsiders get 404/403; lists print, export and keep their queries
bounded; the phone is masked and its reveal logged."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.urls import reverse
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.inservice import services
from grassroots.inservice.models import Report, Service
from grassroots.ui.testing import as_user, client_as

from .conftest import PHONE


def test_member_reports_community_acts_home_reads(cast: Any, world: Any) -> None:
    member = client_as(cast, "member")
    url = reverse("inservice-member", args=[cast.member.pk])
    assert "report-form" in member.get(url).content.decode()
    response = member.post(url, {"community_org": "C", "on": "2024-01-10", "first": "on", "phone": PHONE,
                                 "skills": "电工", "address": "外街社区3号楼"})
    assert response.status_code == 302, response.content.decode()[:2000]
    r = Report.objects.get()
    assert r.state == "pending" and r.first
    response = member.post(url, {"community_org": "NOPE", "on": "2024-01-10"})
    assert response.status_code == 400 and response.context["form"].errors["community_org"]
    page = reverse("inservice-report", args=[r.pk])
    community = client_as(cast, "outsider")
    text = community.get(page).content.decode()
    assert cast.member.name in text and PHONE not in text and 'value="accept"' in text
    assert cast.member.id_number not in text and "13800138000" not in text  # nothing of the member's archive
    assert client_as(cast, "secretary").post(page, {"action": "accept", "decide-on": "2024-01-12",
                                                    "version": r.version}).status_code == 403
    response = community.post(page, {"action": "accept", "decide-on": "2024-01-12", "version": r.version})
    assert response.status_code == 302
    r.refresh_from_db()
    response = community.post(page, {"action": "assign", "assign-version": r.version, "assign-grid": world.grid.pk,
                                     "assign-post": world.post.pk})
    assert response.status_code == 302
    response = community.post(page, {"action": "service", "service-day": "2024-02-01", "service-activity": "清扫",
                                     "service-hours": "2", "service-evaluation": "good"})
    assert response.status_code == 302
    response = community.post(page, {"action": "service", "service-day": "2024-01-01", "service-activity": "清扫",
                                     "service-hours": "2"})
    assert response.status_code == 400 and response.context["service"].errors["day"]
    assert Service.objects.count() == 1
    sheet = client_as(cast, "secretary").get(reverse("inservice-feedback", args=["A"]) + "?year=2024&quarter=1")
    text = sheet.content.decode()
    assert sheet.status_code == 200 and "清扫" in text and "外街一网格" in text and "3号楼楼栋长" in text
    assert client_as(cast, "outsider").get(url).status_code == 404  # the community does not open the member
    assert client_as(cast, "secretary").get(reverse("inservice-feedback", args=["A"]) + "?year=x").status_code == 400


def test_outsider_reads_nothing_and_reveal_is_logged(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        r = services.report(cast.member, community_org=world.community, on=dt.date(2024, 1, 10), phone=PHONE)
    outsider = as_user(world.sec_b)
    for url in (reverse("inservice-report", args=[r.pk]), reverse("inservice-member", args=[cast.member.pk]),
                reverse("inservice-home", args=["C"]), reverse("inservice-feedback", args=["A"])):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(reverse("inservice-reveal", args=[r.pk])).status_code == 404
    response = client_as(cast, "secretary").post(reverse("inservice-reveal", args=[r.pk]))
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert AuditEntry.objects.filter(action="inservice.reveal", actor_id=cast.secretary.pk).count() == 1


def test_lists_export_print_and_bounded_queries(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    from conftest import make_member

    today = timezone.localdate()
    with acting(None, "system"):
        for i in range(12):
            m = make_member(cast.branch_a, name=f"在职{i}", phone="13800138000")
            r = services.report(m, community_org=world.community, on=dt.date(2024, 1, 10), phone=f"1390000{i:04d}")
            r = services.accept(r, on=dt.date(2024, 1, 11))
            services.log_service(r, day=dt.date(2024, 2, 1), activity=f"服务{i}", hours="1")
    community, sec = client_as(cast, "outsider"), client_as(cast, "secretary")
    for client, url in ((community, reverse("inservice-home", args=["C"])),
                        (sec, reverse("inservice-home", args=["A"]) + "?side=home"),
                        (community, reverse("inservice-roster", args=["C"])),
                        (sec, reverse("inservice-feedback", args=["A"]) + f"?year=2024&quarter=1&as_of={today}")):
        with django_assert_max_num_queries(25):
            response = client.get(url)
        assert response.status_code == 200 and "在职11" in response.content.decode(), url
    book = openpyxl.load_workbook(io.BytesIO(community.get(reverse("inservice-home", args=["C"]) +
                                                           "?format=xlsx").content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "在职11" in values and "13900000011" not in values
    printed = community.get(reverse("inservice-home", args=["C"]) + "?all=1").content.decode()
    assert "在职0" in printed and "在职11" in printed
    assert sec.get(reverse("inservice-home", args=["A"])).context["count"] == 0  # nothing reported to A


def test_roster_and_card(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        r = services.report(cast.member, community_org=world.community, on=dt.date(2024, 1, 10), first=True,
                            phone=PHONE, workplace="县供电局", address="外街3号楼")
    with acting(cast.outsider, "web"):
        r = services.accept(r, on=dt.date(2024, 1, 11))
        services.log_service(r, day=dt.date(2024, 2, 1), activity="楼道清扫", hours="2", evaluation="good")
        services.log_service(r, day=dt.date(2024, 3, 1), activity="义务维修", hours="1.5")
        again = services.report(cast.member, community_org=world.community, on=dt.date(2024, 7, 10))
    community = client_as(cast, "outsider")
    response = community.get(reverse("inservice-roster", args=["C"]))
    rows = list(response.context["page"].object_list)
    assert [(x.pk, x.first_on, x.n_services, x.n_hours) for x in rows] == [
        (again.pk, dt.date(2024, 1, 10), 2, Decimal("3.5"))]
    assert "县供电局" in response.content.decode() and PHONE not in response.content.decode()
    card = community.get(reverse("inservice-card", args=[r.pk])).content.decode()
    assert "外街3号楼" in card and "楼道清扫" in card and PHONE not in card
    assert as_user(world.sec_b).get(reverse("inservice-card", args=[r.pk])).status_code == 404


def test_decline_on_the_page_needs_a_reason_and_a_fresh_version(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        r = services.report(cast.member, community_org=world.community, on=dt.date(2024, 1, 10))
    page, community = reverse("inservice-report", args=[r.pk]), client_as(cast, "outsider")
    response = community.post(page, {"action": "decline", "decide-on": "2024-01-12", "version": r.version})
    assert response.status_code == 400 and response.context["decide"].errors["reason"]
    response = community.post(page, {"action": "decline", "decide-on": "2024-01-12", "decide-reason": "不住本社区",
                                     "version": r.version + 1})
    assert response.status_code == 400 and response.context["decide"].non_field_errors()
    response = community.post(page, {"action": "decline", "decide-on": "2024-01-12", "decide-reason": "不住本社区",
                                     "version": r.version})
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.state, r.decline_reason) == ("declined", "不住本社区")
    assert 'id="decide"' not in community.get(page).content.decode()
