"""Transfers: request, accept, return, cancel, transfers in from outside; permissions; atomicity under a race."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from conftest import build_cast, run_acting
from grassroots.access.models import Role
from grassroots.access.scope import scope_for
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.members import services
from grassroots.members.models import Member, MemberEvent, MemberPeriod, Standing, Transfer, TransferState
from grassroots.members.selectors import members_of_on
from grassroots.members.transfers import (
    transfer_accept,
    transfer_cancel,
    transfer_in,
    transfer_request,
    transfer_return,
)
from grassroots.orgs.services import org_revoke

D = dt.date
ON = D(2024, 3, 1)
LATER = D(2024, 3, 15)


def secretary_of(org: Any, username: str) -> Any:
    user = get_user_model().objects.create_user(username=username, password="x-pass-123")
    Role.objects.create(user=user, kind="secretary", org=org)
    return user


def request_a_to_b(cast: Any, **kw: Any) -> Transfer:
    with acting(cast.secretary, "web"):
        return transfer_request(cast.member_a2, to_org=cast.branch_b, on=ON, reason="moved house", **kw)


def counts() -> tuple[int, int, int, int]:
    return (Transfer.objects.count(), MemberEvent.objects.count(), AuditEntry.objects.count(),
            MemberPeriod.objects.count())


def states() -> list[tuple[int, str, Any]]:
    return list(Transfer.objects.order_by("pk").values_list("pk", "state", "decided_on"))


# --- request ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_request_is_pending_and_moves_nobody(cast: Any) -> None:
    transfer = request_a_to_b(cast, letter_number="2024-017")
    assert transfer.state == TransferState.PENDING
    assert (transfer.from_org, transfer.to_org, transfer.requested_on) == (cast.branch_a, cast.branch_b, ON)
    cast.member_a2.refresh_from_db()
    assert cast.member_a2.org == cast.branch_a
    assert list(members_of_on(cast.branch_b, LATER)) == [cast.member_b]
    entry = AuditEntry.objects.get(action="transfer.request")
    assert (entry.actor_name, entry.org_id, entry.object_id) == ("secretary", cast.branch_a.pk, str(transfer.pk))


@pytest.mark.django_db
def test_request_to_an_outside_organization(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        transfer = transfer_request(cast.member, to_outside="  某县某镇党委  ", on=ON)
    assert transfer.to_org is None and transfer.to_outside == "某县某镇党委"


def _revoked(cast: Any) -> Any:
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        old = org_create(code="OLD", name="旧支部", kind="branch", founded_on=D(2000, 1, 1), parent=cast.general)
        return org_revoke(old, on=D(2010, 1, 1))


def _suspended(cast: Any) -> Any:
    with acting(None, "system"):
        services.member_record_event(cast.member_a2, kind="suspended", on=D(2020, 1, 1))
    return cast.member_a2


REFUSALS: dict[str, tuple[Callable[[Any], dict[str, Any]], str]] = {
    "own org": (lambda c: {"to_org": c.branch_a}, "to_org"),
    "party group": (lambda c: {"to_org": c.group_a1}, "to_org"),
    "revoked org": (lambda c: {"to_org": _revoked(c)}, "to_org"),
    "future date": (lambda c: {"on": D.today() + dt.timedelta(days=2)}, "on"),
    "before the last event": (lambda c: {"on": D(2006, 6, 30)}, "on"),
    "both receivers": (lambda c: {"to_outside": "某单位"}, "to_org"),
    "no receiver": (lambda c: {"to_org": None}, "to_org"),
    "not active": (lambda c: {"member": _suspended(c)}, "member"),
    "reason too long": (lambda c: {"reason": "x" * 301}, "reason"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(REFUSALS))
def test_request_refusals_write_nothing(cast: Any, case: str) -> None:
    make, field = REFUSALS[case]
    args: dict[str, Any] = {"member": cast.member_a2, "to_org": cast.branch_b, "on": ON}
    args.update(make(cast))
    before = counts()
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as err:
        transfer_request(args.pop("member"), **args)
    assert err.value.field == field
    assert counts() == before


@pytest.mark.django_db
def test_a_second_pending_transfer_is_refused(cast: Any) -> None:
    request_a_to_b(cast)
    before = counts()
    with acting(cast.secretary, "web"), pytest.raises(RuleError, match="already has a pending transfer"):
        transfer_request(cast.member_a2, to_outside="某单位", on=ON)
    assert counts() == before


@pytest.mark.django_db
def test_the_database_refuses_two_pending_transfers_too(cast: Any) -> None:
    from django.db import IntegrityError, transaction

    request_a_to_b(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(member=cast.member_a2, from_org=cast.branch_a, to_outside="某单位", requested_on=ON)


@pytest.mark.django_db
def test_only_a_writer_of_the_member_may_ask(cast: Any) -> None:
    before = counts()
    for user in (cast.auditor, cast.member_user, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            transfer_request(cast.member_a2, to_org=cast.branch_b, on=ON)
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        transfer_request(cast.member_b, to_org=cast.branch_a, on=ON)
    assert counts() == before


# --- accept, return, cancel ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_receiving_secretary_accepts_and_the_member_moves_on_that_day(cast: Any) -> None:
    transfer = request_a_to_b(cast)
    sec_b = secretary_of(cast.branch_b, "sec_b")
    with acting(sec_b, "web"):
        accepted = transfer_accept(transfer, on=LATER)
    assert (accepted.state, accepted.decided_on) == (TransferState.ACCEPTED, LATER)
    m = Member.objects.get(pk=cast.member_a2.pk)
    assert m.org == cast.branch_b and m.standing == Standing.ACTIVE
    periods = list(m.periods.order_by("start").values_list("org_id", "start", "end"))
    assert periods[-2:] == [(cast.branch_a.pk, D(2006, 7, 1), LATER), (cast.branch_b.pk, LATER, None)]
    day_before = LATER - dt.timedelta(days=1)
    assert m in members_of_on(cast.branch_a, day_before) and m not in members_of_on(cast.branch_b, day_before)
    assert m in members_of_on(cast.branch_b, LATER) and m not in members_of_on(cast.branch_a, LATER)
    event = m.events.get(kind="transferred")
    assert (event.date, event.org, event.details) == (LATER, cast.branch_b, {"transfer": transfer.pk})
    entry = AuditEntry.objects.get(action="transfer.accept")
    assert (entry.actor_name, entry.org_id) == ("sec_b", cast.branch_b.pk)
    assert AuditEntry.objects.filter(action="member.transferred", object_id=str(m.pk), actor_name="sec_b").exists()


@pytest.mark.django_db
def test_the_sending_secretary_cannot_accept_and_the_outsider_sees_nothing(cast: Any) -> None:
    transfer = request_a_to_b(cast)
    before = (counts(), states())
    for user in (cast.secretary, cast.outsider, cast.auditor, cast.member_user):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            transfer_accept(transfer, on=LATER)
    assert (counts(), states()) == before
    assert transfer in scope_for(cast.secretary).transfers()
    assert transfer in scope_for(secretary_of(cast.branch_b, "sec_b")).transfers()
    assert not scope_for(cast.outsider).transfers().exists()
    assert not scope_for(cast.member_user).transfers().exists()


@pytest.mark.django_db
def test_return_by_the_receiving_side(cast: Any) -> None:
    transfer = request_a_to_b(cast)
    sec_b = secretary_of(cast.branch_b, "sec_b")
    before = (counts(), states())
    with acting(sec_b, "web"), pytest.raises(RuleError) as err:
        transfer_return(transfer, on=LATER, reason="  ")
    assert err.value.field == "reason"
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        transfer_return(transfer, on=LATER, reason="no")
    assert (counts(), states()) == before
    with acting(sec_b, "web"):
        returned = transfer_return(transfer, on=LATER, reason="no such address")
    assert (returned.state, returned.reason) == (TransferState.REJECTED, "no such address")
    assert Member.objects.get(pk=cast.member_a2.pk).org == cast.branch_a
    # the member may be sent again once the first request is decided
    with acting(cast.secretary, "web"):
        assert transfer_request(cast.member_a2, to_org=cast.branch_b, on=LATER).state == TransferState.PENDING


@pytest.mark.django_db
def test_cancel_by_the_sending_side_only(cast: Any) -> None:
    transfer = request_a_to_b(cast)
    sec_b = secretary_of(cast.branch_b, "sec_b")
    with acting(sec_b, "web"), pytest.raises(PermissionDeniedError):
        transfer_cancel(transfer, on=LATER)
    with acting(cast.secretary, "web"):
        cancelled = transfer_cancel(transfer, on=LATER)
    assert cancelled.state == TransferState.CANCELLED
    before = (counts(), states())
    with acting(sec_b, "web"), pytest.raises(RuleError, match="no longer pending"):
        transfer_accept(transfer, on=LATER)
    assert (counts(), states()) == before
    assert Member.objects.get(pk=cast.member_a2.pk).org == cast.branch_a


@pytest.mark.django_db
def test_decisions_refuse_bad_dates_and_decided_transfers(cast: Any) -> None:
    transfer = request_a_to_b(cast)
    sec_b = secretary_of(cast.branch_b, "sec_b")
    before = (counts(), states())
    with acting(sec_b, "web"):
        for on in (ON - dt.timedelta(days=1), D.today() + dt.timedelta(days=1)):
            with pytest.raises(RuleError) as err:
                transfer_accept(transfer, on=on)
            assert err.value.field == "on"
    assert (counts(), states()) == before
    with acting(sec_b, "web"):
        transfer_accept(transfer, on=ON)  # the same day as the request is fine
    before = (counts(), states())
    with acting(cast.secretary, "web"), pytest.raises(RuleError, match="no longer pending"):
        transfer_cancel(transfer, on=LATER)
    with acting(sec_b, "web"), pytest.raises(RuleError, match="no longer pending"):
        transfer_accept(transfer, on=LATER)
    assert (counts(), states()) == before


@pytest.mark.django_db
def test_accept_refused_when_the_member_was_moved_meanwhile(cast: Any) -> None:
    transfer = request_a_to_b(cast)
    with acting(None, "system"):
        services.member_reassign(cast.member_a2, to_org=cast.general, on=ON, reason="reorganized")
    before = (counts(), states())
    with acting(secretary_of(cast.branch_b, "sec_b"), "web"), pytest.raises(RuleError, match="no longer belongs"):
        transfer_accept(transfer, on=LATER)
    assert (counts(), states()) == before


# --- outside the platform ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_out_to_another_province_and_back_in(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        transfer = transfer_request(cast.member_a2, to_outside="某省某县委组织部", on=ON, letter_number="No.9")
    sec_b = secretary_of(cast.branch_b, "sec_b")
    with acting(sec_b, "web"), pytest.raises(PermissionDeniedError):
        transfer_accept(transfer, on=LATER)  # only the sending side can confirm the letter arrived
    with acting(cast.secretary, "web"):
        transfer_accept(transfer, on=LATER)
    m = Member.objects.get(pk=cast.member_a2.pk)
    assert m.org is None and m.standing == Standing.TRANSFERRED_OUT
    assert m not in members_of_on(cast.branch_a, LATER) and m in members_of_on(cast.branch_a, LATER - dt.timedelta(1))
    # Two years later the member comes back to B.
    back = D(2025, 1, 10)
    with acting(sec_b, "web"):
        returned = transfer_in(m, org=cast.branch_b, on=back, from_outside="某省某县委组织部")
    assert returned.org == cast.branch_b and returned.standing == Standing.ACTIVE
    assert returned.status == "full" and returned.occupation == "in_service"
    event = returned.events.get(kind="transferred_in")
    assert event.details["from_outside"] == "某省某县委组织部"
    assert m in members_of_on(cast.branch_b, back) and m not in members_of_on(cast.branch_b, back - dt.timedelta(1))


@pytest.mark.django_db
def test_transfer_in_refusals(cast: Any) -> None:
    before = counts()
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError, match="did not transfer out"):
            transfer_in(cast.member_a2, org=cast.branch_a, on=ON, from_outside="某单位")
        with pytest.raises(RuleError) as err:
            transfer_in(cast.member_a2, org=cast.branch_a, on=ON, from_outside=" ")
        assert err.value.field == "from_outside"
        with pytest.raises(PermissionDeniedError):
            transfer_in(cast.member_a2, org=cast.branch_b, on=ON, from_outside="某单位")
    assert counts() == before


def _person(**kw: Any) -> dict[str, Any]:
    birth = D(1988, 2, 3)
    data: dict[str, Any] = dict(name="外来人", sex="F", birth_date=birth, id_number=idnumber.make("110105", birth, 432),
                                education="college", occupation="in_service", joined_on=D(2012, 6, 20),
                                status="full", converted_on=D(2013, 6, 20))
    data.update(kw)
    return data


@pytest.mark.django_db
def test_transfer_in_a_new_person_from_their_file(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        member = transfer_in(_person(), org=cast.branch_a, on=ON, from_outside="某市某局机关党委")
    assert (member.org, member.status, member.joined_on, member.converted_on) == (
        cast.branch_a, "full", D(2012, 6, 20), D(2013, 6, 20))
    joined = member.events.get(kind="joined")
    assert "某市某局机关党委" in joined.note and "2024-03-01" in joined.note
    entry = AuditEntry.objects.get(action="member.transferred_in", object_id=str(member.pk))
    assert entry.changes["extra"]["from_outside"] == "某市某局机关党委"


@pytest.mark.django_db
def test_transfer_in_a_new_person_refusals(cast: Any) -> None:
    before = counts()
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as err:
            transfer_in(_person(), org=cast.branch_a, on=D(2011, 1, 1), from_outside="某单位")
        assert err.value.field == "on"
        with pytest.raises(RuleError) as err:
            transfer_in(_person(id_number=cast.member_b.id_number, birth_date=cast.member_b.birth_date), org=cast.branch_a, on=ON, from_outside="某单位")
        assert err.value.field == "id_number"
        with pytest.raises(RuleError) as err:
            transfer_in(_person(), org=cast.group_a1, on=ON, from_outside="某单位")
        assert err.value.field == "org"
    assert counts() == before


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and two concurrent connections: PostgreSQL only (SQLite in memory has neither)",
)


# --- the race ------------------------------------------------------------------------------------------------

@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_accept_and_cancel_race_only_one_wins() -> None:
    """Two threads on two database connections: an accept and a cancel of the same transfer."""
    cast = build_cast()
    sec_b = secretary_of(cast.branch_b, "sec_b")
    winners = {"accept": 0, "cancel": 0}
    for round_ in range(4):
        member = cast.member_a2 if round_ % 2 == 0 else cast.member
        member = Member.objects.get(pk=member.pk)
        with acting(None, "system"):
            transfer = transfer_request(member, to_org=cast.branch_b if member.org == cast.branch_a else cast.branch_a,
                                        on=ON + dt.timedelta(days=round_))
        to_org, from_org = transfer.to_org, transfer.from_org
        accepting = sec_b if to_org == cast.branch_b else cast.secretary
        cancelling = cast.secretary if from_org == cast.branch_a else sec_b
        out: dict[str, Any] = {}
        start = threading.Barrier(2)
        day = transfer.requested_on
        threads = [
            threading.Thread(target=run_acting, args=(accepting, lambda t=transfer, d=day: transfer_accept(t, on=d), out,
                                                "accept", start)),
            threading.Thread(target=run_acting, args=(cancelling, lambda t=transfer, d=day: transfer_cancel(t, on=d), out,
                                                "cancel", start)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        errors = [k for k, v in out.items() if isinstance(v, RuleError)]
        assert len(out) == 2 and len(errors) == 1, out
        assert "no longer pending" in str(out[errors[0]])
        won = "accept" if errors == ["cancel"] else "cancel"
        winners[won] += 1
        transfer.refresh_from_db()
        member.refresh_from_db()
        if won == "accept":
            assert transfer.state == TransferState.ACCEPTED and member.org == to_org
            assert member.events.filter(kind="transferred", details__transfer=transfer.pk).count() == 1
        else:
            assert transfer.state == TransferState.CANCELLED and member.org == from_org
            assert not member.events.filter(kind="transferred", details__transfer=transfer.pk).exists()
        # never in two places, nor in none
        assert MemberPeriod.objects.on(day).filter(member=member).count() == 1
        assert MemberPeriod.objects.on(day).get(member=member).org == member.org
    assert sum(winners.values()) == 4


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_cancel_waits_for_the_accept_holding_the_lock() -> None:
    """Deterministic: the accept holds the row lock in an open transaction; the cancel blocks on it, then
    sees the accepted transfer and is refused."""
    from django.db import transaction

    cast = build_cast()
    sec_b = secretary_of(cast.branch_b, "sec_b")
    with acting(None, "system"):
        transfer = transfer_request(cast.member_a2, to_org=cast.branch_b, on=ON)
    locked, release = threading.Event(), threading.Event()
    out: dict[str, Any] = {}

    def accept_and_hold() -> Any:
        with transaction.atomic():
            result = transfer_accept(transfer, on=LATER)
            locked.set()
            release.wait(10)
        return result

    first = threading.Thread(target=run_acting, args=(sec_b, accept_and_hold, out, "accept", None))
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=run_acting, args=(cast.secretary, lambda: transfer_cancel(transfer, on=LATER), out,
                                                 "cancel", None))
    second.start()
    time.sleep(0.5)
    assert second.is_alive() and "cancel" not in out  # waiting for the lock
    release.set()
    first.join(10)
    second.join(10)
    assert isinstance(out["accept"], Transfer) and isinstance(out["cancel"], RuleError)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.ACCEPTED
    assert Member.objects.get(pk=cast.member_a2.pk).org == cast.branch_b


# --- the API -------------------------------------------------------------------------------------------------

def _client(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the API answers in the language the client asks for
    client.force_login(user)
    return client


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    import json

    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_api_request_accept_and_scoped_list(cast: Any) -> None:
    sec = _client(cast.secretary)
    response = _post(sec, "/api/transfers/", {"member": cast.member_a2.pk, "to_org": "B", "on": "2024-03-01",
                                               "reason": "工作调动"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["from_org"], body["to_org"], body["state"], body["member_name"]) == ("A", "B", "pending", "王强")
    pk = body["id"]
    assert [t["id"] for t in sec.get("/api/transfers/").json()["results"]] == [pk]
    assert _client(cast.outsider).get("/api/transfers/").json()["results"] == []
    assert _client(cast.outsider).get(f"/api/transfers/{pk}/").status_code == 404
    # the sending side cannot accept; the receiving side can
    assert _post(sec, f"/api/transfers/{pk}/accept/", {"on": "2024-03-15"}).status_code == 403
    sec_b = _client(secretary_of(cast.branch_b, "sec_b"))
    assert sec_b.get(f"/api/transfers/{pk}/").json()["member_name"] == "王强"
    response = _post(sec_b, f"/api/transfers/{pk}/accept/", {"on": "2024-03-15"})
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert Member.objects.get(pk=cast.member_a2.pk).org == cast.branch_b
    response = _post(sec, f"/api/transfers/{pk}/cancel/", {"on": "2024-03-16"})
    assert response.status_code == 400 and "no longer pending" in response.json()["detail"]  # A still reads it
    entry = AuditEntry.objects.get(action="transfer.accept")
    assert (entry.actor_name, entry.channel) == ("sec_b", "api")


@pytest.mark.django_db
def test_api_refusals_say_why_and_write_nothing(cast: Any) -> None:
    sec = _client(cast.secretary)
    before = counts()
    response = _post(sec, "/api/transfers/", {"member": cast.member_a2.pk, "to_org": "A1", "on": "2024-03-01"})
    assert response.status_code == 400 and response.json()["field"] == "to_org"
    response = _post(sec, "/api/transfers/", {"member": cast.member_a2.pk, "to_org": "NOPE", "on": "2024-03-01"})
    assert response.status_code == 400 and response.json()["field"] == "to_org"
    response = _post(sec, "/api/transfers/", {"member": cast.member_c.pk, "to_org": "A", "on": "2024-03-01"})
    assert response.status_code == 400 and response.json()["field"] == "member"
    response = _post(sec, "/api/transfers/", {"member": cast.member_a2.pk, "to_org": "B", "on": "someday"})
    assert response.status_code == 400 and "on" in response.json()
    assert counts() == before
    transfer = request_a_to_b(cast)
    sec_b = _client(secretary_of(cast.branch_b, "sec_b"))
    response = _post(sec_b, f"/api/transfers/{transfer.pk}/return/", {"on": "2024-03-15", "reason": ""})
    assert response.status_code == 400
    response = _post(sec_b, f"/api/transfers/{transfer.pk}/return/", {"on": "2024-03-15", "reason": "查无此人"})
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    response = _post(sec, f"/api/transfers/{transfer.pk}/cancel/", {"on": "2024-03-16"})
    assert response.status_code == 400 and "no longer pending" in response.json()["detail"]


# --- the page ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_transfers_page_lists_incoming_and_outgoing_with_their_buttons(cast: Any) -> None:
    from django.urls import reverse

    transfer = request_a_to_b(cast)
    sec = _client(cast.secretary)
    sec.cookies["django_language"] = "en"
    html = sec.get(reverse("transfers")).content.decode()
    outgoing = html.split('id="outgoing"')[1].split("</section>")[0]
    incoming = html.split('id="incoming"')[1].split("</section>")[0]
    assert "王强" in outgoing and reverse("transfer-cancel", args=[transfer.pk]) in outgoing
    assert reverse("transfer-accept", args=[transfer.pk]) not in html
    assert "王强" not in incoming
    sec_b = _client(secretary_of(cast.branch_b, "sec_b"))
    html = sec_b.get(reverse("transfers")).content.decode()
    incoming = html.split('id="incoming"')[1].split("</section>")[0]
    assert reverse("transfer-accept", args=[transfer.pk]) in incoming
    assert reverse("transfer-return", args=[transfer.pk]) in incoming
    assert "王强" not in _client(cast.outsider).get(reverse("transfers")).content.decode()
    # the sending secretary cannot accept through the page either
    response = sec.post(reverse("transfer-accept", args=[transfer.pk]), {"on": "2024-03-15"})
    assert response.status_code == 403
    response = sec_b.post(reverse("transfer-accept", args=[transfer.pk]), {"on": "2024-03-15"})
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.member_a2.pk).org == cast.branch_b
    html = sec_b.get(reverse("transfers")).content.decode()
    assert "王强" in html.split('id="recent"')[1]


@pytest.mark.django_db
def test_transfers_page_starts_a_transfer_with_writable_members_only(cast: Any) -> None:
    from django.urls import reverse

    sec = _client(cast.secretary)
    sec.cookies["django_language"] = "en"
    html = sec.get(reverse("transfers")).content.decode()
    form = html.split('id="start"')[1]
    assert f'value="{cast.member_a2.pk}"' in form and f'value="{cast.member_b.pk}"' not in form
    before = counts()
    response = sec.post(reverse("transfers"), {"member": cast.member_b.pk, "to_org": "A", "on": "2024-03-01"})
    assert response.status_code == 200 and counts() == before  # not a choice
    response = sec.post(reverse("transfers"), {"member": cast.member_a2.pk, "to_org": "A", "on": "2024-03-01"})
    assert response.status_code == 200 and counts() == before  # own organization: the service refuses
    assert "already belongs to" in response.content.decode()
    response = sec.post(reverse("transfers"), {"member": cast.member_a2.pk, "to_outside": "某省某县委组织部",
                                               "on": "2024-03-01", "letter_number": "No.5"})
    assert response.status_code == 302
    transfer = Transfer.objects.get(member=cast.member_a2)
    assert (transfer.to_outside, transfer.letter_number, transfer.state) == ("某省某县委组织部", "No.5", "pending")
    # the sending side confirms the letter arrived, from the outgoing list
    html = sec.get(reverse("transfers")).content.decode()
    assert reverse("transfer-accept", args=[transfer.pk]) in html.split('id="outgoing"')[1].split("</section>")[0]
    assert _client(cast.member_user).post(reverse("transfers"), {"member": cast.member.pk, "to_outside": "x",
                                                                  "on": "2024-03-01"}).status_code == 403
    assert 'id="start"' not in _client(cast.auditor).get(reverse("transfers")).content.decode()
