"""Findings (unfilled posts, claims awaiting approval), the dashboard panel, the annual-summary section and the
point evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.posts import services
from grassroots.posts.dashboard import posts as panel
from grassroots.posts.findings import posts_findings
from grassroots.posts.points import evidence
from grassroots.posts.summary import posts_of, posts_text
from grassroots.rules.registry import in_force

from .conftest import TERM_START


def test_unfilled_after_the_rule_days_and_waiting_claims(cast: Any, post: Any) -> None:
    days = int(in_force("posts.unfilled_after", TERM_START)["days"])
    within = int(in_force("posts.decide_claim_within", TERM_START)["days"])
    before = TERM_START + dt.timedelta(days=days - 1)
    assert not [f for f in posts_findings(cast.street, before) if f.subject_type == "post"]
    on = TERM_START + dt.timedelta(days=days)
    found = [f for f in posts_findings(cast.street, on) if f.subject_type == "post"]
    assert [f.subject_id for f in found] == [post.pk] and found[0].rule == "posts.unfilled_after@v1"
    with acting(None, "system"):
        claim = services.claim_post(post=post, member=cast.member, claimed_on=TERM_START)
    assert not [f for f in posts_findings(cast.street, TERM_START + dt.timedelta(days=within))
                if f.subject_type == "post_claim"]
    late = [f for f in posts_findings(cast.street, TERM_START + dt.timedelta(days=within + 1))
            if f.subject_type == "post_claim"]
    assert [f.subject_id for f in late] == [claim.pk]
    with acting(None, "system"):
        for m in (cast.member, cast.member_a2):
            c = claim if m == cast.member else services.claim_post(post=post, member=m, claimed_on=TERM_START)
            services.claim_approve(c, version=c.version, on=TERM_START)
    assert not list(posts_findings(cast.street, on))
    assert not list(posts_findings(cast.other_street, on))


def test_panel_summary_and_points_count_the_same_claims(cast: Any, post: Any, kinds: dict[str, Any]) -> None:
    from grassroots.access.scope import scope_for
    from grassroots.ui.dashboard import DashboardFrame

    with acting(None, "system"):
        c = services.claim_post(post=post, member=cast.member, claimed_on=TERM_START)
        services.claim_approve(c, version=c.version, on=dt.date(2024, 2, 1))
        other = services.post_create(org=cast.branch_b, kind=kinds["便民服务岗"], title="代办", term_start=TERM_START)
        d = services.claim_post(post=other, member=cast.member_b, claimed_on=TERM_START)
        d = services.claim_approve(d, version=d.version, on=dt.date(2024, 2, 1))
        services.claim_end(d, version=d.version, on=dt.date(2024, 3, 1))
    frame = DashboardFrame(scope=scope_for(cast.street_admin), org=cast.street, year=2024,
                           today=dt.date(2024, 6, 30))
    data = panel(frame)
    assert data is not None
    assert {r["kind"]: (r["seats"], r["claimed"]) for r in data["rows"]} == {"治安巡逻岗": (2, 1), "便民服务岗": (1, 0)}
    figures = posts_of(cast.street, 2024, dt.date(2024, 12, 31))
    assert figures is not None
    assert (figures.posts, figures.seats, figures.members, figures.claims) == (2, 3, 2, 2)
    assert posts_of(cast.street, 2024, dt.date(2024, 1, 31)).members == 0  # approvals after the day not counted
    assert posts_of(cast.street, 2023, dt.date(2023, 12, 31)) is None
    zh = posts_text(figures, dt.date(2024, 12, 31), "zh-hans")
    assert "2名党员认领岗位" in zh.paragraphs[0]
    assert "2 members claimed their posts" in posts_text(figures, dt.date(2024, 12, 31), "en").paragraphs[0]
    found = list(evidence(cast.street, dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert {e.key for e in found} == {f"posts.claim:{c.pk}", f"posts.claim:{d.pk}"}
    assert all(e.item == "posts.claimed" and e.quantity == 1 and e.day == dt.date(2024, 2, 1) for e in found)
    assert not list(evidence(cast.street, dt.date(2024, 3, 1), dt.date(2024, 12, 31)))


def test_registry_hooks(cast: Any) -> None:
    from grassroots.core.modules import module, point_sources

    m = module("posts")
    assert m is not None and m.demo_history == "grassroots.posts.demo.build"
    assert any(fn is evidence for _m, fn in point_sources())


def test_the_annual_summary_states_the_posts(cast: Any, post: Any) -> None:
    from grassroots.reports.annual import annual_summary, as_json
    from grassroots.reports.docx import plain_text

    with acting(None, "system"):
        c = services.claim_post(post=post, member=cast.member, claimed_on=TERM_START)
        services.claim_approve(c, version=c.version, on=TERM_START)
    summary = annual_summary(cast.street, 2024)
    assert summary.posts.members == 1 and as_json(summary)["posts"]["by_kind"] == {"治安巡逻岗": 1}
    assert "1名党员认领岗位" in plain_text(summary, "zh-hans")
    assert "1 member claimed their posts" in plain_text(summary, "en")
