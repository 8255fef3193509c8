"""The commitments pages: the list by year with its filters and counts, the forms (the member's own, a secretary's
on the member's behalf), the detail with progress, edit, result and withdrawal, the printable public list; every
refusal; bounded queries."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from grassroots.commitments.models import Commitment
from grassroots.ui.testing import client_as

from .conftest import YEAR, D, make, set_result

pytestmark = pytest.mark.django_db


def _list(client: Any, code: str = "A", **query: Any) -> Any:
    return client.get(reverse("commitments", args=[code]), {"year": YEAR, **query})


def test_the_list_counts_and_filters_by_level_and_result(cast: Any) -> None:
    kept = make(cast.member, level="practical", theme="culture", text="组织一次文艺演出")
    set_result(kept)
    make(cast.member, level="common", text="带头学习")
    make(cast.member_a2, level="self_discipline", text="不参与赌博")
    make(cast.member_b, text="B支部的承诺")
    client = client_as(cast, "secretary")
    response = _list(client)
    assert response.status_code == 200
    f = response.context["figures"]
    assert (f.members, f.total, f.by_level["practical"], f.by_theme["culture"], f.by_result["kept"], f.pending) == (
        2, 3, 1, 1, 1, 2)
    assert len(response.context["rows"]) == 3
    html = response.content.decode()
    assert "B支部的承诺" not in html and reverse("commitments-notice", args=["A"]) in html
    assert len(_list(client, level="practical").context["rows"]) == 1
    assert len(_list(client, result="kept").context["rows"]) == 1
    assert len(_list(client, result="none").context["rows"]) == 2
    assert len(_list(client, year=YEAR - 1).context["rows"]) == 0


def test_the_list_exports_xlsx_and_prints_all(cast: Any) -> None:
    make(cast.member, text="带头学习")
    client = client_as(cast, "secretary")
    response = _list(client, format="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert any("带头学习" in str(c.value) for row in sheet.iter_rows() for c in row)
    assert _list(client, all="1").context["show_all"] is True


def test_the_list_page_queries_are_bounded(cast: Any, django_assert_max_num_queries: Any) -> None:
    from conftest import make_member
    from grassroots.core.context import acting

    with acting(None, "system"):
        for i in range(15):
            make(make_member(cast.branch_a, name=f"党员{i}"), text=f"承诺{i}")
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(20):
        response = _list(client)
    assert len(response.context["rows"]) == 15


@pytest.mark.parametrize(("role", "code", "status"), [
    ("street_admin", "A", 200), ("auditor", "A", 200), ("secretary", "B", 404), ("outsider", "A", 404),
    ("member", "A", 404)])
def test_who_reads_the_list(cast: Any, role: str, code: str, status: int) -> None:
    assert _list(client_as(cast, role), code).status_code == status


def test_a_secretary_enters_one_on_a_members_behalf(cast: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("commitment-new", args=["A"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"member": cast.member_a2.pk, "year": YEAR, "level": "practical",
                                 "theme": "policing", "text": "参加夜间巡逻", "deadline": f"{YEAR}-12-31",
                                 "made_on": f"{YEAR}-03-01"})
    c = Commitment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("commitment-detail", args=[c.pk])
    assert c.on_behalf and c.recorded_by == cast.secretary
    assert "entered on the member" in client.get(response["Location"]).content.decode()


def test_the_form_shows_the_broken_rule_on_its_field(cast: Any) -> None:
    client = client_as(cast, "secretary")
    response = client.post(reverse("commitment-new", args=["A"]), {
        "member": cast.member.pk, "year": YEAR, "level": "practical", "theme": "", "text": "x",
        "deadline": f"{YEAR}-12-31", "made_on": f"{YEAR}-03-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["theme"] == ["a practical commitment names its theme"]
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_the_new_page_refused_to_readers(cast: Any, role: str) -> None:
    code = client_as(cast, role).get(reverse("commitment-new", args=["A"])).status_code
    assert code in (403, 404)


def test_the_member_makes_their_own_on_their_page(cast: Any) -> None:
    client = client_as(cast, "member")
    url = reverse("member-commitments", args=[cast.member.pk])
    assert "Make a commitment" in client.get(url).content.decode()
    response = client.post(url, {"member": cast.member.pk, "year": YEAR, "level": "post", "text": "做好楼道长工作",
                                 "deadline": f"{YEAR}-12-31", "made_on": f"{YEAR}-02-01"})
    assert response.status_code == 302
    c = Commitment.objects.get()
    assert not c.on_behalf and c.member == cast.member
    assert client.get(url).status_code == 200
    assert client.get(reverse("member-commitments", args=[cast.member_a2.pk])).status_code == 404
    assert client.post(reverse("member-commitments", args=[cast.member_a2.pk]), {}).status_code == 404


def test_the_auditor_reads_a_members_page_and_may_not_post(cast: Any) -> None:
    client = client_as(cast, "auditor")
    url = reverse("member-commitments", args=[cast.member.pk])
    assert client.get(url).context["form"] is None
    assert client.post(url, {"member": cast.member.pk}).status_code == 403


def _detail(client: Any, c: Any) -> Any:
    return client.get(reverse("commitment-detail", args=[c.pk]))


def test_the_detail_page_progress_result_and_stale_result(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    c = make(cast.member)
    member = client_as(cast, "member")
    url = reverse("commitment-detail", args=[c.pk])
    page = _detail(member, c)
    assert page.context["can_member"] and not page.context["can_review"]
    assert member.post(url, {"action": "progress", "progress-date": f"{YEAR}-04-01",
                             "progress-text": "打扫楼道"}).status_code == 302
    assert "打扫楼道" in _detail(member, c).content.decode()
    assert member.post(url, {"action": "result", "result-version": c.version, "result-result": "kept",
                             "result-on": f"{YEAR + 1}-01-05"}).status_code == 403
    secretary = client_as(cast, "secretary")
    version = _detail(secretary, c).context["forms"]["result"].initial["version"]
    ok = secretary.post(url, {"action": "result", "result-version": version, "result-result": "kept",
                              "result-on": f"{YEAR + 1}-01-05"})
    assert ok.status_code == 302
    stale = secretary.post(url, {"action": "result", "result-version": version, "result-result": "not_kept",
                                 "result-note": "没做", "result-on": f"{YEAR + 1}-01-06"})
    assert stale.status_code == 400 and "changed by" in stale.content.decode()
    c.refresh_from_db()
    assert c.result == "kept"


def test_the_detail_page_edit_and_withdraw(cast: Any) -> None:
    c = make(cast.member)
    client = client_as(cast, "secretary")
    url = reverse("commitment-detail", args=[c.pk])
    assert client.post(url, {"action": "edit", "edit-version": c.version, "edit-level": "post",
                             "edit-text": "改过的承诺", "edit-deadline": f"{YEAR}-11-30"}).status_code == 302
    c.refresh_from_db()
    assert (c.level, c.text) == ("post", "改过的承诺")
    bad = client.post(url, {"action": "withdraw", "withdraw-version": c.version, "withdraw-reason": "生病",
                            "withdraw-on": f"{YEAR + 1}-01-05"})
    assert bad.status_code == 400 and bad.context["forms"]["withdraw"].errors["on"]
    assert client.post(url, {"action": "withdraw", "withdraw-version": c.version, "withdraw-reason": "生病",
                             "withdraw-on": f"{YEAR}-06-05"}).status_code == 302
    c.refresh_from_db()
    assert c.state == "withdrawn"
    assert client.post(url, {"action": "bogus"}).status_code == 403


@pytest.mark.parametrize(("role", "status"), [("outsider", 404), ("anonymous", 302), ("auditor", 200)])
def test_who_reads_a_commitment(cast: Any, role: str, status: int) -> None:
    c = make(cast.member_a2)
    assert _detail(client_as(cast, role), c).status_code == status
    if role == "auditor":
        assert client_as(cast, role).post(reverse("commitment-detail", args=[c.pk]), {
            "action": "progress", "progress-date": f"{YEAR}-04-01", "progress-text": "x"}).status_code == 403


def test_the_printable_public_list_shows_no_phone_or_id(cast: Any) -> None:
    kept = make(cast.member, text="带头学习")
    set_result(kept)
    withdrawn = make(cast.member_a2, text="撤回的承诺")
    from grassroots.commitments.services import commitment_withdraw
    from grassroots.core.context import acting

    with acting(None, "system"):
        commitment_withdraw(withdrawn, version=withdrawn.version, reason="x", on=D(YEAR, 5, 1))
    html = client_as(cast, "secretary").get(reverse("commitments-notice", args=["A"]), {"year": YEAR}
                                            ).content.decode()
    assert "带头学习" in html and cast.member.name in html and "Kept" in html
    assert "撤回的承诺" not in html
    assert cast.member.phone not in html and cast.member.id_number not in html


def test_org_and_member_links(cast: Any) -> None:
    client = client_as(cast, "secretary")
    assert reverse("commitments", args=["A"]) in client.get(reverse("org-detail", args=["A"])).content.decode()
    assert reverse("member-commitments", args=[cast.member.pk]) in client.get(
        reverse("member-detail", args=[cast.member.pk])).content.decode()


def test_a_progress_photo_is_optional_and_shown_to_readers_only(cast: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    c = make(cast.member)
    client = client_as(cast, "member")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    assert client.post(reverse("commitment-detail", args=[c.pk]), {
        "action": "progress", "progress-date": f"{YEAR}-04-01", "progress-text": "组织了清洁日",
        "progress-photo": SimpleUploadedFile("day.png", png)}).status_code == 302
    entry = c.progress.get()
    url = reverse("commitment-photo", args=[entry.pk])
    assert url in _detail(client, c).content.decode()
    assert client.get(url).status_code == 200
    assert client_as(cast, "secretary").get(url).status_code == 200
    assert client_as(cast, "outsider").get(url).status_code == 404
    bad = client.post(reverse("commitment-detail", args=[c.pk]), {
        "action": "progress", "progress-date": f"{YEAR}-04-02", "progress-text": "x",
        "progress-photo": SimpleUploadedFile("virus.exe", b"MZ")})
    assert bad.status_code == 400 and bad.context["forms"]["progress"].errors["photo"]
    assert c.progress.count() == 1
