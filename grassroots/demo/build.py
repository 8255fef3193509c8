"""Build the demo town (Heshun, from seed 000) through the real services: `grassroots demo`.

`plan()` decides everything from a fixed random seed (pure, no database), choosing the figures the seed
states for the end of 2019 by construction; `build_demo()` writes the plan through the services, in date
order, in one transaction. Running it again changes nothing: it prints the address and the logins.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.core import audit, idnumber
from grassroots.core.dates import add_years
from grassroots.core.errors import RuleError
from grassroots.core.modules import demo_builders, demo_histories

from . import data
from .living import build_living

SEED = 20191231
LAST_FULL_JOIN = dt.date(2018, 11, 30)  # joined later: still probationary at the end of 2019
EARLIEST_JOIN = dt.date(1960, 1, 1)
ORG_SPECS = {spec.code: spec for spec in data.ORGS}
BRANCHES = [spec for spec in data.ORGS if spec.kind == "branch"]


@dataclass
class Event:
    on: dt.date
    kind: str
    details: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class Person:
    name: str
    sex: str
    ethnicity: str
    birth: dt.date
    id_number: str
    phone: str
    branch: str
    joined_on: dt.date
    converted_on: dt.date | None
    education: str  # at joining
    occupation: str  # at joining
    party_group: str | None = None
    events: list[Event] = field(default_factory=list)  # after joining and conversion, in date order


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Planner:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    # --- small choices ----------------------------------------------------------------------------
    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def name(self, sex: str) -> str:
        chars = MALE if sex == "M" else FEMALE
        given = self.rng.choice(chars) + (self.rng.choice(chars) if self.rng.random() < 0.7 else "")
        return self.rng.choice(data.SURNAMES) + given

    def id_number(self, birth: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)  # odd sequence: male
            number = idnumber.make(data.REGION, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"139{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def branch(self, joined_on: dt.date) -> str:
        candidates = [b for b in BRANCHES if b.founded_on + dt.timedelta(days=30) <= joined_on
                      and not (b.sector == "coop" and joined_on > data.COOP_LAST_JOIN)]
        return self.rng.choices(candidates, weights=[b.weight for b in candidates])[0].code

    def party_group(self, branch: str) -> str | None:
        groups = [s.code for s in data.ORGS if s.kind == "party_group" and s.parent == branch]
        return self.rng.choice(groups) if groups else None

    def birth(self, start: dt.date, end: dt.date) -> dt.date:
        return self.day_between(start, end)

    def old_birth(self) -> dt.date:
        # Rural members are older: most born in the 1940s-1960s, fewer at either end.
        if self.rng.random() < 0.15:
            year = self.rng.randint(1974, 1983)
        else:
            year = round(self.rng.triangular(1928, 1973.99, 1956))
        return self.birth(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def full_join(self, birth: dt.date, young: bool, last: dt.date = LAST_FULL_JOIN) -> dt.date:
        """A joining date at 18 or older, between 1960 and `last`: draw an age, draw again if out of range."""
        low = max(EARLIEST_JOIN, add_years(birth, 18))
        for _attempt in range(50):
            age = self.rng.randint(18, 28) if young else round(self.rng.triangular(18, 50, 25))
            joined = add_years(birth, age) + dt.timedelta(days=self.rng.randint(0, 300))
            if low <= joined <= last:
                return joined
        return self.day_between(low, last)

    def conversion(self, joined: dt.date) -> dt.date:
        return joined + dt.timedelta(days=365 + self.rng.randint(0, 20))

    def sample_weighted(self, items: list[int], weights: dict[int, float], k: int) -> set[int]:
        """Exactly k of the items, likelier the heavier (keys u ** (1 / w))."""
        keyed = sorted(items, key=lambda i: self.rng.random() ** (1.0 / weights[i]), reverse=True)
        return set(keyed[:k])


MALE = list(data.MALE_CHARS)
FEMALE = list(data.FEMALE_CHARS)


def _occupation(p: _Planner, sector: str, birth: dt.date, sex: str) -> str:
    age = age_on(birth, data.AS_OF)
    retire_age = 60 if sex == "M" else 55
    if sector == "village":
        if age > 60:
            return p.rng.choices(["retired", "farmer"], weights=[3, 7])[0]
        return p.rng.choices(["farmer", "freelance", "in_service", "unemployed_or_demobilized", "other"],
                             weights=[55, 25, 10, 5, 5])[0]
    return "retired" if age >= retire_age else "in_service"


def _college_level(p: _Planner, sector: str, young: bool) -> str:
    if sector in ("school", "health"):
        return p.rng.choices(["postgraduate", "bachelor", "college"], weights=[1, 6, 3])[0]
    if young:
        return p.rng.choices(["postgraduate", "bachelor", "college"], weights=[1, 9, 9])[0]
    return p.rng.choices(["bachelor", "college"], weights=[3, 7])[0]


def _school_level(p: _Planner, birth: dt.date) -> str:
    levels = ["secondary_technical", "high_school", "junior_high_or_below"]
    if birth.year < 1955:
        return p.rng.choices(levels, weights=[5, 20, 75])[0]
    return p.rng.choices(levels, weights=[20, 35, 45])[0]


def _after(person: Person) -> dt.date:
    """The date of the person's last planned event."""
    last = person.converted_on or person.joined_on
    return max([last] + [e.on for e in person.events])


def plan(seed: int = SEED) -> list[Person]:
    """Every member the demo ever had: the 391 of 2019-12-31 first, then those who died or left."""
    p = _Planner(seed)
    rng = p.rng
    t = data.TARGETS
    n = t["total"]
    everyone = list(range(n))
    young = set(rng.sample(everyone, t["age_35_or_under"]))
    old = [i for i in everyone if i not in young]
    probationary = set(rng.sample(sorted(young), t["probationary"] - 2)) | set(rng.sample(old, 2))
    female = set(rng.sample(everyone, t["female"]))
    minority = set(rng.sample(everyone, t["minority"]))

    births: dict[int, dt.date] = {}
    joins: dict[int, dt.date] = {}
    for i in everyone:
        if i in young:
            births[i] = (p.birth(dt.date(1993, 1, 1), dt.date(2000, 12, 31)) if i in probationary
                         else p.birth(dt.date(1984, 1, 1), dt.date(1999, 12, 31)))
        else:
            births[i] = p.birth(dt.date(1976, 1, 1), dt.date(1983, 12, 31)) if i in probationary else p.old_birth()
        if i in probationary:
            joins[i] = p.day_between(max(dt.date(2019, 1, 7), add_years(births[i], 18)), dt.date(2019, 11, 29))
        else:
            joins[i] = p.full_join(births[i], i in young)
    branches = {i: p.branch(joins[i]) for i in everyone}
    sectors = {i: ORG_SPECS[branches[i]].sector for i in everyone}

    # Education at the end of 2019: exactly 139 with college or above, likelier among the young and staff.
    weights = {}
    for i in everyone:
        w = 4.0 if i in young else (0.3 if births[i].year < 1950 else 1.0)
        weights[i] = w * (4.0 if sectors[i] in ("agency", "school", "health") else 1.0)
    college = p.sample_weighted(everyone, weights, t["college_or_above"])

    people: list[Person] = []
    for i in everyone:
        sex = "F" if i in female else "M"
        education = (_college_level(p, sectors[i], i in young) if i in college else _school_level(p, births[i]))
        occupation = _occupation(p, sectors[i], births[i], sex)
        people.append(Person(
            name=p.name(sex), sex=sex,
            ethnicity=rng.choice(data.MINORITIES) if i in minority else "汉族",
            birth=births[i], id_number=p.id_number(births[i], sex), phone=p.phone(),
            branch=branches[i], joined_on=joins[i],
            converted_on=None if i in probationary else p.conversion(joins[i]),
            education=education, occupation=occupation, party_group=p.party_group(branches[i]),
        ))

    # A few went to adult college after joining: their education changed on a date.
    updatable = [i for i in sorted(college) if people[i].converted_on and people[i].joined_on < dt.date(2012, 1, 1)]
    for i in rng.sample(updatable, data.EDUCATION_UPDATES):
        person = people[i]
        final = person.education
        person.education = rng.choice(["high_school", "secondary_technical"])
        on = p.day_between(_after(person) + dt.timedelta(days=730), dt.date(2017, 12, 31))
        person.events.append(Event(on, "updated", {"education": final}, "adult college diploma"))

    # Staff who retired while members: in service at joining, retired on their retirement birthday.
    for person in people:
        if person.occupation == "retired" and ORG_SPECS[person.branch].sector != "village":
            retired_on = add_years(person.birth, 60 if person.sex == "M" else 55)
            if dt.date(2005, 1, 1) <= retired_on <= data.AS_OF and retired_on > _after(person):
                person.occupation = "in_service"
                person.events.append(Event(retired_on, "updated", {"occupation": "retired"}, "retired"))

    # Seven went to work elsewhere without moving their relation: mobile since 2017-2019.
    mobile_pool = [i for i in everyone if i not in probationary and births[i].year >= 1970
                   and sectors[i] in ("village", "enterprise") and people[i].occupation != "retired"
                   and _after(people[i]) < dt.date(2019, 6, 1)]
    for i in rng.sample(mobile_pool, t["mobile"]):
        person = people[i]
        on = p.day_between(max(dt.date(2017, 1, 1), _after(person) + dt.timedelta(days=1)), dt.date(2019, 11, 30))
        person.events.append(Event(on, "mobile_out", {}, rng.choice(["working in Kunming", "working in Guangdong",
                                                                          "working in Shanghai"])))

    people.extend(_departed(p))
    return people


def _departed(p: _Planner) -> list[Person]:
    """Members who died or transferred out before the end of 2019 (so they count earlier, not then)."""
    rng = p.rng
    out: list[Person] = []
    for k in range(data.DIED + data.TRANSFERRED_OUT):
        died = k < data.DIED
        sex = "F" if rng.random() < 0.3 else "M"
        if died:
            birth = p.birth(dt.date(1925, 1, 1), dt.date(1948, 12, 31))
        else:
            birth = p.birth(dt.date(1970, 1, 1), dt.date(1992, 12, 31))
        joined = p.full_join(birth, young=not died, last=dt.date(2012, 12, 31))
        branch = p.branch(joined)
        person = Person(
            name=p.name(sex), sex=sex, ethnicity="汉族", birth=birth, id_number=p.id_number(birth, sex),
            phone=p.phone(), branch=branch, joined_on=joined, converted_on=p.conversion(joined),
            education=_school_level(p, birth) if died else rng.choice(["bachelor", "college", "high_school"]),
            occupation=_occupation(p, ORG_SPECS[branch].sector, birth, sex), party_group=p.party_group(branch),
        )
        start = max(_after(person) + dt.timedelta(days=365), dt.date(2004, 1, 1) if died else dt.date(2008, 1, 1))
        if died:
            in_2019 = k < data.DIED_IN_2019
            on = (p.day_between(dt.date(2019, 1, 10), dt.date(2019, 11, 30)) if in_2019
                  else p.day_between(start, dt.date(2018, 12, 31)))
            person.events.append(Event(on, "died", {}, "died of illness"))
        else:
            in_2019 = k - data.DIED < data.TRANSFERRED_OUT_IN_2019
            on = (p.day_between(dt.date(2019, 2, 1), dt.date(2019, 10, 31)) if in_2019
                  else p.day_between(start, dt.date(2018, 12, 31)))
            to = rng.choice(data.TRANSFER_DESTINATIONS)
            person.events.append(Event(on, "transferred_out", {"to": to}, f"relation transferred to {to}"))
        out.append(person)
    return out


# --- writing ------------------------------------------------------------------------------------------

def _territories() -> dict[str, Any]:
    from grassroots.orgs.services import territory_create

    made: dict[str, Any] = {}

    def make(code: str, name: str, kind: str, parent: str | None) -> None:
        made[code] = territory_create(code=code, name=name, kind=kind, parent=made[parent] if parent else None)

    make(*data.COUNTY)
    make(*data.TOWN)
    for code, name, kind, parent in data.COMMUNITIES:
        make(code, name, kind, parent)
        short = name.removesuffix("社区")
        for g in range(1, data.GROUPS_PER_COMMUNITY + 1):
            make(f"{code}-{g:02d}", f"{short}{data.CN_NUMBERS[g - 1]}组", "villager_group", code)
    return made


def _organizations(territories: dict[str, Any]) -> dict[str, Any]:
    from grassroots.orgs.models import Organization
    from grassroots.orgs.services import org_create

    orgs: dict[str, Any] = {}
    for spec in data.ORGS:
        parent = Organization.objects.get(pk=orgs[spec.parent].pk) if spec.parent else None
        org = org_create(code=spec.code, name=spec.name, kind=spec.kind, founded_on=spec.founded_on, parent=parent,
                         territory=territories[spec.territory] if spec.territory else None)
        Organization.objects.filter(pk=org.pk).update(name_en=spec.name_en)
        orgs[spec.code] = org
    return orgs


def _write(people: list[Person], orgs: dict[str, Any]) -> None:
    from grassroots.members.services import member_create, member_record_event
    from grassroots.orgs.models import Organization
    from grassroots.orgs.services import org_rename, org_revoke

    def fresh(code: str) -> Any:
        return Organization.objects.get(pk=orgs[code].pk)

    members: list[Any] = []
    for person in sorted(people, key=lambda x: (x.joined_on, x.id_number)):
        member = member_create(
            name=person.name, sex=person.sex, birth_date=person.birth, id_number=person.id_number,
            education=person.education, occupation=person.occupation, org=fresh(person.branch),
            joined_on=person.joined_on, status="full" if person.converted_on else "probationary",
            converted_on=person.converted_on, ethnicity=person.ethnicity, phone=person.phone,
            party_group=fresh(person.party_group) if person.party_group else None,
        )
        members.append((person, member))

    # Everything after joining, in date order across the whole town (tree changes included).
    steps: list[tuple[dt.date, int, Callable[[], Any]]] = []
    code, new_name, on, note = data.RENAME
    steps.append((on, 0, lambda: org_rename(fresh(code), name=new_name, on=on, note=note)))
    gone, into, revoked_on, revoke_note = data.REVOKE
    steps.append((revoked_on, 0, lambda: org_revoke(fresh(gone), on=revoked_on, members_to=fresh(into),
                                                    note=revoke_note)))
    for person, member in members:
        for ev in person.events:
            steps.append((ev.on, 1, _event_step(member_record_event, member, ev)))
    for _on, _order, step in sorted(steps, key=lambda s: (s[0], s[1])):
        step()


def _event_step(record: Callable[..., Any], member: Any, ev: Event) -> Callable[[], Any]:
    return lambda: record(member, kind=ev.kind, on=ev.on, details=ev.details or None, note=ev.note)


def _ensure_logins(town: Any) -> list[tuple[str, str]]:
    """Create the demo users and roles that are missing; return (username, what they are) for each."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from grassroots.access.models import Role
    from grassroots.members.selectors import members_of_on
    from grassroots.orgs.models import Organization

    User = get_user_model()
    branch = Organization.objects.get(code=data.SECRETARY_BRANCH)

    hashed: list[str] = []  # the demo logins share one password: hash it once (PBKDF2 is slow on purpose)

    def user(username: str, **kw: Any) -> Any:
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
        if not hashed:
            hashed.append(make_password(data.PASSWORD))
        return User.objects.create(username=username, password=hashed[0], **kw)

    user("admin", is_superuser=True, is_staff=True)
    for username, kind, org in (("organizer", "organizer", town), ("auditor", "auditor", town),
                                ("secretary", "secretary", branch)):
        Role.objects.get_or_create(user=user(username), kind=kind, org=org)
    member_user = user("member")
    role = Role.objects.filter(user=member_user, kind="member").select_related("member").first()
    if role is None:
        own = members_of_on(branch, timezone.localdate()).filter(status="full", mobile=False).first()
        if own is None:
            raise RuleError(_("%(org)s has no member to give the member login to") % {"org": branch})
        role = Role.objects.create(user=member_user, kind="member", member=own)
    assert role.member is not None  # a member role always names its member (database constraint)
    return [
        ("admin", _("site administrator")),
        ("organizer", _("organizer at %(org)s") % {"org": town.name}),
        ("auditor", _("auditor at %(org)s") % {"org": town.name}),
        ("secretary", _("secretary of %(org)s") % {"org": branch.name}),
        ("member", _("member %(name)s of %(org)s") % {"name": role.member.name, "org": branch.name}),
    ]


def build_demo(out: TextIO = sys.stdout, *, host: str = data.HOST, port: int = data.PORT,
               today: dt.date | None = None, recent_years: int | None = None) -> int:
    """Create the demo town if it is not there yet, then print the address it is served at and the logins.

    `today` (default: the real today) is where the history after 2019 stops (`living.build_living`);
    `recent_years` limits its meetings and dues to the last so many years (None: every year since 2020)."""
    from grassroots.orgs.models import Organization

    with transaction.atomic():
        # The town's tens of thousands of audit entries appended in one go at the end (`audit.batch`), chained in
        # the order they were recorded, instead of each locking and moving the log's head: one row updated that
        # many times in one transaction leaves PostgreSQL as many dead versions of it to step over on every read,
        # which made the build's time grow with the square of its entries (see docs/performance.md).
        with audit.batch():
            town = Organization.objects.filter(code=data.TOWN_CODE).first()
            if town is None:
                people = plan()
                orgs = _organizations(_territories())
                _write(people, orgs)
                town = Organization.objects.get(code=data.TOWN_CODE)
                out.write(_("Demo town created: %(name)s, code %(code)s.") % {"name": town.name, "code": town.code}
                          + "\n")
            else:
                out.write(_("The demo town is already there: %(name)s, code %(code)s.")
                          % {"name": town.name, "code": town.code} + "\n")
            logins = _ensure_logins(town)
            for _module, build in demo_builders():  # each module's part of the town's history, after the roster
                build(out)
            build_living(out, today, recent_years)  # then the whole town from 2020 to today, in date order
            for _module, build in demo_histories():  # the modules whose history from 2019 to today is their own
                build(out, today=today or timezone.localdate(), recent_years=recent_years)
        from grassroots.rules.stored import refresh as refresh_findings

        refresh_findings(day=today)  # the pages read the kept to-dos: the demo opens with them computed
    out.write(_("Open %(address)s (start the site with: %(command)s)")
              % {"address": data.address(host, port), "command": data.serve_command(host, port)} + "\n")
    out.write(_("Logins, each with the password %(password)s:") % {"password": data.PASSWORD} + "\n")
    for username, what in logins:
        out.write(f"  {username:<10} {what}\n")
    return 0
