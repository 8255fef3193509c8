"""The demo town's public commitments: 2019 as seed 000 tells it (173 members made commitments; in the practical
commitment 92 around community building, culture, policing and environment), the 2019 annual summary's counters
equal to the list page's counts, later years alive (open ones, a to-do, a withdrawal), and a second build adds
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots.commitments.demo import SEED_MEMBERS, SEED_PRACTICAL

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

YEAR = 2019


def _client(demo: Any) -> Client:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(get_user_model().objects.filter(is_superuser=True).order_by("pk").first())
    return client


def test_2019_is_the_seeds(demo: Any, db: Any) -> None:
    from grassroots.commitments.selectors import figures

    f = figures(demo["town"], YEAR, dt.date(YEAR, 12, 31))
    assert f.members == SEED_MEMBERS == 173
    assert f.practical_four == f.practical == SEED_PRACTICAL == 92
    assert all(f.by_theme[t] > 0 for t in ("community", "culture", "policing", "environment"))
    assert f.pending == 0 and f.by_result["kept"] > f.by_result["partly"] > 0


def test_the_2019_summary_counters_equal_the_list_pages_counts(demo: Any, db: Any) -> None:
    from grassroots.commitments.summary import commitments_of, commitments_text

    town = demo["town"]
    summary = commitments_of(town, YEAR, dt.date(YEAR, 12, 31))
    assert summary is not None
    client = _client(demo)
    url = reverse("commitments", args=[town.code])
    page = client.get(url, {"year": YEAR})
    assert page.status_code == 200
    rows = page.context["page"].paginator.count
    listed = page.context["figures"]
    assert (summary.members, summary.total, summary.by_level, summary.by_theme) == (
        listed.members, listed.total, listed.by_level, listed.by_theme)
    assert summary.total == rows
    for level, n in summary.by_level.items():
        assert client.get(url, {"year": YEAR, "level": level}).context["page"].paginator.count == n
    for result, n in (("kept", summary.kept), ("partly", summary.partly), ("not_kept", summary.not_kept)):
        assert client.get(url, {"year": YEAR, "result": result}).context["page"].paginator.count == n
    text = commitments_text(summary, dt.date(YEAR, 12, 31), "zh-hans").paragraphs[0]
    assert "173名党员作出承诺" in text and "围绕社区建设、文化、治安、环境等方面作出承诺92项" in text


def test_later_years_and_this_year_are_alive(demo: Any, db: Any) -> None:
    from grassroots.commitments.models import Commitment

    today = timezone.localdate()
    years = set(Commitment.objects.values_list("year", flat=True))
    assert {YEAR, today.year - 1} <= years
    last = Commitment.objects.filter(year=today.year - 1)
    assert last.exists() and not last.filter(result="", withdrawn_on__isnull=True).exists()
    if today >= dt.date(today.year, 3, 31):
        this = Commitment.objects.filter(year=today.year)
        assert this.filter(result="", withdrawn_on__isnull=True).exists()
        assert this.filter(withdrawn_on__isnull=False).count() <= 1
    assert Commitment.objects.filter(progress__isnull=False).exists()
    assert not Commitment.objects.filter(progress__photo__gt="").exists()  # photos are never asked for


def test_a_second_build_adds_nothing(built_demo: Any) -> None:
    labels = ("commitments.Commitment", "commitments.Progress")
    assert all(built_demo["rows"][k] == built_demo["rows_again"][k] for k in labels)
    assert "Public commitments" in built_demo["output"] and "Public commitments" not in built_demo["again"]


def test_the_public_page_of_the_town(demo: Any, db: Any) -> None:
    from grassroots.commitments.models import Commitment
    from grassroots.members.models import Member

    html = Client().get(reverse("public-commitments", args=[demo["town"].code]), {"year": YEAR}).content.decode()
    first = Commitment.objects.filter(year=YEAR).select_related("member").order_by("pk").first()
    assert first is not None and first.member.name in html
    phones = [p for p in Member.objects.values_list("phone", flat=True)[:50] if p]
    ids = list(Member.objects.values_list("id_number", flat=True)[:50])
    assert not any(p in html for p in phones) and not any(i in html for i in ids)
