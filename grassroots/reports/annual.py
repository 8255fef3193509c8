"""The figures of an organization's annual summary, as the records stood on 31 December of the year.

The sections are the registered modules' (`core.modules.sections()`: basic situation and structure, recruitment,
dues, organizational life against duty, residents' opinions, ...): each module gathers its figures from its own
selectors (never a typed figure) into a dataclass, so the summary says what the statistics API, the dues totals,
the duties grid and the opinions statistics say for the same organization and date. `grassroots.reports.docx`
writes them as a Word document; the sections that need people's words (highlights, problems, next steps) are
left to write there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots.core.modules import Section, sections
from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import state_on


@dataclass(frozen=True)
class AnnualSummary:
    """The summary of `org`'s subtree for `year` as of `day`: each section's figures in the sections' order,
    and by the section's key as an attribute (`summary.dues`, `summary.situation`, ...)."""

    org: Organization
    year: int
    day: dt.date  # the records as of this day (31 December of the year unless asked otherwise)
    name: str  # the organization's name on the day
    name_en: str
    parts: tuple[tuple[Section, Any], ...]  # (section, its figures), sections with nothing to say left out

    def __getattr__(self, key: str) -> Any:
        if not key.startswith("_") and key != "parts":
            for section, figures in self.parts:
                if section.key == key:
                    return figures
        raise AttributeError(key)

    def org_name(self, language: str) -> str:
        if language.startswith("zh"):
            return self.name
        return self.name_en or self.name


def annual_summary(org: Organization, year: int, *, as_of: dt.date | None = None) -> AnnualSummary:
    """Every section's figures for `org`'s subtree and `year`, as the records stood on `as_of` (default: 31
    December of the year; a day within the year gives the year so far)."""
    day = as_of or dt.date(year, 12, 31)
    if day.year != year:
        raise ValueError(f"{day} is not in {year}")
    gathered = ((section, section.gathered(org, year, day)) for section in sections())
    state = state_on(org, day)
    return AnnualSummary(org=org, year=year, day=day, name=state.name if state else org.name,
                         name_en=org.name_en or "",
                         parts=tuple((section, figures) for section, figures in gathered if figures is not None))


def as_json(summary: AnnualSummary) -> dict[str, Any]:
    """The figures as plain values (for tests and scripts): each section's `as_json()` under its own keys."""
    out: dict[str, Any] = {"org": summary.org.code, "year": summary.year, "as_of": summary.day.isoformat()}
    for _section, figures in summary.parts:
        out.update(figures.as_json())
    return out
