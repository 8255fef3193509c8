"""The demo town's grids, 2019 to today: each of Heshun's 21 villager groups is a grid (seed 000: 21 villager
groups; seed 002: grids, grid Party groups and grid workers), with a head and a phone; the first two groups of each
community are looked after by its first branch's two Party groups (where the demo has them: Shuiyu has one); the
first six groups of each community have a grid worker since March 2019, with an account `grid-<community>-<nn>`
that logs in with the demo password; the seventh has none (a finding, as grid workers are fewer than grids in
seed 002). One worker changed in 2022: `grid-dz-03` handed over to `grid-dz-03b`. Built once: a second build adds
nothing."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.orgs.models import Organization, Territory

from . import services
from .models import Grid

SURNAMES = "寸刘李尹贾张钏杨许赵段"
GIVEN = "秀英兰芳国华福顺玉梅德昌永春家明正"
WORKERS_PER_COMMUNITY = 6  # of its 7 groups
STARTED = dt.date(2019, 3, 1)
HANDOVER = ("TC-HS-DZ-03", dt.date(2022, 7, 1))
PARTY_GROUPS_FROM = dt.date(2019, 1, 1)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _phone(rng: random.Random) -> str:
    return f"139{rng.randint(10000000, 99999999)}"


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    from grassroots.demo import data

    groups = list(Territory.objects.filter(kind="villager_group", code__startswith="TC-HS-").order_by("path"))
    if not groups or Grid.objects.filter(territory__in=groups).exists():
        return
    rng = random.Random(63)
    User = get_user_model()
    hashed = make_password(data.PASSWORD)  # one hash for every demo login (PBKDF2 is slow on purpose)

    def account(username: str, full_name: str) -> Any:
        found = User.objects.filter(username=username).first()
        return found or User.objects.create(username=username, first_name=full_name, password=hashed)

    logins: list[str] = []
    with acting(None, "system"), audit.batch():
        for place in groups:
            community, number = place.code.rsplit("-", 1)
            short = community.removeprefix("TC-HS-").lower()
            grid = services.grid_setup(territory=place, head_name=_name(rng), head_phone=_phone(rng))
            group_code = f"HS-{short.upper()}-1-G{int(number)}"
            party_group = Organization.objects.filter(code=group_code, revoked_on__isnull=True).first()
            if party_group is not None:
                services.set_party_group(grid, org=party_group, on=PARTY_GROUPS_FROM)
            if int(number) > WORKERS_PER_COMMUNITY:
                continue
            name = _name(rng)
            username = f"grid-{short}-{number}"
            worker, _password = services.appoint_worker(grid, started_on=STARTED, user=account(username, name),
                                                        name=name, phone=_phone(rng))
            logins.append(username)
            if place.code == HANDOVER[0] and HANDOVER[1] <= today:
                services.end_worker(worker, on=HANDOVER[1], reason="工作调整")
                name = _name(rng)
                services.appoint_worker(grid, started_on=HANDOVER[1], user=account(f"{username}b", name),
                                        name=name, phone=_phone(rng))
                logins.append(f"{username}b")
    out.write(f"Grids: {len(groups)} villager groups set up as grids; grid worker logins (password "
              f"{data.PASSWORD}): {', '.join(login for login in logins if login.endswith('-01'))} … "
              f"({len(logins)} in all, grid-<community>-<group>)\n")
