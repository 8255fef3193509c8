"""Counts by stage on a day and the flow over a period, for a subtree as it stood that day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from grassroots.cli import main
from grassroots.core.context import acting
from grassroots.orgs.services import org_move
from grassroots.recruitment.stats import stage_counts

from .test_findings import make_candidate

D = dt.date
ONE = dt.timedelta(days=1)
APPLIED, ACTIVIST, TARGET, ADMITTED, CONVERTED = D(2023, 3, 1), D(2023, 9, 1), D(2024, 9, 2), D(2025, 1, 10), \
    D(2026, 1, 10)


def stock(org: Any, day: dt.date) -> tuple[int, int, int]:
    c = stage_counts(org, day)
    return c.applicants, c.activists, c.development_targets


def test_stage_on_each_side_of_each_change(cast: Any) -> None:
    make_candidate(cast.branch_a, applied=APPLIED, activist=ACTIVIST, target=TARGET, admitted=ADMITTED,
                   converted=CONVERTED)
    assert stock(cast.street, APPLIED - ONE) == (0, 0, 0)
    assert stock(cast.street, APPLIED) == (1, 0, 0)
    assert stock(cast.street, ACTIVIST - ONE) == (1, 0, 0)
    assert stock(cast.street, ACTIVIST) == (0, 1, 0)
    assert stock(cast.street, TARGET - ONE) == (0, 1, 0)
    assert stock(cast.street, TARGET) == (0, 0, 1)
    assert stock(cast.street, ADMITTED - ONE) == (0, 0, 1)
    assert stock(cast.street, ADMITTED) == (0, 0, 0)


def test_a_closed_candidate_stops_counting_on_the_day(cast: Any) -> None:
    make_candidate(cast.branch_a, applied=APPLIED, activist=ACTIVIST, closed=D(2024, 2, 1))
    assert stock(cast.branch_a, D(2024, 1, 31)) == (0, 1, 0)
    assert stock(cast.branch_a, D(2024, 2, 1)) == (0, 0, 0)


def test_subtree_and_period_flow(cast: Any) -> None:
    make_candidate(cast.branch_a, applied=D(2025, 2, 1))
    make_candidate(cast.branch_b, applied=D(2024, 12, 31), activist=D(2025, 6, 1))
    make_candidate(cast.branch_b, applied=D(2023, 1, 1), activist=D(2023, 7, 1), target=D(2024, 8, 1),
                   admitted=D(2025, 3, 1))
    make_candidate(cast.branch_c, applied=D(2025, 2, 1))  # another street
    day = D(2025, 12, 31)
    counts = stage_counts(cast.street, day)
    assert (counts.applicants, counts.activists, counts.development_targets) == (1, 1, 0)
    assert (counts.applications, counts.activists_decided, counts.development_targets_listed,
            counts.admitted, counts.converted) == (1, 1, 0, 1, 0)
    assert counts.period_start == D(2025, 1, 1)
    wider = stage_counts(cast.street, day, period_start=D(2024, 1, 1))
    assert (wider.applications, wider.development_targets_listed) == (2, 1)
    assert stock(cast.branch_b, day) == (0, 1, 0) and stock(cast.other_street, day) == (1, 0, 0)
    assert stage_counts(cast.branch_a, day).as_json()["recruitment_period"] == {"start": "2025-01-01",
                                                                                 "end": "2025-12-31"}


def test_counts_follow_the_tree_as_it_stood_that_day(cast: Any) -> None:
    make_candidate(cast.branch_b, applied=D(2024, 1, 1))
    with acting(None, "system"):
        org_move(cast.branch_b, parent=cast.other_street, on=D(2025, 1, 1))
    assert stock(cast.street, D(2024, 12, 31)) == (1, 0, 0)
    assert stock(cast.other_street, D(2024, 12, 31)) == (0, 0, 0)
    assert stock(cast.street, D(2025, 1, 1)) == (0, 0, 0)
    assert stock(cast.other_street, D(2025, 1, 1)) == (1, 0, 0)


def test_stats_json_has_the_stage_counts(cast: Any, capsys: Any) -> None:
    make_candidate(cast.branch_a, applied=D(2025, 2, 1))
    make_candidate(cast.branch_b, applied=D(2024, 5, 1), activist=D(2025, 3, 1))
    make_candidate(cast.branch_b, applied=D(2023, 5, 1), activist=D(2023, 12, 1), target=D(2025, 1, 6))
    assert main(["stats", "--org", "S", "--as-of", "2025-06-30", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["applicants"], data["activists"], data["development_targets"]) == (1, 1, 1)
    assert (data["applications"], data["admitted"], data["converted"]) == (1, 0, 0)
    assert data["total"]["count"] == 3  # the structure figures are still there
