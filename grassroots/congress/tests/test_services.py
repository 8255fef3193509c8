"""The writes: a project voted at a congress, its sub-projects (same organization and year, weight ≥ 1), status
changes as dated rows (reasons, order, done only when the parts are), progress for a leaf only, milestones,
supervision by seats held that day, version checks and permission."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from grassroots.congress import selectors
from grassroots.congress import services as s
from grassroots.congress.models import PracticalProject, StatusChange
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry

D = dt.date


def _fresh(p: Any) -> Any:
    return PracticalProject.objects.get(pk=p.pk)


START = D(2024, 3, 1)


def _start(p: Any, on: dt.date = START) -> Any:
    return s.status_change(project=p, version=_fresh(p).version, to="under_way", on=on)


def test_a_voted_project_and_its_parts(world: Any) -> None:
    p = world.project
    assert p.meeting == world.meeting and p.vote == world.vote and p.year == 2024
    assert world.road.org == p.org and world.road.year == 2024 and world.road.parent == p
    first = StatusChange.objects.get(project=p)
    assert (first.on, first.from_status, first.to_status) == (D(2024, 2, 20), "", "planned")
    assert AuditEntry.objects.filter(action="congress.project_create").count() == 3


def test_the_rules_of_a_project(world: Any, cast: Any) -> None:
    with acting(None, "system"):
        with pytest.raises(RuleError) as e:
            s.project_create(parent=world.project, title="零权重", weight=0)
        assert e.value.field == "weight"
        with pytest.raises(RuleError) as e:
            s.project_create(org=cast.branch_a, title="x", planned_start="2024-05-01", due_on="2024-04-01")
        assert e.value.field == "due_on"
        with pytest.raises(RuleError) as e:
            s.project_create(org=cast.branch_a, title="x", code="2024-01")
        assert e.value.field == "code"
        with pytest.raises(RuleError) as e:
            s.project_create(org=cast.branch_a, title="   ")
        assert e.value.field == "title"
        leaf = s.project_create(org=cast.branch_a, title="单独项目", year=2024)
        s.progress_record(project=leaf, on="2024-04-01", percent="30")
        with pytest.raises(RuleError) as e:  # reported already: no sub-project
            s.project_create(parent=leaf, title="后加子项目")
        assert e.value.field == "parent"


def test_progress_is_for_a_leaf_only(world: Any) -> None:
    with acting(None, "system"):
        with pytest.raises(RuleError) as e:
            s.progress_record(project=world.project, on="2024-04-01", percent=50)
        assert e.value.field == "percent"
        for bad in ("101", "-1", "half", ""):
            with pytest.raises(RuleError) as e:
                s.progress_record(project=world.road, on="2024-04-01", percent=bad)
            assert e.value.field == "percent"
        with pytest.raises(RuleError) as e:
            s.progress_record(project=world.road, on="2999-01-01", percent=10)
        assert e.value.field == "on"
        s.progress_record(project=world.road, on="2024-04-01", percent="４０％")
        s.progress_record(project=world.lights, on="2024-04-01", percent=100)
    progress = selectors.progress_map([world.project])
    assert progress[world.road.pk] == 40 and progress[world.lights.pk] == 100
    assert progress[world.project.pk] == Fraction(3 * 40 + 100, 4)


def test_status_changes_are_dated_rows(world: Any) -> None:
    p = world.project
    with acting(None, "system"):
        with pytest.raises(RuleError) as e:
            s.status_change(project=p, version=p.version, to="done", on="2024-03-01")
        assert e.value.field == "to"  # planned → done is not a step
        with pytest.raises(StaleVersionError):
            s.status_change(project=p, version=p.version + 5, to="under_way", on="2024-03-01")
        p = _start(p)
        with pytest.raises(RuleError) as e:
            s.status_change(project=p, version=p.version, to="suspended", on="2024-04-01")
        assert e.value.field == "note"  # a reason is required
        with pytest.raises(RuleError) as e:
            s.status_change(project=p, version=p.version, to="suspended", on="2024-02-01", note="雨季")
        assert e.value.field == "on"  # before the last change
        p = s.status_change(project=p, version=p.version, to="suspended", on="2024-06-01", note="雨季停工")
        assert p.status_reason == "雨季停工"
        p = s.status_change(project=p, version=p.version, to="under_way", on="2024-07-01", note="复工")
        with pytest.raises(RuleError) as e:  # the parts are not done
            s.status_change(project=p, version=p.version, to="done", on="2024-08-01")
        assert e.value.field == "to"
        road = _start(world.road)
        s.status_change(project=road, version=road.version, to="done", on="2024-09-01")
        lights = _start(world.lights)
        s.status_change(project=lights, version=lights.version, to="dropped", on="2024-05-01", note="并入亮化工程")
        with pytest.raises(RuleError) as e:  # a part was done later
            s.status_change(project=p, version=_fresh(p).version, to="done", on="2024-08-15")
        assert e.value.field == "on"
        p = s.status_change(project=p, version=_fresh(p).version, to="done", on="2024-09-10", note="验收")
    assert p.status == "done" and p.done_on == D(2024, 9, 10)
    rows = list(StatusChange.objects.filter(project=world.project).values_list("on", "from_status", "to_status"))
    assert rows == [(D(2024, 2, 20), "", "planned"), (D(2024, 3, 1), "planned", "under_way"),
                    (D(2024, 6, 1), "under_way", "suspended"), (D(2024, 7, 1), "suspended", "under_way"),
                    (D(2024, 9, 10), "under_way", "done")]
    assert selectors.progress_map([world.project])[world.project.pk] == 100
    # the dropped part does not count: the road's 100 is the roll-up before the parent's own done
    assert selectors.progress_map([world.project], D(2024, 9, 5))[world.project.pk] == 100
    assert selectors.progress_map([world.project], D(2024, 8, 5))[world.project.pk] == 0


def test_milestones_and_supervision(world: Any, cast: Any) -> None:
    from grassroots.deliberation.models import Seat

    p = world.project
    with acting(None, "system"):
        m = s.milestone_add(project=p, title="完成设计", due_on="2024年5月1日", weight=2)
        m = s.milestone_done(milestone=m, done_on="2024-04-28", version=m.version)
        with pytest.raises(RuleError):
            s.milestone_done(milestone=m, done_on="2024-04-29")
        sv = s.supervision_record(project=p, on="2024-06-10", kind="inspection", seats=[world.seat],
                                  findings="进度正常", follow_up="加强安全")
        assert list(sv.seats.all()) == [world.seat]
        with pytest.raises(RuleError) as e:  # not a seat on the day
            s.supervision_record(project=p, on="2022-06-10", kind="survey", seats=[world.seat])
        assert e.value.field == "seats"
        with pytest.raises(RuleError) as e:  # nobody named
            s.supervision_record(project=p, on="2024-06-10", kind="survey")
        assert e.value.field == "seats"
        other = Seat.objects.create(body=world.body.__class__.objects.create(
            org=cast.branch_c, kind="party_congress", name="外部代表大会", set_up_on=D(2020, 1, 1)),
            name="外人", from_on=D(2020, 1, 1))
        with pytest.raises(RuleError) as e:
            s.supervision_record(project=p, on="2024-06-10", kind="survey", seats=[other])
        assert e.value.field == "seats"
        s.supervision_follow_up_done(supervision=sv, done_on="2024-06-20", version=sv.version)
        s.congress_report_record(project=p, on="2024-07-01", text="向党代表报告进展")
    kinds = [(e.on, e.kind, e.project.title if e.project else "") for e in selectors.timeline(p)]
    assert kinds == [(D(2024, 2, 20), "status", ""), (D(2024, 2, 20), "status", "道路硬化"),
                     (D(2024, 2, 20), "status", "路灯安装"), (D(2024, 4, 28), "milestone", ""),
                     (D(2024, 6, 10), "supervision", ""), (D(2024, 6, 20), "supervision", ""),
                     (D(2024, 7, 1), "report", "")]
    who = StatusChange.objects.filter(project=p).first().by_name  # who recorded it: on the staff page only
    assert who and any(who in e.detail for e in selectors.timeline(p) if e.kind == "status")
    assert not any(who in e.detail for e in selectors.timeline(p, public=True))


def test_only_the_writer_of_the_organization_writes(world: Any, cast: Any) -> None:
    with acting(cast.users["member"], "web"), pytest.raises(PermissionDeniedError):
        s.progress_record(project=world.road, on="2024-04-01", percent=10)
    with acting(cast.users["outsider"], "web"), pytest.raises(PermissionDeniedError):
        s.project_create(org=cast.branch_a, title="越权")
    with acting(cast.users["secretary"], "web"):
        r = s.progress_record(project=world.road, on="2024-04-01", percent=10)
    assert r.recorded_by == cast.users["secretary"]


def test_the_meeting_must_be_a_congress_in_line(world: Any, cast: Any) -> None:
    from grassroots.meetings import services as ms

    with acting(None, "system"):
        branch = ms.record_meeting(org=cast.branch_a, kind="committee_meeting", date=D(2024, 1, 5), topic="支委会")
        with pytest.raises(RuleError) as e:
            s.project_create(org=cast.branch_a, title="x", meeting=branch)
        assert e.value.field == "meeting"
        with pytest.raises(RuleError) as e:
            s.project_create(org=cast.branch_c, title="x", meeting=world.meeting)
        assert e.value.field == "meeting"
        p = s.project_update(project=world.project, version=world.project.version, title="道路改造", weight="2",
                             published=False)
    assert p.title == "道路改造" and not p.published and p.version == world.project.version + 1
