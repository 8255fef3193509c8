"""The staff pages for residents' opinions: the list (filters, print, .xlsx), staff entry, one opinion (contacts
revealed and logged, routing, replies drafted and published), and the monthly statistics with their chart."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.opinions import services
from grassroots.opinions.models import Assignment, Opinion, OpinionAttachment, OpinionChange, State
from grassroots.opinions.tests.fixtures import Station, build_station
from grassroots.opinions.views import staff as views_opinions
from grassroots.ui.testing import client_as

TODAY = dt.date(2024, 12, 20)  # a Friday; 2024's holidays are in the working-day calendar
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REPLY = {"background": "群众反映东风路路灯不亮", "solution": "已更换灯泡，恢复照明", "handler_name": "王工",
         "handler_contact": "0871-1234567"}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """The services and the pages agree that today is TODAY."""
    monkeypatch.setattr(services, "_today", lambda: TODAY)
    monkeypatch.setattr(views_opinions, "_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def station(cast: Cast, today: dt.date) -> Station:
    return build_station(cast)


def text(response: Any) -> str:
    return response.content.decode()


def submit(st: Station, *, category: Any = None, received: dt.date = dt.date(2024, 12, 2), what: str = "东风路路灯不亮",
           territory: Any = None, phone: str = "13912345678", email: str = "", name: str = "张大爷",
           address: str = "东风路12号") -> Opinion:
    with acting(None, "system"):
        return services.submit_opinion(st.org, text=what, category=category or st.roads, channel="phone",
                                       received_on=received, territory=territory, address=address,
                                       submitter_name=name, submitter_phone=phone, submitter_email=email)


def solve(opinion: Opinion, on: dt.date) -> None:
    with acting(None, "system"):
        services.reply(opinion, to_state=State.SOLVED, on=on, **REPLY)


def listed(html: str) -> list[str]:
    """The opinion numbers in the list's table, in order."""
    return re.findall(r'<tr data-opinion="([^"]+)"', html)


def field_block(html: str, name: str, form: str = "") -> str:
    """A form row of _form_fields.html, with its errors (in the <details id=form> of the opinion page)."""
    if form:
        found = re.search(rf'<details class="write-form" id="{form}".*?</details>', html, re.S)
        assert found, f"no form {form}"
        html = found.group(0)
    found = re.search(rf'<div class="form-row[^"]*" data-field="{name}">.*?</div>', html, re.S)
    assert found, f"no form row for {name}"
    return found.group(0)


def posted(form: str, publish: str | None = None, **values: Any) -> dict[str, Any]:
    """The POST data of a prefixed form of the opinion page."""
    data = {f"{form}-{k}": v for k, v in values.items()}
    if publish is not None:
        data["publish"] = publish
    return data


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    return list(wb.worksheets[0].iter_rows(values_only=True))


# --- every page for the street admin ---------------------------------------------------------------

@pytest.mark.django_db
def test_each_page_renders_for_the_street_admin(cast: Cast, station: Station) -> None:
    road = submit(station)
    quarrel = submit(station, category=station.neighbours, territory=station.territory_a, what="楼上漏水")
    client = client_as(cast, "street_admin")

    html = text(client.get(reverse("opinion-list", args=["S"])))
    assert listed(html) == [quarrel.number, road.number]  # newest first (same day: the later one first)
    row = re.search(rf'<tr data-opinion="{road.number}".*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "Urban management office" in row and "东风路12号" in row and "2024-12-02" in row
    assert 'class="overdue"' in row  # due 2024-12-09, still open on the 20th
    row = re.search(rf'<tr data-opinion="{quarrel.number}".*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "第一支部" in row and "东风社区" in row and "Neighbour disputes" in row
    assert reverse("opinion-new", args=["S"]) in html

    html = text(client.get(reverse("opinion-new", args=["S"])))
    assert 'id="enter-opinion"' in html and "Roads (reply within 5 working days)" in html
    assert "东风社区民情快递站" in html  # the station's outlet

    response = client.get(reverse("opinion-detail", args=[road.pk]))
    html = text(response)
    assert response.status_code == 200
    assert "东风路路灯不亮" in html and 'data-state="assigned"' in html and 'id="overdue"' in html
    assert "张大爷" in html and "139****5678" in html and "13912345678" not in html
    assert 'id="actions"' in html and reverse("opinion-reveal", args=[road.pk, "phone"]) in html
    assert "routed by its category" in html  # the assignment at intake, in the history

    html = text(client.get(reverse("opinion-stats", args=["S"])))
    assert 'id="months-table"' in html and "opinion-chart-data" in html and "js/opinion_stats.js" in html
    assert "duplicates left out" in html  # the definitions are written on the page

    html = text(client.get(reverse("org-detail", args=["S"])))
    assert reverse("opinion-list", args=["S"]) in html and reverse("opinion-stats", args=["S"]) in html


@pytest.mark.django_db
def test_pages_need_a_login_and_the_scope(cast: Cast, station: Station) -> None:
    road = submit(station)
    anonymous = client_as(cast, "anonymous")
    assert anonymous.get(reverse("opinion-list", args=["S"])).status_code == 302
    assert anonymous.get(reverse("opinion-detail", args=[road.pk])).status_code == 302
    outsider = client_as(cast, "outsider")
    assert outsider.get(reverse("opinion-list", args=["S"])).status_code == 404
    assert outsider.get(reverse("opinion-detail", args=[road.pk])).status_code == 404
    assert outsider.get(reverse("opinion-stats", args=["S"])).status_code == 404
    assert outsider.get(reverse("opinion-new", args=["S"])).status_code == 404
    assert outsider.post(reverse("opinion-reply", args=[road.pk]), {"to_state": "solved"}).status_code == 404
    assert not OpinionChange.objects.filter(opinion=road, to_state=State.SOLVED).exists()


# --- who sees what ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_secretary_of_a_sees_only_what_a_handles(cast: Cast, station: Station) -> None:
    road = submit(station)  # handled by the street's department
    quarrel = submit(station, category=station.neighbours, territory=station.territory_a, what="楼上漏水")
    assert quarrel.handler_org == cast.branch_a
    client = client_as(cast, "secretary")

    html = text(client.get(reverse("opinion-list", args=["A"])))
    assert listed(html) == [quarrel.number]
    assert "东风路路灯不亮" not in html
    assert client.get(reverse("opinion-list", args=["S"])).status_code == 404
    assert client.get(reverse("opinion-detail", args=[road.pk])).status_code == 404

    html = text(client.get(reverse("opinion-detail", args=[quarrel.pk])))
    assert "楼上漏水" in html and 'id="actions"' in html  # A handles it: A may reply

    html = text(client.get(reverse("opinion-stats", args=["A"])))
    received = re.search(r'<tr data-key="" class="total">.*?data-figure="received"><a href="[^"]*">(\d+)<', html,
                         re.S)
    assert received and received.group(1) == "1"


@pytest.mark.django_db
def test_an_auditor_reads_but_has_no_actions_and_cannot_write(cast: Cast, station: Station) -> None:
    road = submit(station)
    client = client_as(cast, "auditor")
    html = text(client.get(reverse("opinion-detail", args=[road.pk])))
    assert "东风路路灯不亮" in html
    assert 'id="actions"' not in html and "Reveal" not in html and "Publish the reply" not in html
    assert "张大爷" not in html and "shown to the handlers only" in html
    assert "139****5678" in html
    html = text(client.get(reverse("opinion-list", args=["S"])))
    assert listed(html) == [road.number]
    assert reverse("opinion-new", args=["S"]) not in html

    changes = OpinionChange.objects.count()
    audit = AuditEntry.objects.count()
    for url, data in ((reverse("opinion-reply", args=[road.pk]),
                       posted("reply", "1", to_state="solved", on="2024-12-10", **REPLY)),
                      (reverse("opinion-assign", args=[road.pk]), posted("assign", to="org:A", on="2024-12-10")),
                      (reverse("opinion-escalate", args=[road.pk]), posted("escalate", on="2024-12-10", note="太难")),
                      (reverse("opinion-set-published", args=[road.pk]), {"published": "1"}),
                      (reverse("opinion-reveal", args=[road.pk, "phone"]), {})):
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("opinion-new", args=["S"])).status_code == 403
    road.refresh_from_db()
    assert road.state == State.ASSIGNED and not road.published and road.handler_org == cast.street
    assert OpinionChange.objects.count() == changes and AuditEntry.objects.count() == audit


# --- replies ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_published_reply_moves_the_opinion_and_shows_its_parts(cast: Cast, station: Station) -> None:
    road = submit(station)
    client = client_as(cast, "street_admin")
    response = client.post(reverse("opinion-reply", args=[road.pk]), posted(
        "reply", "1", to_state="solved", on="2024-12-06", remaining="其他路段待排查", **REPLY))
    assert response.status_code == 302
    road.refresh_from_db()
    assert road.state == State.SOLVED and road.closed_on == dt.date(2024, 12, 6)
    change = road.changes.get(to_state=State.SOLVED)
    assert change.solution == "已更换灯泡，恢复照明" and change.published_at is not None
    assert change.written_by == cast.street_admin

    html = text(client.get(response["Location"]))
    item = re.search(rf'<li class="change" id="change-{change.pk}".*?</li>', html, re.S)
    assert item, "the reply is in the history"
    for part in ("群众反映东风路路灯不亮", "已更换灯泡，恢复照明", "其他路段待排查", "王工", "0871-1234567",
                 "How it was solved", "What remains"):
        assert part in item.group(0)
    assert "Draft" not in item.group(0)
    assert 'data-state="solved"' in html and 'id="overdue"' not in html
    assert "Reopened" in field_block(html, "to_state", "reply")  # from solved, only reopening is offered


@pytest.mark.django_db
def test_a_draft_changes_nothing_until_published_and_can_be_discarded(cast: Cast, station: Station) -> None:
    road = submit(station)
    client = client_as(cast, "street_admin")
    url = reverse("opinion-reply", args=[road.pk])
    response = client.post(url, posted("reply", "0", to_state="in_progress", on="2024-12-05",
                                       background="需协调供电所", measures="本周内更换"))
    assert response.status_code == 302
    draft = road.changes.get(to_state=State.IN_PROGRESS)
    road.refresh_from_db()
    assert draft.is_draft and road.state == State.ASSIGNED

    html = text(client.get(reverse("opinion-detail", args=[road.pk])))
    item = re.search(rf'<li class="change draft" id="change-{draft.pk}".*?</li>', html, re.S)
    assert item and "Draft, not published" in item.group(0) and "需协调供电所" in item.group(0)

    # Publishing checks the required parts: the handler is missing, nothing moves.
    publish = reverse("opinion-reply-publish", args=[road.pk, draft.pk])
    response = client.post(publish)
    assert response.status_code == 400
    assert "Handler: a reply that makes it Being solved needs: handler" in text(response)
    road.refresh_from_db()
    assert road.state == State.ASSIGNED and OpinionChange.objects.get(pk=draft.pk).is_draft

    with acting(None, "system"):
        services.update_draft(draft, handler_name="李工", handler_contact="13700000000")
    assert client.post(publish).status_code == 302
    road.refresh_from_db()
    assert road.state == State.IN_PROGRESS

    client.post(url, posted("reply", "0", to_state="solved", on="2024-12-09", **REPLY))
    second = road.changes.get(to_state=State.SOLVED)
    assert client.post(reverse("opinion-reply-discard", args=[road.pk, second.pk])).status_code == 302
    assert not OpinionChange.objects.filter(pk=second.pk).exists()
    road.refresh_from_db()
    assert road.state == State.IN_PROGRESS


# Measured 21: the session, the user, its roles, the opinion, whether the user handles it, the draft; in the
# service the draft and the opinion locked, the handling check again, the last published change, the change's and
# the opinion's saves and the audit entry (its chain head read and moved), with their savepoints. However many
# changes came before: a few more than measured, so that a small change elsewhere does not break it.
PUBLISH_QUERIES = 24
STEPS = {"background": "需协调供电所", "measures": "本周内更换", "reason": "等待配件", "handler_name": "王工",
         "handler_contact": "0871-1234567"}


def _publish_after(station: Station, client: Any, earlier: int) -> int:
    """Publish a drafted solved reply through the page on an opinion with `earlier` published changes before it
    (its assignment at intake, then cannot solve for now and being solved in turn); the number of queries the
    POST took."""
    road = submit(station, what=f"路灯不亮（{earlier}）")
    with acting(None, "system"):
        for i in range(earlier - 1):
            services.reply(road, to_state=(State.CANNOT_SOLVE, State.IN_PROGRESS)[i % 2],
                           on=dt.date(2024, 12, 3 + i), **STEPS)
        draft = services.draft_reply(road, to_state=State.SOLVED, on=dt.date(2024, 12, 19), **REPLY)
    assert road.changes.filter(published_at__isnull=False).count() == earlier
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("opinion-reply-publish", args=[road.pk, draft.pk]))
    assert response.status_code == 302
    road.refresh_from_db()
    assert road.state == State.SOLVED and road.closed_on == dt.date(2024, 12, 19)
    assert road.changes.filter(published_at__isnull=False).count() == earlier + 1
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.latest("id").action == "opinions.to_solved"
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_publishing_a_reply_takes_the_same_queries_after_1_and_5_earlier_changes(cast: Cast,
                                                                                 station: Station) -> None:
    client = client_as(cast, "street_admin")
    assert client.get(reverse("opinion-list", args=["S"])).status_code == 200  # the session, warm
    one = _publish_after(station, client, 1)
    five = _publish_after(station, client, 5)
    assert one == five <= PUBLISH_QUERIES


@pytest.mark.django_db
def test_a_refused_move_is_shown_on_its_field_and_nothing_is_written(cast: Cast, station: Station) -> None:
    waiting = submit(station, category=station.other, what="其他问题")  # sorted by hand: still received
    assert waiting.state == State.RECEIVED
    client = client_as(cast, "street_admin")
    before = OpinionChange.objects.count()
    url = reverse("opinion-reply", args=[waiting.pk])

    response = client.post(url, posted("reply", "1", to_state="solved", on="2024-12-06", **REPLY))
    assert response.status_code == 400
    block = field_block(text(response), "to_state", "reply")
    assert "has-error" in block and "an opinion that is Received cannot become Solved" in block

    road = submit(station)
    response = client.post(reverse("opinion-reply", args=[road.pk]),
                           posted("reply", "1", to_state="solved", on="2024-12-06", **{**REPLY, "solution": ""}))
    assert response.status_code == 400
    assert "a reply that makes it Solved needs: how it was solved" in field_block(text(response), "solution", "reply")

    response = client.post(reverse("opinion-reply", args=[road.pk]),
                           posted("reply", "1", to_state="duplicate", on="2024-12-06", duplicate_of="S-2024-9999"))
    assert response.status_code == 400
    assert "No opinion of this station has the number S-2024-9999." in field_block(text(response), "duplicate_of",
                                                                                    "reply")

    response = client.post(reverse("opinion-reply", args=[road.pk]),
                           posted("reply", "1", to_state="solved", on="2024-12-23", **REPLY))
    assert response.status_code == 400
    assert "the date is in the future" in field_block(text(response), "on", "reply")

    assert OpinionChange.objects.count() == before + 1  # only the second opinion's assignment at intake
    waiting.refresh_from_db()
    road.refresh_from_db()
    assert waiting.state == State.RECEIVED and road.state == State.ASSIGNED


@pytest.mark.django_db
def test_marking_a_duplicate_by_number(cast: Cast, station: Station) -> None:
    first = submit(station)
    second = submit(station, received=dt.date(2024, 12, 3))
    client = client_as(cast, "street_admin")
    response = client.post(reverse("opinion-reply", args=[second.pk]),
                           posted("reply", "1", to_state="duplicate", on="2024-12-04", duplicate_of=first.number))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == State.DUPLICATE and second.duplicate_of == first
    html = text(client.get(reverse("opinion-detail", args=[second.pk])))
    assert re.search(rf'id="duplicate-of"><a href="{reverse("opinion-detail", args=[first.pk])}">{first.number}', html)


# --- routing, publishing, attachments ---------------------------------------------------------------

@pytest.mark.django_db
def test_assign_then_escalate(cast: Cast, station: Station) -> None:
    waiting = submit(station, category=station.other, what="其他问题")
    client = client_as(cast, "street_admin")
    html = text(client.get(reverse("opinion-detail", args=[waiting.pk])))
    assign = field_block(html, "to", "assign")
    assert f'value="dept:{station.department.pk}"' in assign and 'value="org:A"' in assign
    assert 'value="org:C"' not in assign  # another street's branch is not offered

    response = client.post(reverse("opinion-assign", args=[waiting.pk]),
                           posted("assign", to="org:A", on="2024-12-03", note="请支部处理"))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.ASSIGNED and waiting.handler_org == cast.branch_a

    response = client.post(reverse("opinion-escalate", args=[waiting.pk]), posted("escalate", on="2024-12-04"))
    assert response.status_code == 400 and "has-error" in field_block(text(response), "note", "escalate")
    assert Assignment.objects.filter(opinion=waiting).count() == 1

    response = client.post(reverse("opinion-escalate", args=[waiting.pk]),
                           posted("escalate", on="2024-12-04", note="涉及多个支部"))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.handler_org == cast.general
    html = text(client.get(reverse("opinion-detail", args=[waiting.pk])))
    assert "Escalated to the level above" in html and "涉及多个支部" in html and "请支部处理" in html

    response = client.post(reverse("opinion-assign", args=[waiting.pk]), posted("assign", to="org:G", on="2024-12-05"))
    assert response.status_code == 400
    assert "it is already there" in field_block(text(response), "to", "assign")


@pytest.mark.django_db
def test_publishing_for_the_public_and_attachments(cast: Cast, station: Station) -> None:
    road = submit(station)
    client = client_as(cast, "street_admin")
    assert client.post(reverse("opinion-set-published", args=[road.pk]), {"published": "1"}).status_code == 302
    road.refresh_from_db()
    assert road.published
    assert AuditEntry.objects.filter(action="opinions.publish", object_id=str(road.pk)).exists()
    html = text(client.get(reverse("opinion-detail", args=[road.pk])))
    assert 'data-published="yes"' in html and "Withdraw from the public" in html
    client.post(reverse("opinion-set-published", args=[road.pk]), {"published": "0"})
    road.refresh_from_db()
    assert not road.published

    photo = SimpleUploadedFile("路灯.png", PNG, content_type="image/png")
    response = client.post(reverse("opinion-attach", args=[road.pk]), posted("attach", file=photo, caption="现场照片"))
    assert response.status_code == 302
    item = OpinionAttachment.objects.get(opinion=road)
    html = text(client.get(reverse("opinion-detail", args=[road.pk])))
    assert "现场照片" in html
    download = client.get(reverse("opinion-attachment", args=[road.pk, item.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")


# --- contacts ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_revealing_a_contact_is_logged(cast: Cast, station: Station) -> None:
    road = submit(station, email="zhang@example.com")
    client = client_as(cast, "street_admin")
    html = text(client.get(reverse("opinion-detail", args=[road.pk])))
    assert "z***@example.com" in html and "zhang@example.com" not in html

    response = client.post(reverse("opinion-reveal", args=[road.pk, "phone"]), HTTP_HX_REQUEST="true")
    fragment = text(response)
    assert response.status_code == 200 and "13912345678" in fragment and "<html" not in fragment
    entry = AuditEntry.objects.filter(action="opinions.reveal_submitter_phone").get()
    assert entry.actor_id == cast.street_admin.pk and entry.object_id == str(road.pk)
    assert entry.org_id == cast.street.pk and entry.channel == "web"

    response = client.post(reverse("opinion-reveal", args=[road.pk, "email"]))  # without htmx: the whole page
    assert response.status_code == 200 and "zhang@example.com" in text(response) and "<html" in text(response)
    assert AuditEntry.objects.filter(action="opinions.reveal_submitter_email").count() == 1
    assert client.post(reverse("opinion-reveal", args=[road.pk, "text"])).status_code == 404


# --- staff entry ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_staff_enter_an_opinion_received_earlier_with_its_photo(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    response = client.post(reverse("opinion-new", args=["S"]), {
        "channel": "outlet", "received_on": "2024-12-02", "category": station.neighbours.pk,
        "text": "邻居占用楼道堆放杂物", "outlet": station.outlet_a.pk, "address": "东风小区3栋",
        "submitter_name": "刘阿姨", "submitter_phone": "139 1234 0000",
        "attachment": SimpleUploadedFile("意见单.png", PNG, content_type="image/png"), "caption": "纸质意见单"})
    opinion = Opinion.objects.get(text="邻居占用楼道堆放杂物")
    assert response.status_code == 302 and response["Location"] == reverse("opinion-detail", args=[opinion.pk])
    assert opinion.channel == "outlet" and opinion.received_on == dt.date(2024, 12, 2)
    assert opinion.territory == station.territory_a and opinion.handler_org == cast.branch_a  # the outlet's place
    assert opinion.submitter_phone == "13912340000" and opinion.recorded_by == cast.street_admin
    assert OpinionAttachment.objects.get(opinion=opinion).caption == "纸质意见单"
    html = text(client.get(response["Location"]))
    assert opinion.tracking_code in html  # told once, to pass on to the person who asked
    assert "纸质意见单" in html


@pytest.mark.django_db
def test_entry_errors_stay_on_the_form(cast: Cast, station: Station) -> None:
    client = client_as(cast, "street_admin")
    data = {"channel": "phone", "received_on": "2024-12-21", "category": station.roads.pk, "text": "井盖缺失"}
    response = client.post(reverse("opinion-new", args=["S"]), data)
    assert response.status_code == 400
    assert "the date is in the future" in field_block(text(response), "received_on")
    response = client.post(reverse("opinion-new", args=["S"]), {**data, "received_on": "2024-12-20",
                                                                 "submitter_phone": "abc"})
    assert "not a phone number" in field_block(text(response), "submitter_phone")
    response = client.post(reverse("opinion-new", args=["S"]), {**data, "channel": "outlet",
                                                                 "received_on": "2024-12-20"})
    assert "Choose the outlet" in field_block(text(response), "outlet")
    assert not Opinion.objects.exists()


@pytest.mark.django_db
def test_entry_needs_a_station_and_write_access(cast: Cast, station: Station) -> None:
    admin = client_as(cast, "street_admin")
    html = text(admin.get(reverse("opinion-new", args=["A"])))
    assert "runs no opinions station" in html and 'id="enter-opinion"' not in html
    assert reverse("opinion-setup", args=["A"]) in html  # who may write A may set up a station there

    # The secretary of A enters at the street's station; an opinion sorted by hand stays with the street.
    secretary = client_as(cast, "secretary")
    assert reverse("opinion-new", args=["S"]) in text(secretary.get(reverse("opinion-list", args=["A"])))
    response = secretary.post(reverse("opinion-new", args=["S"]), {
        "channel": "visit", "received_on": "2024-12-19", "category": station.other.pk, "text": "希望增加健身器材",
        "attachment": SimpleUploadedFile("照片.png", PNG, content_type="image/png")}, follow=True)
    opinion = Opinion.objects.get(text="希望增加健身器材")
    assert opinion.handler_org == cast.street and opinion.recorded_by == cast.secretary
    assert OpinionAttachment.objects.filter(opinion=opinion).exists()
    html = text(response)
    assert opinion.number in html and opinion.tracking_code in html and "outside what you can read" in html


# --- filters, export, queries -----------------------------------------------------------------------

@pytest.fixture
def mixed(cast: Cast, station: Station) -> dict[str, Opinion]:
    """Six opinions over two months: open and overdue, solved on time and late, rated, one duplicate."""
    ops = {
        "nov_road": submit(station, received=dt.date(2024, 11, 4), what="十一月路面坑洼"),
        "nov_quarrel": submit(station, category=station.neighbours, territory=station.territory_a,
                              received=dt.date(2024, 11, 5), what="十一月噪音扰民"),
        "dec_road": submit(station, received=dt.date(2024, 12, 2), what="十二月路灯不亮"),
        "dec_late": submit(station, received=dt.date(2024, 12, 2), what="十二月井盖缺失"),
        "dec_open": submit(station, received=dt.date(2024, 12, 18), what="十二月护栏损坏"),
        "dec_dup": submit(station, received=dt.date(2024, 12, 3), what="十二月路灯又坏"),
    }
    solve(ops["nov_road"], dt.date(2024, 11, 6))
    solve(ops["dec_road"], dt.date(2024, 12, 4))
    solve(ops["dec_late"], dt.date(2024, 12, 16))  # due 2024-12-09
    with acting(None, "system"):
        services.reply(ops["dec_dup"], to_state=State.DUPLICATE, on=dt.date(2024, 12, 4),
                       duplicate_of=ops["dec_road"])
        services.rate(ops["nov_road"].tracking_code, 5, on=dt.date(2024, 11, 10))
        services.rate(ops["dec_road"].tracking_code, 3, on=dt.date(2024, 12, 5))
    for o in ops.values():
        o.refresh_from_db()
    return ops


@pytest.mark.django_db
def test_filters_and_the_export_carry_the_same_rows(cast: Cast, mixed: dict[str, Opinion]) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("opinion-list", args=["S"])
    n = {k: o.number for k, o in mixed.items()}
    cases = [
        ({"month": "2024-11"}, {n["nov_road"], n["nov_quarrel"]}),
        ({"category": "neighbours"}, {n["nov_quarrel"]}),
        ({"state": "solved"}, {n["nov_road"], n["dec_road"], n["dec_late"]}),
        ({"state": "open"}, {n["nov_quarrel"], n["dec_open"]}),
        ({"overdue": "1"}, {n["nov_quarrel"]}),  # dec_open is due on 2024-12-25
        ({"handler": "A"}, {n["nov_quarrel"]}),
        ({"department": "none"}, {n["nov_quarrel"]}),
        ({"month": "2024-12", "state": "completed", "on_time": "1"}, {n["dec_road"]}),
        ({"rated": "1"}, {n["nov_road"], n["dec_road"]}),
        ({"q": "井盖"}, {n["dec_late"]}),
        ({"year": "2024", "state": "counted"}, set(n.values()) - {n["dec_dup"]}),
    ]
    for params, expected in cases:
        html = text(client.get(url, params))
        assert set(listed(html)) == expected, params
        rows = xlsx_rows(client.get(url, {**params, "format": "xlsx"}))
        assert rows[0][0] == "Number" and rows[0][6] == "Phone"
        assert {r[0] for r in rows[1:]} == expected, params
    html = text(client.get(url, {"overdue": "1"}))
    assert re.search(r'<p class="print-only" id="print-heading">.*Overdue only: yes', html)

    response = client.get(url, {"format": "xlsx"})
    assert 'filename="opinions-S-20241220.xlsx"' in response["Content-Disposition"]
    rows = {r[0]: r for r in xlsx_rows(response)[1:]}
    assert len(rows) == 6
    road = rows[n["dec_road"]]
    assert road[6] == "139****5678" and "13912345678" not in {str(v) for r in rows.values() for v in r}
    assert road[9] == "Solved" and road[13] == 3 and road[1] == dt.datetime(2024, 12, 2)

    html = text(client.get(url, {"month": "2024-13"}))
    assert "Enter a month such as 2024-03." in html and len(listed(html)) == 6


@pytest.mark.django_db
def test_the_list_queries_do_not_grow_with_the_opinions(cast: Cast, station: Station,
                                                        django_assert_max_num_queries: Any) -> None:
    submit(station)
    client = client_as(cast, "street_admin")
    url = reverse("opinion-list", args=["S"])
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(29):
        o = submit(station, category=(station.roads, station.neighbours, station.other)[i % 3],
                   territory=station.territory_a, received=dt.date(2024, 12, 1 + i % 19), what=f"意见{i}")
        if i % 4 == 0 and o.state == State.ASSIGNED:
            solve(o, dt.date(2024, 12, 19))
            with acting(None, "system"):
                services.rate(o.tracking_code, 4, on=dt.date(2024, 12, 20))
    assert Opinion.objects.count() == 30
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = text(client.get(url))
    assert len(listed(html)) == 30
    assert len(one.captured_queries) <= 15


# --- statistics -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_statistics_table_chart_links_and_export(cast: Cast, mixed: dict[str, Opinion]) -> None:
    client = client_as(cast, "street_admin")
    html = text(client.get(reverse("opinion-stats", args=["S"]), {"year": "2024"}))

    def figures(row_html: str) -> dict[str, str]:
        return dict(re.findall(r'data-figure="(\w+)">(?:<a href="[^"]*">)?([^<]*)<', row_html))

    months = re.search(r'<table class="compact stats-table" id="months-table">.*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    nov = re.search(r'<tr data-key="2024-11">.*?</tr>', months, re.S).group(0)  # type: ignore[union-attr]
    dec = re.search(r'<tr data-key="2024-12">.*?</tr>', months, re.S).group(0)  # type: ignore[union-attr]
    total = re.search(r'<tr data-key="" class="total">.*?</tr>', months, re.S).group(0)  # type: ignore[union-attr]
    assert figures(nov) == {"received": "2", "completed": "1", "completion_rate": "50.0%", "on_time": "1",
                            "on_time_rate": "100.0%", "still_open": "1", "overdue": "1", "rated": "1",
                            "average_rating": "5.00", "satisfaction_rate": "100.0%"}
    assert figures(dec) == {"received": "3", "completed": "2", "completion_rate": "66.7%", "on_time": "1",
                            "on_time_rate": "50.0%", "still_open": "1", "overdue": "0", "rated": "1",
                            "average_rating": "3.00", "satisfaction_rate": "0.0%"}
    assert figures(total)["received"] == "5" and figures(total)["satisfaction_rate"] == "50.0%"

    # Every count opens the list with the matching filters, and the list carries that many rows.
    client_list = reverse("opinion-list", args=["S"])
    for row, key in ((nov, "overdue"), (dec, "completed"), (dec, "on_time"), (total, "received")):
        link = re.search(rf'data-figure="{key}"><a href="([^"]+)">(\d+)<', row)
        assert link and link.group(1).startswith(client_list)
        assert len(listed(text(client.get(link.group(1).replace("&amp;", "&"))))) == int(link.group(2)), key
    assert f'href="{client_list}?month=2024-12&amp;state=completed&amp;on_time=1"' in dec

    departments = re.search(r'id="departments-table">.*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "Urban management office" in departments and "(no department)" in departments
    states = re.search(r'id="states-table">.*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r'data-state="solved"><th scope="row">Solved</th><td class="num"><a href="[^"]*state=solved">3<',
                     states)
    assert "Cannot be solved for now" in states and "Being solved" in states
    assert "the share of rated opinions whose latest rating is 4 or 5" in html

    chart = json.loads(re.search(r'<script id="opinion-chart-data" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))  # type: ignore[union-attr]
    assert chart["labels"][10:] == ["2024-11", "2024-12"]
    assert chart["received"][10:] == [2, 3] and chart["completed"][10:] == [1, 2]
    assert chart["satisfaction"][10:] == [100.0, 0.0] and chart["satisfaction"][0] is None

    from openpyxl import load_workbook

    response = client.get(reverse("opinion-stats", args=["S"]), {"year": "2024", "format": "xlsx"})
    assert 'filename="opinion-stats-S-2024.xlsx"' in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["By month", "By department", "By category", "By organization", "By state",
                             "Definitions"]
    month_rows = list(wb["By month"].iter_rows(values_only=True))
    assert month_rows[0][:3] == ("Month", "Received", "Completed")
    assert month_rows[11][:4] == ("2024-11", 2, 1, 50.0) and month_rows[13][:2] == ("Total", 5)


@pytest.mark.django_db
def test_the_statistics_as_of_an_earlier_day(cast: Cast, mixed: dict[str, Opinion]) -> None:
    client = client_as(cast, "street_admin")
    html = text(client.get(reverse("opinion-stats", args=["S"]), {"year": "2024", "as_of": "2024-11-30"}))
    assert "as they stood on 2024-11-30" in html
    dec = re.search(r'<tr data-key="2024-12">.*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert 'data-figure="received"><a href="' in dec and re.search(r'data-figure="received"><a [^>]*>0<', dec)


def test_the_station_list_links_its_public_pages_and_posters(station: Station, cast: Cast) -> None:
    page = text(client_as(cast, "street_admin").get(f"/orgs/{station.org.code}/opinions/"))
    for url in (f"/p/{station.org.code}/", f"/p/{station.org.code}/published/", "/p/track/",
                f"/p/{station.org.code}/poster/{station.outlet_a.code}/"):
        assert f'href="{url}"' in page
    branch = text(client_as(cast, "street_admin").get(f"/orgs/{cast.branch_a.code}/opinions/"))
    assert 'id="station-public"' not in branch  # a branch runs no station


def test_a_departments_monthly_statistics_page(station: Station, cast: Cast) -> None:
    with acting(None, "system"):
        services.submit_opinion(station.org, text="路灯不亮", category=station.roads, channel="phone",
                                received_on=dt.date(2024, 3, 4))
        services.submit_opinion(station.org, text="邻居噪音", category=station.other, channel="phone",
                                received_on=dt.date(2024, 3, 5))
    client = client_as(cast, "street_admin")
    whole = text(client.get(f"/orgs/{station.org.code}/opinions/stats/?year=2024"))
    link = f"/orgs/{station.org.code}/opinions/stats/?year=2024&amp;department={station.department.pk}"
    assert link in whole  # the department's row opens its own monthly figures
    page = client.get(f"/orgs/{station.org.code}/opinions/stats/?year=2024&department={station.department.pk}")
    body = text(page)
    assert 'id="department-name"' in body and station.department.name in body
    total = re.search(r'<tr data-key="" class="total">.*?data-figure="received"><a href="([^"]+)">(\d+)</a>', body,
                      re.S)
    assert total is not None and total.group(2) == "1"  # only the roads opinion
    assert f"department={station.department.pk}" in total.group(1)
