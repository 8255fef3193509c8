"""The "basic situation" paragraph that opens every summary in the seeds, from all modules' figures.

The membership figures come from `members.stats`; the recruitment pipeline ("71 activists and 9 development
targets") from `recruitment.stats`. Each module that lands adds its sentence here, never a typed figure.
`situation_figures(org, day)` reads the whole bundle once (figures, pipeline, paragraph) for every face that shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grassroots.members.stats import basic_situation as membership_paragraph
from grassroots.members.stats import structure_stats, to_json
from grassroots.orgs.models import Organization
from grassroots.recruitment.stats import StageCounts, stage_counts


def recruitment_sentence(stages: StageCounts, language: str) -> str:
    if language.startswith("zh"):
        return f"现有入党积极分子{stages.activists}名，发展对象{stages.development_targets}名。"
    activists = f"{stages.activists} activist{'' if stages.activists == 1 else 's'}"
    targets = f"{stages.development_targets} development target{'' if stages.development_targets == 1 else 's'}"
    return f"There were {activists} and {targets} for Party membership."


def basic_situation(org: Organization, day: dt.date, language: str = "zh-hans", *,
                    stats: dict[str, Any] | None = None, stages: StageCounts | None = None) -> str:
    if stats is not None and not stats.get("exists", True):
        return membership_paragraph(org, day, language, stats=stats)  # says it did not exist; no pipeline of zeros
    stages = stages if stages is not None else stage_counts(org, day)
    joiner = "" if language.startswith("zh") else " "
    return joiner.join((membership_paragraph(org, day, language, stats=stats), recruitment_sentence(stages, language)))


@dataclass(frozen=True)
class SituationFigures:
    """The statistics bundle of a subtree on a day, read once: the structure figures (`members.stats`), the
    recruitment pipeline (`recruitment.stats`) and, from them, the opening paragraph in any language. The
    organization page, the API's `stats` and `grassroots stats` all show this one bundle."""

    org: Organization
    day: dt.date
    stats: dict[str, Any]
    stages: StageCounts

    def paragraph(self, language: str) -> str:
        return basic_situation(self.org, self.day, language, stats=self.stats, stages=self.stages)

    def as_json(self, languages: Sequence[str] = ()) -> dict[str, Any]:
        """The structure figures (decimals as numbers), the paragraph in each of `languages` under
        "basic_situation" (none: left out), then the stage counts."""
        data = to_json(self.stats)
        if languages:
            data["basic_situation"] = {lang: self.paragraph(lang) for lang in languages}
        data.update(self.stages.as_json())
        return data


def situation_figures(org: Organization, day: dt.date) -> SituationFigures:
    return SituationFigures(org=org, day=day, stats=structure_stats(org, day), stages=stage_counts(org, day))
