"""Practical-project findings: a project or a milestone past its due date and not done; a project under way whose
progress lags the time elapsed by more than the margin (rules data); a project under way with no progress report
for N months (rules data). A project done says nothing; the dashboard and the summary count the year's projects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.congress import services as s
from grassroots.congress.dashboard import congress as panel
from grassroots.congress.models import PracticalProject
from grassroots.congress.summary import congress_of, congress_text
from grassroots.core.context import acting
from grassroots.rules.findings import findings_for

D = dt.date


def _by_type(org: Any, day: dt.date) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in findings_for(org, day, only=["congress"]):
        out.setdefault(f.subject_type, []).append(f)
    return out


def _start(p: Any, on: str) -> Any:
    p = PracticalProject.objects.get(pk=p.pk)
    return s.status_change(project=p, version=p.version, to="under_way", on=on)


def test_due_dates_lag_and_silence(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        m = s.milestone_add(project=world.project, title="完成设计", due_on="2024-04-30")
        for p in (world.project, world.road, world.lights):
            _start(p, "2024-03-01")
        s.progress_record(project=world.road, on="2024-05-20", percent=10)
        s.progress_record(project=world.lights, on="2024-05-20", percent=10)
    # 2024-06-01: the milestone is overdue; time elapsed (3 months of 10): 30 %, progress 10 %: within 25 points
    found = _by_type(cast.branch_a, D(2024, 6, 1))
    assert [f.subject_id for f in found["practical_milestone"]] == [m.pk]
    assert found["practical_milestone"][0].state == "overdue"
    assert "practical_project_lag" not in found and "practical_project_report" not in found
    # 2024-08-01: 5 of 10 months gone (50 %), progress 10 %: behind by more than 25 points; the last report was
    # 2024-05-20: due again by 2024-08-20, due soon
    found = _by_type(cast.branch_a, D(2024, 8, 10))
    assert [f.subject_id for f in found["practical_project_lag"]] == [world.project.pk]
    assert found["practical_project_report"][0].due == D(2024, 8, 20)
    assert found["practical_project_report"][0].state == "due_soon"
    # the road's own due date (2024-10-31) has passed on 2024-11-05; the project's (2024-12-31) not yet
    found = _by_type(cast.branch_a, D(2024, 11, 5))
    assert [f.subject_id for f in found["practical_project"]] == [world.road.pk]
    assert found["practical_project_report"][0].state == "overdue"
    with acting(None, "system"):
        s.milestone_done(milestone=m, done_on="2024-05-02")
        for p in (world.road, world.lights, world.project):
            p = PracticalProject.objects.get(pk=p.pk)
            s.status_change(project=p, version=p.version, to="done", on="2024-09-01")
    assert _by_type(cast.branch_a, D(2025, 3, 1)) == {}
    # judged as the records stood on a day: before the milestone was done it was overdue
    assert "practical_milestone" in _by_type(cast.branch_a, D(2024, 5, 1))


def test_the_dashboard_and_the_summary_count_the_year(cast: Any, world: Any) -> None:
    from grassroots.ui.dashboard import DashboardFrame

    with acting(None, "system"):
        for p in (world.project, world.road, world.lights):
            _start(p, "2024-03-01")
        s.progress_record(project=world.road, on="2024-05-20", percent=40)
        other = s.project_create(org=cast.branch_a, title="便民服务点", year=2024, due_on="2024-06-30", on="2024-02-01")
        _start(other, "2024-03-01")
        s.progress_record(project=other, on="2024-06-20", percent=100)
        other = PracticalProject.objects.get(pk=other.pk)
        s.status_change(project=other, version=other.version, to="done", on="2024-06-25")
        s.supervision_record(project=world.project, on="2024-06-10", kind="hearing", seats=[world.seat])
    figures = congress_of(cast.branch_a, 2024, D(2024, 7, 1))
    assert figures is not None
    # the road-and-lights project: (3 × 40 + 0) / 4 = 30 %; the service point 100 %: mean 65 %
    assert (figures.projects, figures.voted, figures.done, figures.under_way, figures.behind) == (2, 1, 1, 1, 0)
    assert figures.mean == "65" and figures.supervisions == 1
    assert "65%" in congress_text(figures, D(2024, 7, 1), "zh-hans").paragraphs[0]
    assert congress_of(cast.branch_a, 2023, D(2024, 7, 1)) is None
    frame = DashboardFrame(scope=None, org=cast.branch_a, year=2024, today=D(2024, 7, 1))
    shown = panel(frame)
    assert shown is not None and shown["counts"]["done"] == 1 and shown["mean"] == "65"
