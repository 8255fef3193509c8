"""The roll-up of progress: exact (fractions), bounded by its parts, the mean for equal weights, a weight-0 part
ignored (the services refuse a weight below 1; a dropped sub-project counts as weight 0), nested sub-projects rolled
up level by level; rounding only for display."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.congress.progress import display, rollup, tree_progress

percents = st.fractions(min_value=0, max_value=100)
weights = st.integers(min_value=1, max_value=1000)
LOADED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # (a loaded machine is slow to draw)


@LOADED
@given(st.lists(st.tuples(weights, percents), min_size=1, max_size=20))
def test_the_rollup_lies_between_its_parts(parts: list[tuple[int, Fraction]]) -> None:
    value = rollup(parts)
    assert value is not None
    assert min(p for _w, p in parts) <= value <= max(p for _w, p in parts)
    assert 0 <= value <= 100


@LOADED
@given(st.lists(percents, min_size=1, max_size=20), weights)
def test_equal_weights_give_the_mean(values: list[Fraction], w: int) -> None:
    assert rollup([(w, v) for v in values]) == sum(values) / len(values)


@LOADED
@given(st.lists(st.tuples(weights, percents), min_size=1, max_size=10), percents)
def test_a_weight_0_part_is_ignored(parts: list[tuple[int, Fraction]], extra: Fraction) -> None:
    assert rollup([*parts, (0, extra)]) == rollup(parts)


@LOADED
@given(st.lists(st.tuples(weights, percents), min_size=1, max_size=10), st.integers(min_value=2, max_value=9))
def test_scaling_every_weight_changes_nothing(parts: list[tuple[int, Fraction]], k: int) -> None:
    assert rollup([(w * k, p) for w, p in parts]) == rollup(parts)


def test_examples() -> None:
    assert rollup([(3, Fraction(40)), (1, Fraction(100))]) == Fraction(55)
    assert rollup([(1, Fraction(1)), (2, Fraction(0))]) == Fraction(1, 3)  # exact, not 0.333…
    assert display(Fraction(1, 3)) == "0" and display(Fraction(200, 3)) == "67" and display(Fraction(25, 2)) == "13"
    assert display(Fraction(200, 3), 1) == "66.7" and display(None) == ""
    assert rollup([]) is None and rollup([(0, Fraction(50))]) is None
    with pytest.raises(ValueError):
        rollup([(-1, Fraction(50))])


@dataclass
class P:
    pk: int
    parent_id: int | None
    weight: int = 1
    status: str = "under_way"
    done_on: object = None


def test_nested_sub_projects_roll_up_level_by_level() -> None:
    # 1 ── 2 (w 1) ── 4 (w 1) 60 %, 5 (w 3) 20 %      → 2 = (60 + 60) / 4 = 30
    #   └─ 3 (w 2) 90 %                                → 1 = (1 × 30 + 2 × 90) / 3 = 70
    #   └─ 6 (w 5) dropped, 0 %                        → ignored
    rows = [P(1, None), P(2, 1, 1), P(3, 1, 2), P(4, 2, 1), P(5, 2, 3), P(6, 1, 5, "dropped")]
    out = tree_progress(rows, {3: 90, 4: 60, 5: 20, 6: 0})
    assert out[2] == Fraction(30) and out[1] == Fraction(70)
    # a parent's own report (there is none allowed) would not count; a done leaf is 100 whatever it last reported
    rows[2].status, rows[2].done_on = "done", "2024-05-01"
    assert tree_progress(rows, {3: 90, 4: 60, 5: 20})[1] == Fraction(30 + 200, 3)
    # every part dropped: nothing counts, 0
    assert tree_progress([P(1, None), P(2, 1, 1, "dropped")], {2: 80})[1] == 0
