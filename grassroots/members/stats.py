"""Structure statistics of a subtree as of a date, and the "basic situation" paragraph of a summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone, translation

from grassroots.core.dates import add_years
from grassroots.orgs.models import Organization, OrgKind
from grassroots.orgs.selectors import kind_counts, state_on
from grassroots.rules.registry import in_force

from . import rollups
from .models import COLLEGE_OR_ABOVE, HAN, Education, MemberPeriod, Occupation, Sex, Status


@dataclass(frozen=True)
class AgeBand:
    """An age band of the statistics, from the rule `members.age_bands` (rules data, not code)."""

    key: str
    youngest: int | None  # full years; None: no lower bound
    oldest: int | None  # None: no upper bound
    zh: str
    en: str
    in_breakdown: bool  # one of the bands that divide the total (the others overlap them)

    def label(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


def age_bands(day: dt.date | None = None) -> tuple[AgeBand, ...]:
    """The age bands in force on `day` (today's when None), in the order the pages show them."""
    rule = in_force("members.age_bands", day or timezone.localdate())
    return tuple(AgeBand(key=b["key"], youngest=b["youngest"], oldest=b["oldest"], zh=b["zh"], en=b["en"],
                         in_breakdown=bool(b["in_breakdown"])) for b in rule["bands"])


def pct(count: int, total: int) -> Decimal:
    """Percentage of the total to two decimals, rounded half up (0 when the total is 0)."""
    if not total:
        return Decimal("0.00")
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def years_before(day: dt.date, years: int) -> dt.date:
    return add_years(day, -years)


def _age_q(day: dt.date, youngest: int | None, oldest: int | None) -> Q:
    """Members aged youngest..oldest (full years) on `day`."""
    q = Q()
    if oldest is not None:  # age <= oldest  <=>  born after day - (oldest + 1) years
        q &= Q(member__birth_date__gt=years_before(day, oldest + 1))
    if youngest is not None:  # age >= youngest  <=>  born on or before day - youngest years
        q &= Q(member__birth_date__lte=years_before(day, youngest))
    return q


def _birth_range(day: dt.date, band: AgeBand) -> rollups.BirthRange:
    """The birth dates of the members aged band.youngest..band.oldest (full years) on `day`: born after the first
    date (None: no bound), on or before the second (see `_age_q`)."""
    return (years_before(day, band.oldest + 1) if band.oldest is not None else None,
            years_before(day, band.youngest) if band.youngest is not None else None)


def structure_counts(org: Organization, day: dt.date, *, marks: bool = True) -> dict[str, int]:
    """The raw counts of org's subtree as it stood on `day`, read from the rollups (`members.rollups`): a few
    queries of a few rows whatever the subtree's size. `structure_counts_scan` computes the same from the periods.
    marks=False sums every delta instead of starting from the month's mark (for `verify_rollups`)."""
    figures = rollups.figures(org.pk, day, marks=marks)
    bands = age_bands(day)
    ages = rollups.born_between(org.pk, day, {band.key: _birth_range(day, band) for band in bands}, marks=marks)
    counts = {name: figures[name] for name in ("total", "probationary", "full", "male", "female", "han", "minority",
                                               "mobile", "suspended")}
    counts["college_or_above"] = sum(figures[f"education_{v}"] for v in COLLEGE_OR_ABOVE)
    for band in bands:
        counts[band.key] = ages[band.key]
    for value in Education.values:
        counts[f"education_{value}"] = figures[f"education_{value}"]
    for value in Occupation.values:
        counts[f"occupation_{value}"] = figures[f"occupation_{value}"]
    return counts


def structure_counts_scan(org: Organization, day: dt.date) -> dict[str, int]:
    """The raw counts, in one query over the periods in force on `day` (what the rollups must equal: the tests and
    `grassroots verify-rollups` compare them)."""
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "probationary": Count("id", filter=Q(status=Status.PROBATIONARY)),
        "full": Count("id", filter=Q(status=Status.FULL)),
        "male": Count("id", filter=Q(member__sex=Sex.MALE)),
        "female": Count("id", filter=Q(member__sex=Sex.FEMALE)),
        "han": Count("id", filter=Q(member__ethnicity=HAN)),
        "minority": Count("id", filter=~Q(member__ethnicity=HAN)),
        "mobile": Count("id", filter=Q(mobile=True)),
        "suspended": Count("id", filter=Q(suspended=True)),
        "college_or_above": Count("id", filter=Q(education__in=COLLEGE_OR_ABOVE)),
    }
    for band in age_bands(day):
        aggregates[band.key] = Count("id", filter=_age_q(day, band.youngest, band.oldest))
    for value in Education.values:
        aggregates[f"education_{value}"] = Count("id", filter=Q(education=value))
    for value in Occupation.values:
        aggregates[f"occupation_{value}"] = Count("id", filter=Q(occupation=value))
    return MemberPeriod.objects.on(day).in_subtree(org, day).aggregate(**aggregates)


def verify_rollups(org: Organization | None, days: Iterable[dt.date]) -> Iterator[
        tuple[str, dt.date, str | None, int, int]]:
    """For each organization (org's subtree today, or every one) and day: the figures the rollups give that the
    periods do not, as (code, day, figure, rollups, periods); then (code, day, None, 0, 0) for the day checked."""
    orgs = Organization.objects.all() if org is None else Organization.objects.filter(path__startswith=org.path)
    for node in orgs.order_by("path"):
        for day in sorted(set(days)):
            scanned = structure_counts_scan(node, day)
            wrong = set()
            for kept in (structure_counts(node, day), structure_counts(node, day, marks=False)):
                for figure in scanned:  # the marks, then the deltas alone (a wrong mark or a wrong delta)
                    if kept.get(figure) != scanned[figure] and figure not in wrong:
                        wrong.add(figure)
                        yield node.code, day, figure, kept.get(figure, 0), scanned[figure]
            yield node.code, day, None, 0, 0


def structure_stats(org: Organization, day: dt.date) -> dict[str, Any]:
    """Every figure with its count and percentage of the total; organizations under org by kind."""
    counts = structure_counts(org, day)
    total = counts["total"]
    state = state_on(org, day)
    out: dict[str, Any] = {
        "org": {"code": org.code, "name": state.name if state else org.name, "name_en": org.name_en,
                "kind": state.kind if state else org.kind},
        "as_of": day.isoformat(),
        "exists": state is not None,
    }
    for key, count in counts.items():
        out[key] = {"count": count, "pct": pct(count, total)}
    kinds = kind_counts(org, day)
    out["organizations"] = {kind: kinds.get(kind, 0) for kind in OrgKind.values}
    return out


def to_json(stats: dict[str, Any]) -> dict[str, Any]:
    """Decimals as numbers with two decimals (3.07), for JSON."""
    def conv(v: Any) -> Any:
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v
    return conv(stats)


def basic_situation(org: Organization, day: dt.date, language: str = "zh-hans", *,
                    stats: dict[str, Any] | None = None) -> str:
    """The membership part of a summary's opening paragraph, in the manner of the seeds, from the statistics
    (pass `stats` when they are already computed). `grassroots.reports.situation` adds the other modules."""
    s = stats if stats is not None else structure_stats(org, day)
    if not s.get("exists", True):
        return absent_sentence(org, day, language)
    o = s["organizations"]
    c = {k: v["count"] for k, v in s.items() if isinstance(v, dict) and "count" in v}
    p = {k: v["pct"] for k, v in s.items() if isinstance(v, dict) and "pct" in v}
    with translation.override(language):
        if language.startswith("zh"):
            parts = []
            for kind, unit in ((OrgKind.COMMITTEE, "党委"), (OrgKind.GENERAL_BRANCH, "党总支"),
                               (OrgKind.BRANCH, "党支部"), (OrgKind.PARTY_GROUP, "党小组")):
                if o.get(kind):
                    parts.append(f"{unit}{o[kind]}个")
            under = f"下设{'、'.join(parts)}，" if parts else ""
            return (
                f"截至{day.year}年{day.month}月{day.day}日，{s['org']['name']}{under}共有党员{c['total']}名。"
                f"其中预备党员{c['probationary']}名，占党员总数的{p['probationary']}%；"
                f"女党员{c['female']}名，占{p['female']}%；少数民族党员{c['minority']}名，占{p['minority']}%；"
                f"35岁及以下党员{c['age_35_or_under']}名，占{p['age_35_or_under']}%；"
                f"36至54岁党员{c['age_36_54']}名，占{p['age_36_54']}%；"
                f"55岁及以上党员{c['age_55_or_over']}名，占{p['age_55_or_over']}%；"
                f"大专及以上学历党员{c['college_or_above']}名，占{p['college_or_above']}%。"
                f"流动党员{c['mobile']}名。"
            )
        parts = []
        for kind, one, many in ((OrgKind.COMMITTEE, "Party committee", "Party committees"),
                                (OrgKind.GENERAL_BRANCH, "general branch", "general branches"),
                                (OrgKind.BRANCH, "branch", "branches"),
                                (OrgKind.PARTY_GROUP, "Party group", "Party groups")):
            n = o.get(kind, 0)
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        under = f" had {_join_en(parts)} under it and" if parts else " had"
        return (
            f"As of {day.day} {day:%B %Y}, {s['org']['name_en'] or s['org']['name']}{under} {c['total']} members in total. "
            f"Of them, {c['probationary']} were probationary members, {p['probationary']}% of the total; "
            f"{c['female']} were women ({p['female']}%); {c['minority']} belonged to ethnic minorities ({p['minority']}%); "
            f"{c['age_35_or_under']} were aged 35 or under ({p['age_35_or_under']}%), "
            f"{c['age_36_54']} were 36 to 54 ({p['age_36_54']}%) and {c['age_55_or_over']} were 55 or over "
            f"({p['age_55_or_over']}%); "
            f"{c['college_or_above']} had a college education or above ({p['college_or_above']}%). "
            f"{c['mobile']} were mobile members."
        )


def absent_sentence(org: Organization, day: dt.date, language: str = "zh-hans") -> str:
    """What a summary says for a day when the organization did not exist (not "0 members", as if counted)."""
    zh = language.startswith("zh")
    if day < org.founded_on:
        if zh:
            return (f"截至{day.year}年{day.month}月{day.day}日，{org.name}尚未成立（成立于{org.founded_on.year}年"
                    f"{org.founded_on.month}月{org.founded_on.day}日），没有这一日期的党员统计。")
        return (f"As of {day.day} {day:%B %Y}, {org.name_en or org.name} did not exist yet (it was founded on "
                f"{org.founded_on.day} {org.founded_on:%B %Y}): there are no membership figures for that date.")
    if zh:
        return f"截至{day.year}年{day.month}月{day.day}日，{org.name}已不存在，没有这一日期的党员统计。"
    return (f"As of {day.day} {day:%B %Y}, {org.name_en or org.name} no longer existed: there are no membership "
            f"figures for that date.")


def _join_en(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]

