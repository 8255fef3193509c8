"""The demo builder on a small town of its own: ten projects in 2019 and six every year after, linked to each
year's congress meeting and vote where the deliberation demo recorded one (here: 2020's only), sub-projects,
progress, milestones and supervision; all done by their due dates but two of the current year, under way and on
schedule; a handful of findings at most; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from grassroots.congress.demo import demo_history
from grassroots.congress.models import Milestone, PracticalProject, ProgressReport, Supervision
from grassroots.congress.selectors import behind, progress_map
from grassroots.core.context import acting
from grassroots.rules.findings import findings_for

from .conftest import make_congress


def test_history(db: Any) -> None:
    from grassroots.orgs.services import org_create

    today = dt.date(2021, 6, 20)
    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        meeting, vote = make_congress(town, dt.date(2020, 2, 26))
        demo_history(io.StringIO(), today=today, recent_years=None)
        counts = (PracticalProject.objects.count(), ProgressReport.objects.count(), Supervision.objects.count())
        demo_history(io.StringIO(), today=today, recent_years=None)
    assert (PracticalProject.objects.count(), ProgressReport.objects.count(), Supervision.objects.count()) == counts
    top = PracticalProject.objects.filter(parent__isnull=True)
    assert [top.filter(year=y).count() for y in (2019, 2020, 2021)] == [10, 6, 6]
    assert PracticalProject.objects.filter(parent__isnull=False).exists()
    assert set(top.filter(year=2020).values_list("meeting", "vote")) == {(meeting.pk, vote.pk)}
    assert set(top.filter(year=2019).values_list("meeting", flat=True)) == {None}
    done = top.filter(status="done")
    assert all(p.done_on <= p.due_on for p in done)
    assert not top.filter(year__lt=2021).exclude(status="done").exists()
    open_ = list(top.exclude(status="done"))
    assert len(open_) >= 2 and all(p.year == 2021 and p.status == "under_way" for p in open_)
    progress = progress_map(open_, today)
    assert not any(behind(p, progress[p.pk], today) for p in open_ if p.due_on > today)
    assert Milestone.objects.filter(done_on__isnull=False).exists() and Supervision.objects.count() >= 4
    assert len(findings_for(town, today, only=["congress"])) <= 5
    assert top.filter(published=True).count() == top.count()
