"""Mobile out and back, suspension on lost contact, restoration and removal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.members.lifecycle_services import (
    add_months,
    mobile_back,
    mobile_out,
    mobile_report_due,
    removal_allowed_from,
    remove,
    restore,
    suspend,
)
from grassroots.members.models import Member, MemberEvent, MemberPeriod, Standing
from grassroots.members.selectors import members_of_on
from grassroots.rules.registry import in_force

D = dt.date


def counts() -> tuple[int, int, int]:
    return MemberEvent.objects.count(), MemberPeriod.objects.count(), AuditEntry.objects.count()


def fresh(member: Any) -> Member:
    return Member.objects.get(pk=member.pk)


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(D(2020, 1, 15), 6) == D(2020, 7, 15)
    assert add_months(D(2020, 8, 31), 6) == D(2021, 2, 28)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert add_months(D(2020, 11, 30), 24) == D(2022, 11, 30)


def test_lifecycle_rules_are_data_in_force() -> None:
    assert in_force("lifecycle.lost_contact_suspend", D(2024, 1, 1)).params == {"months": 6}
    assert in_force("lifecycle.lost_contact_remove", D(2024, 1, 1)).cite == "lifecycle.lost_contact_remove@default"
    assert removal_allowed_from(D(2021, 5, 10)) == D(2023, 5, 10)
    assert mobile_report_due(None, last_contact=D(2023, 2, 1)) == D(2024, 2, 1)  # type: ignore[arg-type]


# --- mobile --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_mobile_out_and_back(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        out = mobile_out(cast.member_a2, on=D(2023, 4, 1), destination="广东省深圳市", contact="微信 wq2023")
        assert fresh(cast.member_a2).mobile is True
        back = mobile_back(cast.member_a2, on=D(2024, 2, 1))
    assert out.details == {"destination": "广东省深圳市", "contact": "微信 wq2023"}
    assert back.details == {"away_since": "2023-04-01", "destination": "广东省深圳市"}
    m = fresh(cast.member_a2)
    assert m.mobile is False and m.org == cast.branch_a
    assert MemberPeriod.objects.on(D(2023, 10, 1)).get(member=m).mobile is True
    assert MemberPeriod.objects.on(D(2024, 2, 1)).get(member=m).mobile is False
    assert AuditEntry.objects.filter(action="member.mobile_out", actor_name="secretary").count() == 1


@pytest.mark.django_db
def test_mobile_refusals_write_nothing(cast: Any) -> None:
    before = counts()
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as err:
            mobile_out(cast.member_a2, on=D(2023, 4, 1), destination=" ")
        assert err.value.field == "destination"
        with pytest.raises(RuleError, match="was not mobile"):
            mobile_back(cast.member_a2, on=D(2023, 4, 1))
        with pytest.raises(RuleError) as err:
            mobile_out(cast.member_a2, on=timezone.localdate() + dt.timedelta(days=1), destination="北京")
        assert err.value.field == "on"
        with pytest.raises(PermissionDeniedError):
            mobile_out(cast.member_b, on=D(2023, 4, 1), destination="北京")
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        mobile_out(cast.member_a2, on=D(2023, 4, 1), destination="北京")
    assert counts() == before
    with acting(cast.secretary, "web"):
        mobile_out(cast.member_a2, on=D(2023, 4, 1), destination="北京")
        before = counts()
        with pytest.raises(RuleError, match="already mobile"):
            mobile_out(cast.member_a2, on=D(2023, 5, 1), destination="上海")
    assert counts() == before


# --- suspension, restoration, removal -----------------------------------------------------------------------

@pytest.mark.django_db
def test_suspension_boundary_is_six_months(cast: Any) -> None:
    since = D(2023, 8, 31)
    decision = "支部委员会2024年2月会议决定，街道党工委批准"
    before = counts()
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as err:
            suspend(cast.member_a2, on=D(2024, 2, 28), lost_contact_since=since, decision=decision)
        assert err.value.field == "lost_contact_since"
        assert "lifecycle.lost_contact_suspend@default" in err.value.message and "2024-02-29" in err.value.message
        assert counts() == before
        event = suspend(cast.member_a2, on=D(2024, 2, 29), lost_contact_since=since, decision=decision)
    assert event.kind == "suspended" and event.details["lost_contact_since"] == "2023-08-31"
    assert event.details["rule"] == "lifecycle.lost_contact_suspend@default"
    m = fresh(cast.member_a2)
    assert m.standing == Standing.SUSPENDED
    assert MemberPeriod.objects.on(D(2024, 2, 29)).get(member=m).suspended is True
    assert MemberPeriod.objects.on(D(2024, 2, 28)).get(member=m).suspended is False
    assert m in members_of_on(cast.branch_a, D(2024, 3, 1))  # suspended, still on the branch's books


@pytest.mark.django_db
def test_suspension_follows_the_rule_version_in_force(cast: Any, settings: Any) -> None:
    settings.GRASSROOTS_RULE_OVERRIDES = {"lifecycle.lost_contact_suspend": {"months": 12}}
    with acting(cast.secretary, "web"), pytest.raises(RuleError, match="12 months"):
        suspend(cast.member_a2, on=D(2024, 3, 1), lost_contact_since=D(2023, 8, 1), decision="决定")


@pytest.mark.django_db
def test_suspension_refusals(cast: Any) -> None:
    before = counts()
    with acting(cast.secretary, "web"):
        for kw, field in (({"decision": " "}, "decision"),
                          ({"lost_contact_since": D(2024, 5, 1)}, "lost_contact_since"),
                          ({"on": timezone.localdate() + dt.timedelta(days=1)}, "on")):
            args: dict[str, Any] = {"on": D(2024, 3, 1), "lost_contact_since": D(2023, 1, 1), "decision": "决定"}
            args.update(kw)
            with pytest.raises(RuleError) as err:
                suspend(cast.member_a2, **args)
            assert err.value.field == field
        with pytest.raises(PermissionDeniedError):
            suspend(cast.member_b, on=D(2024, 3, 1), lost_contact_since=D(2023, 1, 1), decision="决定")
    assert counts() == before


@pytest.mark.django_db
def test_restore_after_suspension(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError, match="was not suspended"):
            restore(cast.member_a2, on=D(2024, 3, 1), note="回来了")
        suspend(cast.member_a2, on=D(2024, 3, 1), lost_contact_since=D(2023, 1, 1), decision="决定")
        with pytest.raises(RuleError) as err:
            restore(cast.member_a2, on=D(2024, 6, 1), note="")
        assert err.value.field == "note"
        event = restore(cast.member_a2, on=D(2024, 6, 1), note="本人来电，已恢复联系")
    assert event.note == "本人来电，已恢复联系"
    assert fresh(cast.member_a2).standing == Standing.ACTIVE


@pytest.mark.django_db
def test_remove_is_a_recorded_decision(cast: Any) -> None:
    decision = "2024年5月支部党员大会讨论决定除名，6月街道党工委批准"
    with acting(cast.secretary, "web"):
        event = remove(cast.member_a2, on=D(2024, 5, 20), reason="self_withdrawal", decision=decision,
                       approved_on=D(2024, 6, 3))
    assert event.details == {"reason": "self_withdrawal", "decision": decision, "approved_on": "2024-06-03"}
    m = fresh(cast.member_a2)
    assert m.standing == Standing.REMOVED and m.org is None
    assert m in members_of_on(cast.branch_a, D(2024, 5, 19)) and m not in members_of_on(cast.branch_a, D(2024, 5, 20))
    entry = AuditEntry.objects.get(action="member.removed")
    assert entry.actor_name == "secretary" and entry.changes["extra"]["reason"] == "self_withdrawal"


@pytest.mark.django_db
def test_remove_refusals_write_nothing(cast: Any) -> None:
    before = counts()
    good: dict[str, Any] = {"on": D(2024, 5, 20), "reason": "expelled", "decision": "党员大会决定",
                            "approved_on": D(2024, 6, 3)}
    with acting(cast.secretary, "web"):
        for kw, field in (({"reason": "lost_contact"}, "reason"), ({"decision": ""}, "decision"),
                          ({"approved_on": D(2024, 5, 19)}, "approved_on"),
                          ({"approved_on": timezone.localdate() + dt.timedelta(days=1)}, "approved_on"),
                          ({"on": D(2006, 6, 1), "approved_on": D(2006, 6, 2)}, "date")):
            with pytest.raises(RuleError) as err:
                remove(cast.member_a2, **{**good, **kw})
            assert err.value.field == field, kw
        with pytest.raises(PermissionDeniedError):
            remove(cast.member_b, **good)
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        remove(cast.member_a2, **good)
    assert counts() == before
    assert fresh(cast.member_a2).standing == Standing.ACTIVE


def test_nothing_suspends_or_removes_by_itself() -> None:
    """Every suspension and removal takes a decision text: there is no call without one."""
    import inspect

    for fn in (suspend, remove):
        assert inspect.signature(fn).parameters["decision"].default is inspect.Parameter.empty


# --- the API -------------------------------------------------------------------------------------------------

def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    import json

    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_api_member_actions(cast: Any) -> None:
    sec = _client(cast.secretary)
    base = f"/api/members/{cast.member_a2.pk}"
    response = _post(sec, f"{base}/mobile-out/", {"on": "2023-04-01", "destination": "深圳"})
    assert response.status_code == 201 and response.json()["kind"] == "mobile_out"
    assert _post(sec, f"{base}/mobile-back/", {"on": "2023-12-01"}).status_code == 201
    response = _post(sec, f"{base}/suspend/", {"on": "2024-03-01", "lost_contact_since": "2023-12-02",
                                               "decision": "支委会决定"})
    assert response.status_code == 400 and response.json()["field"] == "lost_contact_since"
    response = _post(sec, f"{base}/suspend/", {"on": "2024-06-02", "lost_contact_since": "2023-12-02",
                                               "decision": "支委会决定"})
    assert response.status_code == 201 and response.json()["details"]["lost_contact_since"] == "2023-12-02"
    assert _post(sec, f"{base}/restore/", {"on": "2024-07-01", "note": "恢复联系"}).status_code == 201
    response = _post(sec, f"{base}/remove/", {"on": "2024-08-01", "reason": "persuaded", "decision": "党员大会",
                                              "approved_on": "2024-08-20"})
    assert response.status_code == 201 and response.json()["kind"] == "removed"
    assert Member.objects.get(pk=cast.member_a2.pk).standing == Standing.REMOVED
    kinds = list(MemberEvent.objects.filter(member=cast.member_a2).values_list("kind", flat=True))
    assert kinds[-5:] == ["mobile_out", "mobile_back", "suspended", "restored", "removed"]
    assert AuditEntry.objects.filter(action="member.removed", channel="api", actor_name="secretary").exists()


@pytest.mark.django_db
def test_api_member_actions_refused_outside_the_scope(cast: Any) -> None:
    before = counts()
    sec = _client(cast.secretary)
    assert _post(sec, f"/api/members/{cast.member_b.pk}/mobile-back/", {"on": "2023-04-01"}).status_code == 404
    auditor = _client(cast.auditor)
    response = _post(auditor, f"/api/members/{cast.member_a2.pk}/restore/", {"on": "2023-04-01", "note": "x"})
    assert response.status_code == 403
    assert sec.get(f"/api/members/{cast.member_a2.pk}/suspend/").status_code == 405
    assert counts() == before


