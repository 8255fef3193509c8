"""The demo town's recruitment, through the recruitment services: `build_recruitment()` (called by `build_demo`).

Seed 000 says the town had 71 activists and 9 development targets at the end of 2019. The plan spreads them
over the village branches of the three communities, with histories that follow the procedure: applications
from 2014 to 2019, the talk within a month (a few late), the activist decision, training contacts, an
assessment every half year; the development targets were listed after at least a year, got two introducers,
and some had their political review, training and public notice. A few applicants too, and a few steps left
undone (a missed talk, missed assessments), so that the to-do list on 2019-12-31 has something on it.

Nobody is admitted here: the 12 probationary members of 2019 were made by the member builder, so the
structure statistics (391 members, 12 probationary) stay as the seed states them. What happens to them after
2019 is written by `living` (the town from 2020 to today).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.utils.translation import gettext as _

from grassroots.core import idnumber

from . import data

SEED = 20191231
AS_OF = data.AS_OF
ACTIVISTS = 71
DEVELOPMENT_TARGETS = 9
APPLICANTS = 14
MISSED_TALKS = 2  # applicants of late 2019 nobody talked with
MISSED_ASSESSMENTS = 3  # activists whose last half-yearly assessment was not recorded
FIRST_APPLICATION = dt.date(2014, 7, 1)
# The village branches of the communities recruit (not the senior members' branch).
VILLAGE_BRANCHES = [s for s in data.ORGS if s.kind == "branch" and s.sector == "village" and "老年" not in s.name]


@dataclass
class Plan:
    """One candidate's history: the steps to record, in order, as (kind, date, extra)."""

    branch: str
    name: str
    sex: str
    birth: dt.date
    id_number: str
    education: str
    occupation: str
    phone: str
    applied_on: dt.date
    steps: list[tuple[str, dt.date, dict[str, Any]]] = field(default_factory=list)


def _months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class _Planner:
    def __init__(self, seed: int, used_ids: set[str]) -> None:
        self.rng = random.Random(seed)
        self.used_ids = set(used_ids)

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        return start if end <= start else start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def person(self, branch: str, applied_on: dt.date) -> Plan:
        rng = self.rng
        sex = "F" if rng.random() < 0.45 else "M"
        chars = data.FEMALE_CHARS if sex == "F" else data.MALE_CHARS
        name = rng.choice(data.SURNAMES) + rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
        age = rng.choice([19, 21, 23, 25, 27, 29, 31, 34, 38])  # at least 18 on the application date
        birth = applied_on - dt.timedelta(days=age * 366 + rng.randint(0, 300))
        while True:
            number = idnumber.make(data.REGION, birth, rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0))
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        education = rng.choices(["high_school", "secondary_technical", "college", "bachelor"], [3, 2, 3, 2])[0]
        occupation = rng.choices(["farmer", "freelance", "in_service", "student"], [5, 3, 2, 1 if age < 24 else 0])[0]
        return Plan(branch, name, sex, birth, number, education, occupation, f"137{rng.randrange(10**8):08d}",
                    applied_on)

    def branch(self) -> str:
        return self.rng.choices(VILLAGE_BRANCHES, weights=[b.weight for b in VILLAGE_BRANCHES])[0].code

    # --- the way in ---------------------------------------------------------------------------------
    def activist(self, activist_on: dt.date, *, target_on: dt.date | None = None, miss_last: bool = False) -> Plan:
        rng = self.rng
        applied = max(FIRST_APPLICATION, activist_on - dt.timedelta(days=rng.randint(60, 420)))
        plan = self.person(self.branch(), applied)
        late = rng.random() < 0.08
        talked = applied + dt.timedelta(days=rng.randint(35, 50) if late else rng.randint(6, 26))
        plan.steps.append(("talked", talked, {}))
        plan.steps.append(("recommended", self.day(talked, activist_on), {}))
        plan.steps.append(("activist_decided", activist_on, {}))
        plan.steps.append(("contacts", activist_on, {"count": rng.choice([1, 2, 2])}))
        end = target_on or AS_OF
        assessed, previous = [], activist_on
        while True:
            on = _months(previous, 6) - dt.timedelta(days=rng.randint(0, 20))
            if on > end or (target_on is not None and on >= target_on):
                break
            assessed.append(on)
            previous = on
        while miss_last and assessed:  # drop assessments until one was due (and missed) before the end of 2019
            assessed.pop()
            if _months(assessed[-1] if assessed else activist_on, 6) < AS_OF:
                break
        plan.steps.extend(("assessed", on, {}) for on in assessed)
        if target_on is not None:
            plan.steps.append(("target_listed", target_on, {}))
            plan.steps.append(("introducers", target_on + dt.timedelta(days=rng.randint(0, 10)), {}))
        return plan

    def target(self, target_on: dt.date, progress: int) -> Plan:
        """A development target listed on `target_on`; `progress` 0-3: how far the preparation went."""
        activist_on = self.day(_months(target_on, -30), _months(target_on, -13))
        plan = self.activist(activist_on, target_on=target_on)
        last = plan.steps[-1][1]
        if progress >= 1:
            last = last + dt.timedelta(days=self.rng.randint(10, 30))
            plan.steps.append(("political_review", last, {}))
        if progress >= 2:
            start = last + dt.timedelta(days=self.rng.randint(7, 20))
            plan.steps.append(("training", start, {"end_date": start + dt.timedelta(days=2), "hours": 24}))
            last = start + dt.timedelta(days=2)
        if progress >= 3:
            start = last + dt.timedelta(days=self.rng.randint(5, 12))
            plan.steps.append(("notice", start, {}))
        return plan

    def applicant(self, applied_on: dt.date, *, talk: bool) -> Plan:
        plan = self.person(self.branch(), applied_on)
        if talk:
            plan.steps.append(("talked", applied_on + dt.timedelta(days=self.rng.randint(5, 25)), {}))
        return plan


def plan(used_ids: set[str] | None = None, seed: int = SEED) -> list[Plan]:
    """Every candidate of the demo town, decided from the seed (no database); `used_ids`: ID numbers taken."""
    p = _Planner(seed, used_ids or set())
    rng = p.rng
    plans: list[Plan] = []
    # Development targets: listed in 2018-2019, at various points of their preparation.
    for i in range(DEVELOPMENT_TARGETS):
        progress = i % 4  # the further the preparation went, the earlier the listing
        last = dt.date(2019, 11, 15) - dt.timedelta(days=35 * progress)
        plans.append(p.target(p.day(dt.date(2018, 6, 1), last), progress=progress))
    # Activists: decided from 2015 to late 2019, more of them recent.
    missed = set(rng.sample(range(ACTIVISTS), MISSED_ASSESSMENTS))
    for i in range(ACTIVISTS):
        year = rng.choices([2015, 2016, 2017, 2018, 2019], weights=[1, 2, 3, 4, 5])[0]
        activist_on = p.day(dt.date(year, 1, 5), min(dt.date(year, 12, 20), dt.date(2019, 11, 29)))
        if i in missed:  # a missed assessment needs one due before the end of 2019
            activist_on = min(activist_on, dt.date(2018, 12, 1))
        plans.append(p.activist(activist_on, miss_last=i in missed))
    # Applicants of 2019: most were talked with; the last few of the year were not (yet).
    for i in range(APPLICANTS):
        applied_on = p.day(dt.date(2019, 3, 1), dt.date(2019, 12, 20))
        if i < MISSED_TALKS:
            applied_on = p.day(dt.date(2019, 9, 20), dt.date(2019, 11, 15))
        plans.append(p.applicant(applied_on, talk=i >= MISSED_TALKS and applied_on < dt.date(2019, 12, 1)))
    return plans


# --- writing ------------------------------------------------------------------------------------------

def _full_members(org: Any, day: dt.date) -> list[Any]:
    from grassroots.members.models import Member, MemberPeriod

    ids = MemberPeriod.objects.on(day).filter(org=org, status="full", suspended=False).values("member_id")
    return list(Member.objects.filter(pk__in=ids).order_by("pk"))


def _notice_end(start: dt.date, working_days: int) -> dt.date:
    from grassroots.core.workdays import add_workdays

    return add_workdays(start, working_days)


def _write_one(plan: Plan, orgs: dict[str, Any], rng: random.Random) -> Any:
    from grassroots.recruitment import services
    from grassroots.rules.registry import in_force

    org = orgs[plan.branch]
    candidate = services.candidate_apply(
        name=plan.name, sex=plan.sex, birth_date=plan.birth, id_number=plan.id_number, education=plan.education,
        occupation=plan.occupation, org=org, applied_on=plan.applied_on, phone=plan.phone)
    for kind, on, extra in plan.steps:
        if kind == "contacts":
            members = rng.sample(_full_members(org, on), extra["count"])
            services.candidate_assign_sponsors(candidate, role="training_contact", members=members, on=on)
        elif kind == "introducers":
            services.candidate_assign_sponsors(candidate, role="introducer", members=rng.sample(
                _full_members(org, on), 2), on=on)
        elif kind == "notice":
            days = int(in_force("recruitment.public_notice", on)["working_days"])
            services.candidate_publish_notice(candidate, start=on, end=_notice_end(on, days + 2))
        elif kind == "training":
            services.candidate_record_step(candidate, kind="training", on=on, end_date=extra["end_date"],
                                           details={"hours": extra["hours"]})
        else:
            services.candidate_record_step(candidate, kind=kind, on=on)
    return candidate


def build_recruitment(out: TextIO) -> None:
    """Create the town's candidates if it has none yet (running it again changes nothing)."""
    from grassroots.members.models import Member
    from grassroots.orgs.models import Organization
    from grassroots.orgs.selectors import subtree_org_ids
    from grassroots.recruitment.models import Candidate

    town = Organization.objects.get(code=data.TOWN_CODE)
    in_town = Candidate.objects.filter(org_id__in=subtree_org_ids(town, AS_OF))
    if not in_town.exists():
        orgs = {spec.code: Organization.objects.get(code=spec.code) for spec in VILLAGE_BRANCHES}
        plans = plan(set(Member.objects.values_list("id_number", flat=True)))
        rng = random.Random(SEED)
        for one in sorted(plans, key=lambda x: (x.applied_on, x.id_number)):
            _write_one(one, orgs, rng)
    counts = {stage: in_town.stage_on(stage, AS_OF).count()
              for stage in ("applicant", "activist", "development_target")}
    out.write(_("Recruitment on %(day)s: %(applicants)s applicants, %(activists)s activists, %(targets)s development "
                "targets (the pipeline as it stood then: /orgs/%(code)s/pipeline/?as_of=%(day)s).")
              % {"day": AS_OF.isoformat(), "applicants": counts["applicant"], "activists": counts["activist"],
                 "targets": counts["development_target"], "code": data.TOWN_CODE} + "\n")
