"""The annual summary's first section, basic situation and structure: `members.stats.structure_stats` on the
day, opened by the basic-situation paragraph (`reports.situation`: the membership and recruitment figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation

from grassroots.core.modules import SectionText, Subheading
from grassroots.orgs.models import Organization
from grassroots.reports.situation import situation_figures

from .models import Education, Occupation
from .stats import age_bands


@dataclass(frozen=True)
class Figure:
    """A count with its share of the members (percent, two decimals, rounded half up)."""

    key: str
    count: int
    pct: Decimal


@dataclass(frozen=True)
class Situation:
    """Basic situation and structure: `members.stats.structure_stats` on the day."""

    org_code: str
    org_name: str
    org_name_en: str
    exists: bool
    total: int
    figures: dict[str, Figure]  # every figure of structure_stats by its key (probationary, female, age_36_45, ...)
    organizations: dict[str, int]  # organizations of the subtree by kind
    paragraph: dict[str, str]  # the opening paragraph ("zh-hans", "en"), members and recruitment

    def figure(self, key: str) -> Figure:
        return self.figures[key]

    def as_json(self) -> dict[str, Any]:
        return {"structure": {k: {"count": f.count, "pct": str(f.pct)} for k, f in self.figures.items()},
                "organizations": self.organizations}


def structure_groups(day: dt.date) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The breakdowns a summary writes: the age bands that divide the total (rules data), education, occupation."""
    return (
        ("age", tuple(band.key for band in age_bands(day) if band.in_breakdown)),
        ("education", tuple(f"education_{v}" for v in Education.values)),
        ("occupation", tuple(f"occupation_{v}" for v in Occupation.values)),
    )


GROUP_LABELS = {"age": ("按年龄分", "By age"), "education": ("按学历分", "By education"),
                "occupation": ("按职业分", "By occupation")}


def situation_of(org: Organization, year: int, day: dt.date) -> Situation:
    bundle = situation_figures(org, day)  # the same bundle the organization page, the API and the CLI show
    stats = bundle.stats
    figures = {key: Figure(key, value["count"], value["pct"]) for key, value in stats.items()
               if isinstance(value, dict) and "count" in value}
    paragraph = {lang: bundle.paragraph(lang) for lang in ("zh-hans", "en")}
    return Situation(org_code=org.code, org_name=stats["org"]["name"], org_name_en=stats["org"]["name_en"] or "",
                     exists=stats["exists"], total=figures["total"].count, figures=figures,
                     organizations=dict(stats["organizations"]), paragraph=paragraph)


def _label(key: str) -> str:
    """The label of a structure figure (the translation in force)."""
    if key.startswith("education_"):
        return str(Education(key.removeprefix("education_")).label)
    return str(Occupation(key.removeprefix("occupation_")).label)


def structure_sentence(situation: Situation, group: str, keys: tuple[str, ...], language: str) -> str:
    figures = situation.figures
    zh = language.startswith("zh")
    parts = []
    bands = {band.key: band for band in age_bands()}
    with translation.override(language):
        for key in keys:
            f = figures[key]
            label = bands[key].label(language) if key in bands else _label(key)
            parts.append(f"{label}{f.count}名，占{f.pct}%" if zh else f"{label}: {f.count} ({f.pct}%)")
    head = GROUP_LABELS[group][0 if zh else 1]
    return f"{head}：{'；'.join(parts)}。" if zh else f"{head}: {'; '.join(parts)}."


def situation_text(situation: Situation, day: dt.date, language: str) -> SectionText:
    zh = language.startswith("zh")
    if not situation.exists:  # the paragraph says it did not exist; no structure of zeros
        return SectionText("基本情况" if zh else "Basic situation", (situation.paragraph["zh-hans" if zh else "en"],))
    return SectionText("基本情况" if zh else "Basic situation", (
        situation.paragraph["zh-hans" if zh else "en"],
        Subheading("党员队伍结构" if zh else "Structure of the membership"),
        *(structure_sentence(situation, group, keys, language) for group, keys in structure_groups(day)),
    ))
