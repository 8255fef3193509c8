"""The demo town's responsibility posts: set up in 2019 from the presets and claimed through the years to today; the
2019 annual summary's posts counters equal the posts list's and the claims list's counts; building again adds
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from grassroots.demo import data

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)


@pytest.fixture(scope="module")
def pages(built_demo: Any, django_db_blocker: Any) -> Any:
    from django.contrib.auth import get_user_model

    from grassroots.posts.summary import posts_of

    with django_db_blocker.unblock(), transaction.atomic():
        town = built_demo["town"]
        admin = get_user_model().objects.create_user("posts-admin", is_superuser=True, is_staff=True)
        client = Client()
        client.cookies["django_language"] = "en"
        client.force_login(admin)
        posts = client.get(reverse("post-list", args=[data.TOWN_CODE]), {"year": 2019})
        claims = client.get(reverse("post-claim-list", args=[data.TOWN_CODE]), {"year": 2019})
        today = client.get(reverse("post-list", args=[data.TOWN_CODE]))
        public = Client().get(reverse("public-posts", args=[data.TOWN_CODE]))
        yield {"summary": posts_of(town, 2019, END_2019), "posts": posts, "claims": claims, "today": today,
               "public": public, "town": town}
        transaction.set_rollback(True)


def test_2019_summary_counters_equal_the_list_pages(pages: Any, db: Any) -> None:
    figures = pages["summary"]
    assert figures is not None and figures.posts > 20 and figures.members > 40
    assert pages["posts"].status_code == 200 and pages["claims"].status_code == 200
    assert figures.posts == pages["posts"].context["count"]
    assert figures.claims == pages["claims"].context["count"]
    assert figures.members == pages["claims"].context["members"]
    assert sum(n for _kind, n in figures.by_kind) == figures.claims


def test_presets_and_every_term_to_today(pages: Any, built_demo: Any, db: Any) -> None:
    from grassroots.posts.models import Post, PostKind

    town = pages["town"]
    assert PostKind.objects.filter(org=town).count() == 18
    starts = set(Post.objects.filter(org__path__startswith=town.path).values_list("term_start", flat=True))
    assert dt.date(2019, 3, 1) in starts and max(starts).year >= dt.date.today().year - 2
    assert pages["today"].status_code == 200 and pages["today"].context["count"] > 0
    assert pages["public"].status_code == 200


def test_a_second_build_adds_nothing(built_demo: Any, db: Any) -> None:
    for label in ("posts.PostKind", "posts.Post", "posts.PostClaim"):
        assert built_demo["rows"][label] == built_demo["rows_again"][label] > 0, label
