"""The annual summary's recruitment section: the pipeline on the day and the year's flow
(`recruitment.stats.stage_counts`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from .stats import stage_counts


@dataclass(frozen=True)
class Recruitment:
    """The pipeline on the day and the year's flow: `recruitment.stats.stage_counts`."""

    applicants: int
    activists: int
    development_targets: int
    applications: int
    activists_decided: int
    development_targets_listed: int
    admitted: int
    converted: int

    def as_json(self) -> dict[str, Any]:
        return {"recruitment": dict(self.__dict__)}


def recruitment_of(org: Organization, year: int, day: dt.date) -> Recruitment:
    stages = stage_counts(org, day)
    return Recruitment(applicants=stages.applicants, activists=stages.activists,
                       development_targets=stages.development_targets, applications=stages.applications,
                       activists_decided=stages.activists_decided,
                       development_targets_listed=stages.development_targets_listed, admitted=stages.admitted,
                       converted=stages.converted)


def recruitment_paragraph(r: Recruitment, d: dt.date, language: str) -> str:
    if language.startswith("zh"):
        return (f"{d.year}年，共收到入党申请{r.applications}份，确定入党积极分子{r.activists_decided}名，"
                f"列为发展对象{r.development_targets_listed}名，接收预备党员{r.admitted}名，"
                f"预备党员按期转为正式党员{r.converted}名。截至{d.year}年{d.month}月{d.day}日，"
                f"有入党申请人{r.applicants}名、入党积极分子{r.activists}名、发展对象{r.development_targets}名。")
    return (f"In {d.year}, {r.applications} applications for membership were received, {r.activists_decided} "
            f"activists were decided on, {r.development_targets_listed} development targets were listed, "
            f"{r.admitted} probationary members were admitted and {r.converted} probationary members became full "
            f"members. As of {d.day} {d:%B %Y} there were {r.applicants} applicants, {r.activists} activists and "
            f"{r.development_targets} development targets.")


def recruitment_text(r: Recruitment, day: dt.date, language: str) -> SectionText:
    heading = "发展党员工作" if language.startswith("zh") else "Recruitment"
    return SectionText(heading, (recruitment_paragraph(r, day, language),))
