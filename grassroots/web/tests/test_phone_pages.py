"""Phone first, as pages: the organization page summarises its to-dos (the list is its own page), findings read
as their rule's title, the audit log and the member history in words, error pages in the frame and in Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Cast
from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.members.models import Education, Member
from grassroots.rules.findings import findings_for
from grassroots.ui.testing import client_as
from grassroots.ui.words import rule_title

pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def text_of(page: str) -> str:
    """What a reader sees: the page without tags, the closed cite details left out."""
    page = re.sub(r'<details class="cite">.*?</details>', "", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def chinese(cast: Cast, role: str) -> Client:
    client = client_as(cast, role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_the_org_page_counts_its_to_dos_by_kind_and_links_each_kind_to_its_list(cast: Cast) -> None:
    found = findings_for(cast.street, timezone.localdate())
    assert found, "the cast's branches owe their duties"
    page = html(client_as(cast, "street_admin").get(reverse("org-detail", args=[cast.street.code])))
    assert 'id="findings-table"' not in page  # no finding printed one by one
    for rule_id in {f.rule_id for f in found}:
        row = re.search(rf'<tr data-rule="{re.escape(rule_id)}">(.*?)</tr>', page, re.S)
        assert row is not None, rule_id
        total = sum(1 for f in found if f.rule_id == rule_id)
        assert re.findall(r">(\d+)</td>", row.group(1))[-1] == str(total)
        assert f'{reverse("org-findings", args=[cast.street.code])}?rule={rule_id}' in row.group(1)
    assert f'href="{reverse("org-findings", args=[cast.street.code])}"' in page
    for state in {f.state for f in found}:
        badge = re.search(rf'data-state-total="{state}">[^<]*?(\d+)</a>', page)
        assert badge is not None and badge.group(1) == str(sum(1 for f in found if f.state == state))


def test_the_list_of_one_kind_shows_its_findings_by_title_with_the_cite_on_their_detail(cast: Cast) -> None:
    found = findings_for(cast.branch_a, timezone.localdate())
    first = found[0]
    client = client_as(cast, "secretary")
    page = html(client.get(reverse("org-findings", args=[cast.branch_a.code]), {"rule": first.rule_id}))
    rows = re.findall(r'<tr data-state="\w+" data-rule="([^"]+)"', page)
    assert rows == [f.rule_id for f in found if f.rule_id == first.rule_id]
    with translation.override("en"):
        title = rule_title(first.rule)
    assert title != first.rule and title in text_of(page)
    assert first.rule not in text_of(page)  # the cite is on the finding's detail only
    assert f'<code class="small">{first.rule}</code>' in page
    # The organization page names the kind by its title too, never by its cite.
    org_page = html(client.get(reverse("org-detail", args=[cast.branch_a.code])))
    assert title in text_of(org_page) and first.rule not in text_of(org_page)


def test_the_to_do_list_is_paginated(cast: Cast) -> None:
    found = findings_for(cast.street, timezone.localdate())
    response = client_as(cast, "street_admin").get(reverse("org-findings", args=[cast.street.code]))
    assert response.context["page"].paginator.count == len(found)
    assert len(response.context["rows"]) == min(len(found), 50)


def _education_changed(cast: Cast) -> None:
    member = cast.member
    with acting(None, "system"):
        audit.record("member.updated", member, org_id=member.org_id,
                     before={"education": Education.HIGH_SCHOOL, "mobile": False, "org": cast.branch_b.pk},
                     after={"education": Education.COLLEGE, "mobile": True, "org": cast.branch_a.pk},
                     extra={"attendance": {"present": 20, "absent": 1}})


def test_the_audit_log_shows_field_labels_and_display_values(cast: Cast) -> None:
    _education_changed(cast)
    page = html(chinese(cast, "street_admin").get(reverse("audit-log"), {"action": "member.updated"}))
    with translation.override("zh-hans"):
        label = str(Member._meta.get_field("education").verbose_name)
        mobile = str(Member._meta.get_field("mobile").verbose_name)
        expected = [f"{label}：{Education.HIGH_SCHOOL.label}", f"{label}：{Education.COLLEGE.label}",
                    f"{mobile}：{translation.gettext('No')}", f"{mobile}：{translation.gettext('Yes')}"]
    for words in expected:
        assert words in page, words
    assert cast.branch_a.name in page and cast.branch_b.name in page  # the organizations by name, not id
    assert "education: college" not in page and "'present'" not in page and "mobile: False" not in page


def test_the_audit_export_says_it_in_the_same_words(cast: Cast) -> None:
    import io

    from openpyxl import load_workbook

    _education_changed(cast)
    response = client_as(cast, "street_admin").get(reverse("audit-log"), {"action": "member.updated",
                                                                           "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    before, after = rows[1][-2], rows[1][-1]
    assert f"Education: {Education.HIGH_SCHOOL.label}" in before and "Mobile: No" in before
    assert f"Education: {Education.COLLEGE.label}" in after and "Mobile: Yes" in after
    assert "Attendance: Present 20, Absent 1" in after


def test_the_member_page_history_is_in_words(cast: Cast) -> None:
    _education_changed(cast)
    page = html(chinese(cast, "secretary").get(reverse("member-detail", args=[cast.member.pk])))
    with translation.override("zh-hans"):
        label = str(Member._meta.get_field("education").verbose_name)
        status = str(Member._meta.get_field("status").verbose_name)
        college = str(Education.COLLEGE.label)
    assert f"{label}：{college}" in page  # the audit entry
    events = page[page.index('id="events"'):page.index('id="audit"')]
    assert f"{status}：" in events  # the joining event's details, labelled


def test_a_member_outside_the_readers_scope_is_not_named(cast: Cast) -> None:
    with acting(None, "system"):
        audit.record("dues.test", org_id=cast.branch_a.pk, object_type="dues.duespayment", object_id=1,
                     after={"member": cast.member_c.pk})
    page = html(client_as(cast, "street_admin").get(reverse("audit-log"), {"action": "dues.test"}))
    assert cast.member_c.name not in page and f"#{cast.member_c.pk}" in page


@pytest.mark.parametrize(("role", "url", "status", "title"), [
    ("secretary", "/no/such/page/", 404, "Page not found"),
    ("member", "/import/members/", 403, "You may not see or do this"),
])
def test_error_pages_are_in_the_frame_and_in_chinese(cast: Cast, role: str, url: str, status: int,
                                                     title: str) -> None:
    response = chinese(cast, role).get(url)
    assert response.status_code == status
    page = response.content.decode()
    with translation.override("zh-hans"):
        chinese_title = translation.gettext(title)
        home = translation.gettext("Home page")
        brand = translation.gettext("Grassroots")
    assert '<html lang="zh-hans">' in page and chinese_title in page
    assert 'class="topbar"' in page and brand != "Grassroots" and brand in page and home in page
    assert f'href="{reverse("home")}"' in page
    if status == 403:
        with translation.override("zh-hans"):
            assert translation.gettext("You may not import members.") in page  # the reason
