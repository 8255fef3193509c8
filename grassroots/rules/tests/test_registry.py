"""Rules as dated data: parsing errors, the version in force at the boundaries, site overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.rules import registry
from grassroots.rules.registry import RuleDataError, all_rules, in_force, parse


def entry(version: str, start: str, end: str | None = None, **params: Any) -> dict[str, Any]:
    e: dict[str, Any] = {"id": "demo.rule", "version": version, "effective_from": start,
                         "params": params or {"n": 1}, "title_en": "Demo", "title_zh": "示例"}
    if end is not None:
        e["effective_to"] = end
    return e


def test_parse_orders_versions_by_start() -> None:
    rules = parse([entry("b", "2020-01-01"), entry("a", "2010-01-01", "2020-01-01")], "demo.json")
    assert [v.version for v in rules["demo.rule"]] == ["a", "b"]


def test_overlapping_versions_are_refused() -> None:
    with pytest.raises(RuleDataError, match="version a overlaps version b"):
        parse([entry("a", "2010-01-01", "2020-06-01"), entry("b", "2020-01-01")], "demo.json")
    with pytest.raises(RuleDataError, match="overlaps"):  # an open-ended version followed by another
        parse([entry("a", "2010-01-01"), entry("b", "2020-01-01")], "demo.json")


def test_duplicate_version_is_refused() -> None:
    with pytest.raises(RuleDataError, match="version a appears twice"):
        parse([entry("a", "2010-01-01", "2015-01-01"), entry("a", "2015-01-01")], "demo.json")


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2020-02-30", None, "'2020-02-30' is not a date"),
    ("2020-01-01", "2020-13-01", "'2020-13-01' is not a date"),
    ("2020-01-01", "2020-01-01", "effective_to must be after effective_from"),
])
def test_bad_dates_are_refused(start: str, end: str | None, message: str) -> None:
    with pytest.raises(RuleDataError, match=message):
        parse([entry("a", start, end)], "demo.json")


def test_missing_key_is_refused() -> None:
    e = entry("a", "2010-01-01")
    del e["params"]
    with pytest.raises(RuleDataError, match=r"demo.json\[0\]: missing 'params'"):
        parse([e], "demo.json")


def test_the_shipped_data_loads() -> None:
    rules = all_rules()
    assert "recruitment.talk_within" in rules and "recruitment.public_notice" in rules


@pytest.mark.parametrize(("day", "version", "stage"), [
    (dt.date(2026, 4, 30), "2014", "pre_review"),
    (dt.date(2026, 5, 1), "2026", "listing"),
    (dt.date(2030, 1, 1), "2026", "listing"),
])
def test_public_notice_version_in_force_at_the_revision(day: dt.date, version: str, stage: str) -> None:
    rule = in_force("recruitment.public_notice", day)
    assert (rule.version, rule["stage"], rule["working_days"]) == (version, stage, 5)
    assert rule.cite == f"recruitment.public_notice@{version}"


def test_first_day_of_a_rule_and_before_it() -> None:
    assert in_force("recruitment.talk_within", dt.date(2014, 6, 10)).covers(dt.date(2014, 6, 10))
    # Records older than the rules are judged by the first version.
    old = in_force("recruitment.talk_within", dt.date(2010, 1, 1))
    assert old.version == "2014" and not old.covers(dt.date(2010, 1, 1))


def test_unknown_rule() -> None:
    with pytest.raises(KeyError):
        in_force("recruitment.no_such_rule", dt.date(2020, 1, 1))


def test_site_override_of_an_unverified_number(settings: Any) -> None:
    day = dt.date(2025, 1, 1)
    assert in_force("recruitment.meeting_after_pre_review", day)["months"] == 1
    settings.GRASSROOTS_RULE_OVERRIDES = {"recruitment.meeting_after_pre_review": {"months": 2}}
    rule = in_force("recruitment.meeting_after_pre_review", day)
    assert rule["months"] == 2 and rule.version == "2014"
    assert in_force("recruitment.talk_within", day)["months"] == 1  # other rules untouched


def test_a_new_data_file_is_a_data_change(tmp_path: Any, monkeypatch: Any) -> None:
    (tmp_path / "demo.json").write_text(
        '[{"id": "demo.rule", "version": "1", "effective_from": "2020-01-01", "effective_to": "2024-01-01",'
        ' "params": {"n": 1}, "title_en": "Demo", "title_zh": "示例"},'
        ' {"id": "demo.rule", "version": "2", "effective_from": "2024-01-01",'
        ' "params": {"n": 2}, "title_en": "Demo", "title_zh": "示例"}]', encoding="utf-8")
    monkeypatch.setattr(registry, "DATA_DIR", tmp_path)
    registry.reload()
    try:
        assert in_force("demo.rule", dt.date(2023, 12, 31))["n"] == 1
        assert in_force("demo.rule", dt.date(2024, 1, 1))["n"] == 2
    finally:
        monkeypatch.undo()
        registry.reload()
