"""The figures of an organization's annual summary, as the records stood on 31 December of the year.

One dataclass per section, each filled from the module's own selectors (never a typed figure), so the summary
says what the statistics API, the dues totals, the duties grid and the opinions statistics say for the same
organization and date. `grassroots.reports.docx` writes them as a Word document; the sections that need
people's words (highlights, problems, next steps) are left to write there.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation

from grassroots.dues import selectors as dues_selectors
from grassroots.meetings import selectors as meeting_selectors
from grassroots.meetings.models import MeetingKind
from grassroots.members.models import Education, Occupation
from grassroots.members.stats import AGE_BANDS, pct, structure_stats
from grassroots.opinions import selectors as opinion_selectors
from grassroots.orgs.models import Organization
from grassroots.recruitment.stats import StageCounts, stage_counts

from .situation import basic_situation

FEN = Decimal("0.01")


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


@dataclass(frozen=True)
class Dues:
    """Dues of the subtree over the year: `dues.selectors.totals` (money in yuan, two decimals)."""

    assessed: Decimal
    collected: Decimal
    regular: Decimal
    back: Decimal
    voluntary: Decimal
    to_centre: Decimal
    remitted: Decimal


@dataclass(frozen=True)
class Duty:
    """One duty over the year across the subtree's units: periods owed, periods met."""

    rule_id: str
    kind: str
    owed: int
    met: int

    @property
    def rate(self) -> Decimal:
        return pct(self.met, self.owed)

    def label(self, language: str) -> str:
        with translation.override(language):
            return str(MeetingKind(self.kind).label)


@dataclass(frozen=True)
class OrganizationalLife:
    """Organizational life held against duty: `meetings.selectors.duties` for the year."""

    units: int  # units that owed at least one period
    duties: list[Duty]  # in the order of the rules (meetings.UNIT_DUTIES)

    @property
    def owed(self) -> int:
        return sum(d.owed for d in self.duties)

    @property
    def met(self) -> int:
        return sum(d.met for d in self.duties)

    @property
    def rate(self) -> Decimal:
        return pct(self.met, self.owed)


@dataclass(frozen=True)
class Opinions:
    """Residents' opinions received in the year, as they stood on the day: `opinions.selectors.year_statistics`."""

    received: int
    completed: int
    completion_rate: Decimal | None
    on_time: int
    on_time_rate: Decimal | None
    still_open: int
    overdue: int
    rated: int
    average_rating: Decimal | None
    satisfaction_rate: Decimal | None


@dataclass(frozen=True)
class AnnualSummary:
    org: Organization
    year: int
    day: dt.date  # the records as of this day (31 December of the year unless asked otherwise)
    situation: Situation
    recruitment: Recruitment
    dues: Dues
    life: OrganizationalLife
    opinions: Opinions

    def org_name(self, language: str) -> str:
        if language.startswith("zh"):
            return self.situation.org_name
        return self.situation.org_name_en or self.situation.org_name


# --- the sections -----------------------------------------------------------------------------------------------

STRUCTURE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age", tuple(key for key, _y, _o in AGE_BANDS if key != "age_30_or_under")),
    ("education", tuple(f"education_{v}" for v in Education.values)),
    ("occupation", tuple(f"occupation_{v}" for v in Occupation.values)),
)


def situation_of(org: Organization, day: dt.date, stages: StageCounts) -> Situation:
    stats = structure_stats(org, day)
    figures = {key: Figure(key, value["count"], value["pct"]) for key, value in stats.items()
               if isinstance(value, dict) and "count" in value}
    paragraph = {lang: basic_situation(org, day, lang, stats=stats, stages=stages) for lang in ("zh-hans", "en")}
    return Situation(org_code=org.code, org_name=stats["org"]["name"], org_name_en=stats["org"]["name_en"] or "",
                     exists=stats["exists"], total=figures["total"].count, figures=figures,
                     organizations=dict(stats["organizations"]), paragraph=paragraph)


def recruitment_of(stages: StageCounts) -> Recruitment:
    return Recruitment(applicants=stages.applicants, activists=stages.activists,
                       development_targets=stages.development_targets, applications=stages.applications,
                       activists_decided=stages.activists_decided,
                       development_targets_listed=stages.development_targets_listed, admitted=stages.admitted,
                       converted=stages.converted)


def dues_of(org: Organization, start: dt.date, day: dt.date) -> Dues:
    t = dues_selectors.totals(org, start, day)
    return Dues(**{name: Decimal(t[name]).quantize(FEN) for name in dues_selectors.FIGURES})


def life_of(org: Organization, start: dt.date, day: dt.date) -> OrganizationalLife:
    rows = [r for r in meeting_selectors.duties(org, start, day) if r.period_end <= day]
    per: OrderedDict[str, list[int]] = OrderedDict()
    kinds: dict[str, str] = {}
    order = [rule for rules in meeting_selectors.UNIT_DUTIES.values() for rule in rules]
    for row in sorted(rows, key=lambda r: order.index(r.rule_id) if r.rule_id in order else len(order)):
        counts = per.setdefault(row.rule_id, [0, 0])
        counts[0] += 1
        counts[1] += meeting_selectors.duty_state(row, day) is meeting_selectors.DutyState.MET
        kinds[row.rule_id] = row.kind
    duties = [Duty(rule_id, kinds[rule_id], owed, met) for rule_id, (owed, met) in per.items()]
    return OrganizationalLife(units=len({r.org_id for r in rows}), duties=duties)


def opinions_of(org: Organization, year: int, day: dt.date) -> Opinions:
    total = opinion_selectors.year_statistics(org, year, day).total
    return Opinions(received=total.received, completed=total.completed, completion_rate=total.completion_rate,
                    on_time=total.on_time, on_time_rate=total.on_time_rate, still_open=total.still_open,
                    overdue=total.overdue, rated=total.rated, average_rating=total.average_rating,
                    satisfaction_rate=total.satisfaction_rate)


def annual_summary(org: Organization, year: int, *, as_of: dt.date | None = None) -> AnnualSummary:
    """Every section's figures for `org`'s subtree and `year`, as the records stood on `as_of` (default: 31
    December of the year; a day within the year gives the year so far)."""
    start = dt.date(year, 1, 1)
    day = as_of or dt.date(year, 12, 31)
    if day.year != year:
        raise ValueError(f"{day} is not in {year}")
    stages = stage_counts(org, day)
    return AnnualSummary(org=org, year=year, day=day, situation=situation_of(org, day, stages),
                         recruitment=recruitment_of(stages), dues=dues_of(org, start, day),
                         life=life_of(org, start, day), opinions=opinions_of(org, year, day))


def as_json(summary: AnnualSummary) -> dict[str, Any]:
    """The figures as plain values (for tests and scripts)."""
    s = summary.situation
    return {
        "org": s.org_code, "year": summary.year, "as_of": summary.day.isoformat(),
        "structure": {k: {"count": f.count, "pct": str(f.pct)} for k, f in s.figures.items()},
        "organizations": s.organizations,
        "recruitment": dict(summary.recruitment.__dict__),
        "dues": {k: str(v) for k, v in summary.dues.__dict__.items()},
        "life": {d.rule_id: {"owed": d.owed, "met": d.met, "rate": str(d.rate)} for d in summary.life.duties},
        "opinions": {k: (None if v is None else str(v) if isinstance(v, Decimal) else v)
                     for k, v in summary.opinions.__dict__.items()},
    }
