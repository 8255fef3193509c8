"""The co-construction services: each state change, the rules they keep (nothing written on a broken one), the
audit, and who may write (a writer of another street changes nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.cobuild import services as s
from grassroots.cobuild.models import Agreement, Contribution, Need, Project, ProjectState, ResidentUnit
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry

from .conftest import today


def _days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def test_project_planned_under_way_done_with_optional_evidence(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        p = s.project_start(world.project, version=world.project.version)
        assert p.state == ProjectState.UNDER_WAY
        with pytest.raises(RuleError) as exc:
            s.project_start(p, version=p.version)
        assert exc.value.field == "state"
        with pytest.raises(RuleError) as exc:
            s.project_done(p, version=p.version, on=_days(-1), outcome="")
        assert exc.value.field == "outcome"
        done = s.project_done(p, version=p.version, on=_days(-1), outcome="资助10名学生")
    assert done.state == ProjectState.DONE and done.done_on == _days(-1) and not done.evidence.exists()
    assert AuditEntry.objects.filter(action="cobuild.project_done", object_id=str(p.pk)).exists()
    with acting(cast.secretary, "web"):
        s.evidence_add(project=done, file=SimpleUploadedFile("sheet.jpg", b"\xff\xd8\xff", content_type="image/jpeg"))
        with pytest.raises(RuleError):
            s.project_drop(done, version=done.version, reason="x")
    assert done.evidence.count() == 1


def test_project_done_at_once_with_evidence_and_dropped(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        other = s.project_create(org=cast.branch_a, title="义诊", started_on=_days(-10))
        done = s.project_done(other, version=other.version, outcome="义诊50人", evidence=SimpleUploadedFile(
            "photo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"), caption="签到表")
        assert done.state == ProjectState.DONE and done.done_on == today() and done.evidence.count() == 1
        with pytest.raises(RuleError) as exc:
            s.project_drop(world.project, version=world.project.version, reason="")
        assert exc.value.field == "reason"
        dropped = s.project_drop(world.project, version=world.project.version, reason="资金未到位")
    assert dropped.state == ProjectState.DROPPED and dropped.outcome == "资金未到位"


def test_done_before_start_or_in_the_future_is_refused(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        for day in (world.project.started_on - dt.timedelta(days=1), _days(1)):
            with pytest.raises(RuleError) as exc:
                s.project_done(world.project, version=world.project.version, on=day, outcome="x")
            assert exc.value.field == "on"
    assert Project.objects.get(pk=world.project.pk).state == ProjectState.PLANNED


def test_a_stale_version_is_refused(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        s.project_start(world.project, version=world.project.version)
        with pytest.raises(StaleVersionError):
            s.project_drop(world.project, version=world.project.version, reason="x")


def test_need_claimed_makes_a_project_and_withdrawn(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        project = s.need_claim(world.need, version=world.need.version, unit=world.unit, on=_days(-5),
                               due_on=_days(30), owner="李经理")
        need = Need.objects.get(pk=world.need.pk)
        assert need.claimed_by == world.unit and need.claimed_on == _days(-5)
        assert project.source == "need" and project.need == need and project.unit == world.unit
        assert project.agreement == world.agreement and project.state == ProjectState.PLANNED
        with pytest.raises(RuleError) as exc:
            s.need_claim(need, version=need.version, unit=world.unit)
        assert exc.value.field == "unit"
        with pytest.raises(RuleError):  # its project is open: drop it first
            s.need_withdraw(need, version=need.version)
        s.project_drop(project, version=project.version, reason="改由街道办理")
        withdrawn = s.need_withdraw(need, version=need.version)
        assert withdrawn.withdrawn_on == today()
        other = s.need_create(org=cast.branch_a, title="送温暖", listed_on=_days(-3))
        other = s.need_withdraw(other, version=other.version, on=_days(-1))
        with pytest.raises(RuleError):
            s.need_claim(other, version=other.version, unit=world.unit)
    assert Project.objects.filter(need=other).count() == 0


def test_unit_report_accepted(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        report = s.report_create(unit=world.unit, reported_on=_days(-10), offers="会议室、志愿者")
        with pytest.raises(RuleError) as exc:
            s.report_accept(report, version=report.version, on=_days(-11))
        assert exc.value.field == "on"
        accepted = s.report_accept(report, version=report.version, on=_days(-9))
        assert accepted.accepted_on == _days(-9)
        with pytest.raises(RuleError):
            s.report_accept(accepted, version=accepted.version)
        bare = s.unit_create(org=cast.branch_a, name="无党组织的小店", kind="private_enterprise")
        with pytest.raises(RuleError) as exc:
            s.report_create(unit=bare, reported_on=today())
        assert exc.value.field == "unit"


def test_agreement_renewed(cast: Any, world: Any) -> None:
    old = world.agreement
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as exc:
            s.agreement_renew(old, version=old.version, signed_on=today(), ends_on=None)
        assert exc.value.field == "ends_on"
        new = s.agreement_renew(old, version=old.version, signed_on=today(), ends_on=_days(365 + 730))
        assert new.renews == old and new.starts_on == old.ends_on + dt.timedelta(days=1)
        assert new.title == old.title and new.unit == old.unit
        with pytest.raises(RuleError):
            s.agreement_renew(Agreement.objects.get(pk=old.pk), version=old.version, signed_on=today(),
                              ends_on=_days(2000))
    assert Agreement.objects.filter(unit=world.unit).count() == 2


def test_agreement_ended_early(cast: Any, world: Any) -> None:
    a = world.agreement
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as exc:
            s.agreement_end(a, version=a.version, on=_days(-1), reason="")
        assert exc.value.field == "reason"
        with pytest.raises(RuleError) as exc:
            s.agreement_end(a, version=a.version, on=a.starts_on - dt.timedelta(days=1), reason="迁出")
        assert exc.value.field == "on"
        ended = s.agreement_end(a, version=a.version, on=_days(-1), reason="单位迁出")
        assert ended.ended_on == _days(-1) and not ended.in_force_on(today()) and ended.in_force_on(_days(-1))
        with pytest.raises(RuleError):
            s.agreement_renew(ended, version=ended.version, signed_on=today(), ends_on=_days(700))
    entry = AuditEntry.objects.filter(action="cobuild.agreement_end").latest("pk")
    assert "单位迁出" in str(entry.changes) or "单位迁出" in str(getattr(entry, "extra", ""))


def test_unit_rules(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as exc:
            s.unit_create(org=cast.branch_a, name="和顺宾馆", kind="agency")
        assert exc.value.field == "name"
        with pytest.raises(RuleError) as exc:
            s.unit_create(org=cast.branch_a, name="新单位", kind="agency", contact_phone="12ab")
        assert exc.value.field == "contact_phone"
        with pytest.raises(RuleError) as exc:
            s.unit_create(org=cast.branch_a, name="新单位", kind="agency", party_members=3)
        assert exc.value.field == "has_party_org"
        linked = s.unit_create(org=cast.branch_a, name="县委政策研究室", kind="agency", party_org=cast.branch_b,
                               party_members=4)
        assert linked.has_party_org and linked.party_org == cast.branch_b
        changed = s.unit_update(linked, version=linked.version, name="县委政研室", kind="agency",
                                party_org=cast.branch_b, party_members=5)
        assert changed.name == "县委政研室" and changed.party_members == 5
        gone = s.unit_leave(world.unit, version=world.unit.version, on=_days(-1))
        with pytest.raises(RuleError):
            s.agreement_create(org=cast.branch_a, unit=gone, title="再签", signed_on=today())
        with pytest.raises(RuleError):
            s.need_claim(world.need, version=world.need.version, unit=gone)
    assert ResidentUnit.objects.filter(org=cast.branch_a).count() == 2


def test_contributions(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        money = s.contribution_create(unit=world.unit, kind="money", given_on=_days(-3), amount="5000",
                                      agreement=world.agreement)
        goods = s.contribution_create(unit=world.unit, kind="in_kind", given_on=_days(-3), amount="1200.5",
                                      goods="米50袋", project=world.project)
        for kw, field in (({"kind": "in_kind", "amount": "10", "goods": ""}, "goods"),
                          ({"kind": "money", "amount": "-1"}, "amount"),
                          ({"kind": "money", "amount": "abc"}, "amount")):
            with pytest.raises(RuleError) as exc:
                s.contribution_create(unit=world.unit, given_on=today(), **kw)
            assert exc.value.field == field
    assert money.amount == Decimal("5000.00") and goods.amount == Decimal("1200.50")
    assert Contribution.objects.count() == 2


def test_a_contribution_typed_wrong_is_corrected_and_an_older_read_refused(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        made = s.contribution_create(unit=world.unit, kind="money", given_on=_days(-3), amount="50000",
                                     agreement=world.agreement)
        read = made.version
        fixed = s.contribution_update(made, version=read, kind="money", given_on=_days(-2), amount="5000",
                                      agreement=world.agreement)
        assert (fixed.amount, fixed.given_on, fixed.version) == (Decimal("5000.00"), _days(-2), read + 1)
        with pytest.raises(StaleVersionError):  # a second page read before the correction
            s.contribution_update(made, version=read, kind="money", given_on=_days(-3), amount="6000")
        with pytest.raises(RuleError) as exc:  # goods without a word of what they were
            s.contribution_update(fixed, version=fixed.version, kind="in_kind", given_on=_days(-2), amount="10")
        assert exc.value.field == "goods"
    entry = AuditEntry.objects.filter(action="cobuild.contribution_update").get()
    assert "50000" in str(entry.changes) and "5000.00" in str(entry.changes)  # the figure as it was, kept
    assert Contribution.objects.get(pk=made.pk).amount == Decimal("5000.00")
    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        s.contribution_update(fixed, version=fixed.version, kind="money", given_on=_days(-2), amount="1")


def test_a_writer_of_another_street_changes_nothing(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        given = s.contribution_create(unit=world.unit, kind="money", given_on=today(), amount="100")
    before = AuditEntry.objects.count()
    calls = [
        lambda: s.unit_create(org=cast.branch_a, name="外来", kind="agency"),
        lambda: s.unit_update(world.unit, version=world.unit.version, name="改", kind="agency"),
        lambda: s.agreement_renew(world.agreement, version=world.agreement.version, signed_on=today(),
                                  ends_on=_days(900)),
        lambda: s.agreement_end(world.agreement, version=world.agreement.version, on=today(), reason="x"),
        lambda: s.need_claim(world.need, version=world.need.version, unit=world.unit),
        lambda: s.project_start(world.project, version=world.project.version),
        lambda: s.project_done(world.project, version=world.project.version, outcome="x"),
        lambda: s.contribution_create(unit=world.unit, kind="money", given_on=today(), amount="1"),
        lambda: s.contribution_update(given, version=given.version, kind="money", given_on=today(), amount="1"),
        lambda: s.report_create(unit=world.unit, reported_on=today()),
    ]
    for role in ("outsider", "auditor"):
        with acting(getattr(cast, role), "web"):
            for call in calls:
                with pytest.raises(PermissionDeniedError):
                    call()
    assert AuditEntry.objects.count() == before
    assert Project.objects.get(pk=world.project.pk).state == ProjectState.PLANNED


def test_project_create_keeps_its_records_to_the_organization(cast: Any, world: Any) -> None:
    with acting(cast.admin, "web"):
        with pytest.raises(RuleError) as exc:
            s.project_create(org=cast.branch_b, title="x", unit=world.unit, started_on=today())
        assert exc.value.field == "unit"
        with pytest.raises(RuleError) as exc:
            s.project_create(org=cast.branch_a, title="x", started_on=today(), due_on=_days(-1))
        assert exc.value.field == "due_on"
