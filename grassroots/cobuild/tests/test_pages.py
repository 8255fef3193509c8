"""The co-construction pages: each opens for the secretary and the auditor, refuses outsiders and the member,
writes through the services (a broken rule back on its field, 400), lists print, export with masked phones and
keep their queries bounded."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.cobuild import services as s
from grassroots.cobuild.models import (
    Agreement,
    Contribution,
    Need,
    Project,
    ProjectState,
    ResidentUnit,
    UnitReport,
)
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.ui.testing import client_as

from .conftest import UNIT_PHONE, today

LISTS = ("cobuild-home", "cobuild-units", "cobuild-agreements", "cobuild-needs", "cobuild-projects",
         "cobuild-contributions")


def _pages(world: Any) -> list[str]:
    return [*(reverse(n, args=["A"]) for n in LISTS),
            reverse("cobuild-unit", args=[world.unit.pk]), reverse("cobuild-agreement", args=[world.agreement.pk]),
            reverse("cobuild-need", args=[world.need.pk]), reverse("cobuild-project", args=[world.project.pk])]


def test_every_page_opens_for_the_secretary_and_the_auditor(cast: Any, world: Any) -> None:
    forms = [reverse(n, args=["A"]) for n in ("cobuild-unit-new", "cobuild-agreement-new", "cobuild-project-new",
                                               "cobuild-units-import")]
    forms += [reverse("cobuild-unit-edit", args=[world.unit.pk]),
              reverse("cobuild-agreement-edit", args=[world.agreement.pk]),
              reverse("cobuild-project-edit", args=[world.project.pk])]
    secretary = client_as(cast, "secretary")
    for url in _pages(world) + forms:
        response = secretary.get(url)
        assert response.status_code == 200, url
        assert UNIT_PHONE not in response.content.decode(), url
    auditor = client_as(cast, "auditor")
    for url in _pages(world):
        assert auditor.get(url).status_code == 200, url
    for url in forms:
        assert auditor.get(url).status_code == 403, url
    assert "和顺宾馆" in auditor.get(reverse("cobuild-units", args=["A"])).content.decode()


def test_outsiders_and_the_member_see_and_change_nothing(cast: Any, world: Any) -> None:
    before = AuditEntry.objects.count()
    for role in ("outsider", "member"):
        client = client_as(cast, role)
        for url in _pages(world):
            assert client.get(url).status_code == 404, (role, url)
        for url, data in ((reverse("cobuild-project-start", args=[world.project.pk]),
                           {"start-version": world.project.version}),
                          (reverse("cobuild-need-claim", args=[world.need.pk]),
                           {"claim-unit": world.unit.pk, "claim-version": world.need.version}),
                          (reverse("cobuild-unit-new", args=["A"]), {"name": "外来", "kind": "agency"}),
                          (reverse("cobuild-unit-reveal", args=[world.unit.pk, "contact_phone"]), {})):
            assert client.post(url, data).status_code == 404, (role, url)
    assert AuditEntry.objects.count() == before
    assert Project.objects.get(pk=world.project.pk).state == ProjectState.PLANNED


def test_unit_created_and_broken_rule_on_its_field(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("cobuild-unit-new", args=["A"])
    response = client.post(url, {"name": "和顺宾馆", "kind": "agency"})
    assert response.status_code == 400 and response.context["form"].errors["name"]
    response = client.post(url, {"name": "和顺镇供电所", "kind": "state_enterprise", "has_party_org": "on",
                                 "party_members": "6", "contact_phone": "13800001111"})
    assert response.status_code == 302
    unit = ResidentUnit.objects.get(name="和顺镇供电所")
    assert unit.party_members == 6 and unit.has_party_org
    page = client.get(reverse("cobuild-unit", args=[unit.pk])).content.decode()
    assert "138****1111" in page and "13800001111" not in page


def test_reveal_is_a_logged_post(cast: Any, world: Any) -> None:
    url = reverse("cobuild-unit-reveal", args=[world.unit.pk, "contact_phone"])
    client = client_as(cast, "secretary")
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and UNIT_PHONE in response.content.decode()
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and (entry.action, entry.channel) == ("cobuild.unit_reveal_phone", "web")
    assert client_as(cast, "auditor").post(url).status_code == 403


def test_project_through_its_states_on_the_page(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    p = world.project
    assert client.post(reverse("cobuild-project-start", args=[p.pk]),
                       {"start-version": p.version}).status_code == 302
    p.refresh_from_db()
    assert p.state == ProjectState.UNDER_WAY
    response = client.post(reverse("cobuild-project-done", args=[p.pk]), {"done-version": p.version,
                                                                          "done-outcome": ""})
    assert response.status_code == 400 and response.context["forms"]["done"].errors["outcome"]
    photo = SimpleUploadedFile("sheet.jpg", b"\xff\xd8\xff\xe0", content_type="image/jpeg")
    response = client.post(reverse("cobuild-project-done", args=[p.pk]), {
        "done-version": p.version, "done-outcome": "资助10名学生", "done-on": (today() - dt.timedelta(days=1))
        .isoformat(), "done-evidence": photo, "done-caption": "签收单"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == ProjectState.DONE and p.evidence.count() == 1
    evidence = p.evidence.get()
    assert client.get(reverse("cobuild-evidence-get", args=[evidence.pk])).status_code == 200
    assert client_as(cast, "outsider").get(reverse("cobuild-evidence-get", args=[evidence.pk])).status_code == 404
    with acting(None, "system"):
        other = s.project_create(org=cast.branch_a, title="植树", started_on=today())
    response = client.post(reverse("cobuild-project-drop", args=[other.pk]), {"drop-version": other.version,
                                                                              "drop-reason": "天旱改期"})
    assert response.status_code == 302 and Project.objects.get(pk=other.pk).state == ProjectState.DROPPED


def test_need_claimed_and_listed_on_the_pages(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = client.post(reverse("cobuild-needs", args=["A"]), {"need-title": "", "need-listed_on": "2024-01-01"})
    assert response.status_code == 400
    response = client.post(reverse("cobuild-needs", args=["A"]), {"need-title": "路灯维修",
                                                                  "need-listed_on": today().isoformat()})
    assert response.status_code == 302 and Need.objects.filter(title="路灯维修").exists()
    response = client.post(reverse("cobuild-need-claim", args=[world.need.pk]), {
        "claim-unit": world.unit.pk, "claim-version": world.need.version, "claim-owner": "李经理"})
    assert response.status_code == 302
    project = Project.objects.get(need=world.need)
    assert response["Location"] == reverse("cobuild-project", args=[project.pk]) and project.source == "need"


def test_agreement_renewed_ended_and_its_file(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    a = world.agreement
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert client.post(reverse("cobuild-agreement-file", args=[a.pk]), {"file-file": scan,
                                                                          "file-caption": "盖章扫描件"}).status_code == 302
    made = a.files.get()
    assert client.get(reverse("cobuild-agreement-file-get", args=[made.pk])).status_code == 200
    response = client.post(reverse("cobuild-agreement-renew", args=[a.pk]), {
        "renew-version": a.version, "renew-signed_on": today().isoformat(), "renew-ends_on": ""})
    assert response.status_code == 400
    response = client.post(reverse("cobuild-agreement-renew", args=[a.pk]), {
        "renew-version": a.version, "renew-signed_on": today().isoformat(),
        "renew-ends_on": (today() + dt.timedelta(days=1500)).isoformat()})
    new = Agreement.objects.get(renews=a)
    assert response.status_code == 302 and response["Location"] == reverse("cobuild-agreement", args=[new.pk])
    response = client.post(reverse("cobuild-agreement-end", args=[new.pk]), {
        "end-version": new.version, "end-on": today().isoformat(), "end-reason": "单位撤并"})
    assert response.status_code == 400  # the renewal is not in force yet: it cannot end before it starts
    assert Agreement.objects.get(pk=new.pk).ended_on is None


def test_report_accepted_contribution_and_resource_on_the_unit_page(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("cobuild-unit-report", args=[world.unit.pk])
    assert client.post(url, {"report-reported_on": today().isoformat(), "report-offers": "会议室"}).status_code == 302
    report = UnitReport.objects.get(unit=world.unit)
    assert client.post(reverse("cobuild-report-accept", args=[report.pk]),
                       {"version": report.version}).status_code == 302
    assert UnitReport.objects.get(pk=report.pk).accepted_on == today()
    response = client.post(reverse("cobuild-unit-contribution", args=[world.unit.pk]), {
        "contribution-kind": "in_kind", "contribution-given_on": today().isoformat(), "contribution-amount": "800",
        "contribution-goods": ""})
    assert response.status_code == 400 and response.context["forms"]["contribution"].errors["goods"]
    response = client.post(reverse("cobuild-unit-resource", args=[world.unit.pk]), {
        "resource-title": "会议室", "resource-listed_on": today().isoformat()})
    assert response.status_code == 302 and world.unit.resources.count() == 1


def test_a_contribution_is_corrected_from_the_unit_page(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        made = s.contribution_create(unit=world.unit, kind="money", given_on=today(), amount="80000")
    client = client_as(cast, "secretary")
    url = reverse("cobuild-contribution-edit", args=[made.pk])
    assert url in client.get(reverse("cobuild-unit", args=[world.unit.pk])).content.decode()
    assert 'value="80000.00"' in client.get(url).content.decode()
    data = {"kind": "money", "given_on": today().isoformat(), "amount": "8000", "version": made.version}
    assert client.post(url, data).status_code == 302
    assert Contribution.objects.get(pk=made.pk).amount == 8000
    stale = client.post(url, {**data, "amount": "9000"})  # the same page sent again: its version is old
    assert stale.status_code == 400 and Contribution.objects.get(pk=made.pk).amount == 8000
    assert client_as(cast, "auditor").get(url).status_code == 403
    assert client_as(cast, "outsider").get(url).status_code == 404


def test_lists_print_export_and_keep_queries_bounded(cast: Any, world: Any,
                                                     django_assert_max_num_queries: Any) -> None:
    with acting(None, "system"):
        for i in range(12):
            unit = s.unit_create(org=cast.branch_a, name=f"单位{i}", kind="agency", contact_phone=f"1390000{i:04d}",
                                 has_party_org=True, party_org=cast.branch_b)
            agreement = s.agreement_create(org=cast.branch_a, unit=unit, title=f"协议{i}", signed_on=today())
            s.project_create(org=cast.branch_a, title=f"项目{i}", unit=unit, agreement=agreement,
                             started_on=today())
            s.need_create(org=cast.branch_a, title=f"需求{i}", listed_on=today())
            s.contribution_create(unit=unit, kind="money", given_on=today(), amount="100", agreement=agreement)
    client = client_as(cast, "secretary")
    for name in LISTS:
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name, args=["A"])).status_code == 200, name
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name, args=["A"]) + "?all=1").status_code == 200, name
    for name, expected in (("cobuild-units", "单位11"), ("cobuild-agreements", "协议11"),
                           ("cobuild-projects", "项目11"), ("cobuild-contributions", "单位11")):
        book = openpyxl.load_workbook(io.BytesIO(client.get(reverse(name, args=["A"]) + "?format=xlsx").content))
        values = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row]
        assert expected in values, name
        assert UNIT_PHONE not in str(values) and "13900000011" not in str(values), name
    printed = client.get(reverse("cobuild-units", args=["A"]) + "?all=1").content.decode()
    assert "单位11" in printed and "139****0011" in printed


def test_home_shows_the_figures_and_the_findings(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        s.contribution_create(unit=world.unit, kind="money", given_on=today(), amount="1234")
        soon = s.agreement_create(org=cast.branch_a, unit=world.unit, title="短期协议",
                                  signed_on=today() - dt.timedelta(days=10), ends_on=today() + dt.timedelta(days=20))
    response = client_as(cast, "secretary").get(reverse("cobuild-home", args=["A"]))
    f = response.context["figures"]
    assert f["units"] == 1 and f["agreements"] == 2 and f["money"] == 1234
    assert any(x.subject_id == soon.pk for x in response.context["findings"])


def test_write_paths_keep_their_queries_bounded(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    client = client_as(cast, "secretary")
    p = world.project
    with django_assert_max_num_queries(30):
        assert client.post(reverse("cobuild-project-start", args=[p.pk]),
                           {"start-version": p.version}).status_code == 302
    with django_assert_max_num_queries(30):
        assert client.post(reverse("cobuild-need-claim", args=[world.need.pk]), {
            "claim-unit": world.unit.pk, "claim-version": world.need.version}).status_code == 302
    with django_assert_max_num_queries(30):
        assert client.post(reverse("cobuild-unit-contribution", args=[world.unit.pk]), {
            "contribution-kind": "money", "contribution-given_on": today().isoformat(),
            "contribution-amount": "100"}).status_code == 302
