"""The demo town goes on from 2020 to today: the figures at the end of 2019 stay the seed's, today has this
year's meetings and dues, and the organizer's to-do list holds a handful."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.dates import add_months
from grassroots.core.money import yuan
from grassroots.demo import build, living

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)
# `grassroots stats --org HS --as-of 2019-12-31` on the demo as built before the history went on after 2019.
BEFORE = Path(__file__).with_name("stats_HS_2019-12-31.txt")


def test_the_figures_at_the_end_of_2019_are_unchanged(demo: Any, db: Any) -> None:
    from grassroots.reports.situation import situation_figures

    stats = situation_figures(demo["town"], END_2019).stats
    lines = [line.split() for line in BEFORE.read_text(encoding="utf-8").splitlines()[2:] if line.strip()]
    assert len(lines) >= 25
    for key, count, pct in lines:
        assert (stats[key]["count"], f"{stats[key]['pct']}%") == (int(count), pct), key


def test_the_history_reaches_today(demo: Any, db: Any) -> None:
    from grassroots.dues.models import DuesAssessment, DuesMonth
    from grassroots.meetings.models import Meeting
    from grassroots.members.models import MemberEvent, MemberPeriod
    from grassroots.orgs.models import Organization

    town, today = demo["town"], timezone.localdate()
    in_town = Organization.objects.filter(path__startswith=town.path)
    branches = in_town.filter(kind="branch", revoked_on__isnull=True)
    recent = Meeting.objects.filter(org__in=branches, date__gt=today - dt.timedelta(days=40), date__lte=today)
    assert set(recent.values_list("org_id", flat=True)) == set(branches.values_list("pk", flat=True)), \
        set(branches.values_list("code", flat=True)) - set(recent.values_list("org__code", flat=True))
    assert Meeting.objects.filter(org__in=in_town, date__year=today.year).count() >= 12 * branches.count()
    # Dues: assessed this year for everyone on the roster; paid up to last month by nearly all of them.
    on_roster = set(MemberPeriod.objects.on(today).in_subtree(town, today).values_list("member_id", flat=True))
    assessed = set(DuesAssessment.objects.filter(year=today.year, monthly_amount__gt=0).values_list("member_id",
                                                                                                  flat=True))
    unassessed = on_roster - set(DuesAssessment.objects.filter(year=today.year).values_list("member_id", flat=True))
    assert len(unassessed) <= 10, unassessed  # those admitted since the last collection: assessed at the next
    paying = on_roster & assessed
    last_month = add_months(today.replace(day=1), -1)
    paid = set(DuesMonth.objects.filter(month=last_month, member_id__in=paying).values_list("member_id", flat=True))
    assert 0.9 * len(paying) <= len(paid) < len(paying), (len(paid), len(paying))  # mostly on time, a few behind
    if today.month % 3 != 1 or today.day > 15:  # past this quarter's collections: this month is paid too
        this_month = DuesMonth.objects.filter(month=today.replace(day=1), member_id__in=paying).count()
        assert this_month >= 0.9 * len(paying)
    # The roster moved: members died, left, came, were admitted and converted after 2019.
    after = MemberEvent.objects.filter(member__in=on_roster | set(MemberEvent.objects.filter(
        date__gte=living.START).values_list("member_id", flat=True)), date__gte=living.START)
    kinds = set(after.values_list("kind", flat=True))
    assert {"died", "transferred_out", "joined", "converted"} <= kinds, kinds


def test_the_organizer_has_a_handful_of_todos_today(demo: Any, db: Any) -> None:
    from grassroots.rules.findings import findings_for

    found = findings_for(demo["town"], timezone.localdate())
    by_rule = Counter(f.rule_id for f in found)
    assert 1 <= len(found) <= 90, by_rule  # twenty-odd modules with findings, each with a few
    assert len({f.rule_id for f in found}) >= 3  # from several modules, not one flood


def test_the_output_prints_money_as_money_and_the_real_address(demo: Any, db: Any) -> None:
    assert yuan(Decimal("123762.1000000000000")) == "123,762.10"
    assert yuan(Decimal("0.5")) == "0.50" and yuan(Decimal("-1234.005")) == "-1,234.01"
    assert "0000000" not in demo["output"]
    out = io.StringIO()
    with transaction.atomic(), acting(None, "system"):
        assert build.build_demo(out=out, host="0.0.0.0", port=8123) == 0
        transaction.set_rollback(True)
    text = out.getvalue()
    assert "http://0.0.0.0:8123/" in text and "grassroots serve --host 0.0.0.0 --port 8123" in text
    assert "8000" not in text


def test_the_organizer_opens_on_today(demo: Any, db: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from grassroots.rules.findings import findings_for

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(get_user_model().objects.get(username="organizer"))
    home = client.get("/", follow=True)
    assert home.status_code == 200 and home.redirect_chain[-1][0] == reverse("org-detail", args=["HS"])
    n = len(findings_for(demo["town"], timezone.localdate()))
    assert (f"See all {n} to-dos" if n > 1 else "See the 1 to-do") in home.content.decode()
    year = str(timezone.localdate().year)
    for name in ("dashboard", "duties"):
        page = client.get(reverse(name, args=["HS"]))
        assert page.status_code == 200 and year in page.content.decode(), name
