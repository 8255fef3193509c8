"""Rules as data: each rule has an id, versions with effective date ranges, and its numbers.

The versions live in JSON files beside this module (`data/*.json`), one file per domain. A record is judged
by the version in force on the record's date (`in_force(rule_id, day)`). Adding a revised rule set is adding
versions to a file (and tests), never rewriting code. Numbers marked unverified in the domain notes carry
`"verified": false` and can be overridden by a setting `GRASSROOTS_RULE_OVERRIDES = {"rule.id": {...}}`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

DATA_DIR = Path(__file__).resolve().parent / "data"


class RuleDataError(ValueError):
    pass


@dataclass(frozen=True)
class RuleVersion:
    id: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None  # exclusive; None: still in force
    params: dict[str, Any]
    title_en: str
    title_zh: str
    source: str = ""
    verified: bool = True
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    @property
    def cite(self) -> str:
        """How findings and the interface name it: `recruitment.talk_within@2014`."""
        return f"{self.id}@{self.version}"


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise RuleDataError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def parse(entries: list[dict[str, Any]], source_name: str) -> dict[str, list[RuleVersion]]:
    """Validate and index rule versions: ids and versions unique, ranges ordered and not overlapping."""
    out: dict[str, list[RuleVersion]] = {}
    for i, e in enumerate(entries):
        where = f"{source_name}[{i}]"
        for key in ("id", "version", "effective_from", "params", "title_en", "title_zh"):
            if key not in e:
                raise RuleDataError(f"{where}: missing {key!r}")
        start = _date(e["effective_from"], where)
        assert start is not None
        end = _date(e.get("effective_to"), where)
        if end is not None and end <= start:
            raise RuleDataError(f"{where}: effective_to must be after effective_from")
        out.setdefault(e["id"], []).append(RuleVersion(
            id=e["id"], version=str(e["version"]), effective_from=start, effective_to=end, params=dict(e["params"]),
            title_en=e["title_en"], title_zh=e["title_zh"], source=e.get("source", ""),
            verified=bool(e.get("verified", True)), notes=e.get("notes", ""), tags=tuple(e.get("tags", ())),
        ))
    for rule_id, versions in out.items():
        versions.sort(key=lambda v: v.effective_from)
        seen = set()
        for a, b in zip(versions, versions[1:], strict=False):
            if a.effective_to is None or a.effective_to > b.effective_from:
                raise RuleDataError(f"{rule_id}: version {a.version} overlaps version {b.version}")
        for v in versions:
            if v.version in seen:
                raise RuleDataError(f"{rule_id}: version {v.version} appears twice")
            seen.add(v.version)
    return out


@lru_cache(maxsize=1)
def _load() -> dict[str, list[RuleVersion]]:
    rules: dict[str, list[RuleVersion]] = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        for rule_id, versions in parse(json.loads(path.read_text(encoding="utf-8")), path.name).items():
            if rule_id in rules:
                raise RuleDataError(f"{rule_id} is defined in more than one file")
            rules[rule_id] = versions
    return rules


def reload() -> None:
    _load.cache_clear()


def all_rules() -> dict[str, list[RuleVersion]]:
    return _load()


def in_force(rule_id: str, day: dt.date) -> RuleVersion:
    """The version of `rule_id` in force on `day`, with any site override of its numbers applied."""
    versions = _load().get(rule_id)
    if not versions:
        raise KeyError(f"unknown rule {rule_id}")
    for v in versions:
        if v.covers(day):
            override = getattr(settings, "GRASSROOTS_RULE_OVERRIDES", {}).get(rule_id)
            if override:
                return RuleVersion(**{**v.__dict__, "params": {**v.params, **override}})
            return v
    # Before the first version: the first one applies (records older than the rules are judged by them).
    return versions[0]
