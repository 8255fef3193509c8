"""The demo town's volunteer service (built once for the package): teams, member and resident volunteers,
activities from 2019 to today with a recurring monthly one, confirmed hours; the 2019 annual summary's counters
equal the list pages' counts; a second build adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots.demo import data
from grassroots.reports.annual import annual_summary
from grassroots.volunteers.models import Activity, ActivitySeries, Participation, Volunteer, VolunteerTeam

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)


def _admin_client() -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.filter(is_superuser=True).order_by("pk").first())
    client.cookies["django_language"] = "en"
    return client


def test_teams_volunteers_and_activities_from_2019_to_today(demo: Any, db: Any) -> None:
    town = demo["town"]
    assert VolunteerTeam.objects.filter(org=town, code="HMJ", name__contains="红马甲").exists()
    assert VolunteerTeam.objects.filter(org__path__startswith=town.path).count() == 4
    volunteers = Volunteer.objects.filter(org__path__startswith=town.path)
    assert volunteers.filter(member__isnull=False).exists() and volunteers.filter(member__isnull=True).exists()
    activities = Activity.objects.filter(org__path__startswith=town.path)
    assert activities.filter(starts_at__year=2019).exists()
    assert activities.filter(starts_at__year=timezone.localdate().year).exists()
    series = ActivitySeries.objects.filter(team__code="HMJ")
    assert series.exists() and Activity.objects.filter(series__in=series, starts_at__year=2019).count() == 12
    night = [a for a in activities.filter(title="夜间安全巡逻")[:5]
             if timezone.localtime(a.ends_at).date() != timezone.localtime(a.starts_at).date()]
    assert night
    assert Participation.objects.filter(activity__in=activities, confirmed_on__isnull=False, hours__gt=0).exists()


def test_2019_summary_counters_equal_the_list_pages(demo: Any, db: Any) -> None:
    town = demo["town"]
    figures = annual_summary(town, 2019, as_of=END_2019).volunteers
    assert figures is not None and figures.volunteers > 0 and figures.activities > 0
    client = _admin_client()
    people = client.get(reverse("volunteers-people", args=[data.TOWN_CODE]) + "?year=2019")
    assert people.context["count"] == figures.volunteers
    members = client.get(reverse("volunteers-people", args=[data.TOWN_CODE]) + "?year=2019&kind=member")
    assert members.context["count"] == figures.members
    residents = client.get(reverse("volunteers-people", args=[data.TOWN_CODE]) + "?year=2019&kind=resident")
    assert residents.context["count"] == figures.residents
    activities = client.get(reverse("volunteers-activities", args=[data.TOWN_CODE]) + "?year=2019")
    assert activities.context["count"] == figures.activities
    hours = client.get(reverse("volunteers-hours", args=[data.TOWN_CODE]) + "?year=2019")
    assert hours.context["total"] == figures.hours > Decimal(0)
    assert figures.participants > 0
    from grassroots.volunteers.summary import volunteers_text

    zh = volunteers_text(figures, END_2019, "zh-hans").paragraphs[0]
    assert f"注册志愿者{figures.volunteers}名" in str(zh) and f"服务时长{figures.hours}小时" in str(zh)


def test_a_second_build_adds_nothing(demo: Any) -> None:
    rows, again = demo["rows"], demo["rows_again"]
    for label in ("volunteers.Volunteer", "volunteers.Activity", "volunteers.Participation",
                  "volunteers.SelfReport", "volunteers.Correction", "volunteers.Certificate",
                  "volunteers.TeamMembership"):
        assert rows[label] == again[label] and rows[label] > 0, label
