"""A station that starts mid-year carries its register's history over: each opinion's outcome (state, reply and
its date) and the submitter's rating (score and its date), applied through the services as back-dated steps (the
opinion's timeline shows the dates in the file, not today), checked row by row (every error names its row and
column), all or nothing, and idempotent. Also the staff-entered rating service and the dry run's routing as of
the day received."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.opinions import services
from grassroots.opinions.importer import apply_import, plan_import
from grassroots.opinions.models import Assignment, Opinion, OpinionChange, OpinionRating, State
from grassroots.opinions.selectors import states_on
from grassroots.ui.testing import client_as

from .fixtures import Station

D = dt.date
HEADER = ["收到日期", "反映内容", "类别", "地点", "反映人", "联系电话", "办理状态", "答复内容", "答复日期", "办理人",
          "满意度评分", "评价日期"]
HEADER_EN = ["received_on", "text", "category", "place", "submitter_name", "phone", "state", "reply", "replied_on",
             "handler", "rating", "rated_on"]


def local_day(moment: Any) -> dt.date:
    return timezone.localtime(moment).date()


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def register() -> list[list[Any]]:
    return [
        # routed to the department at intake, solved, rated 5
        ["2024-03-04", "人民路路灯坏了三盏", "roads", "", "张华", "13800138001", "已办结", "已更换路灯三盏",
         "2024-03-08", "刘工", "5", "2024-03-12"],
        # routed by the place to branch A, explained (rejected), rated in words
        ["2024-03-05", "楼上漏水多次协商无果", "邻里纠纷", "东风社区", "王芳", "", "不予受理", "属物业合同纠纷，已告知途径",
         "2024/03/06", "", "满意", "2024年3月7日"],
        # sorted by hand (never routed), still in progress
        ["2024-03-07", "希望增加社区文化活动", "其他", "", "李四", "", "处理中", "", "2024-03-20", "", "", ""],
        # no outcome yet
        ["2024-03-08", "小区门口积水", "roads", "", "", "", "", "", "", "", "", ""],
    ]


def plan_as(user: Any, station: Any, data: bytes, filename: str = "register.csv") -> Any:
    with acting(user, "web"):
        return plan_import(io.BytesIO(data), filename, station=station)


def apply_as(user: Any, plan: Any) -> Any:
    with acting(user, "web"):
        return apply_import(plan)


def imported(user: Any, station: Any, data: bytes) -> Any:
    plan = plan_as(user, station, data)
    assert plan.ok, [str(e) for e in plan.errors]
    done = apply_as(user, plan)
    assert done.applied, [str(e) for e in done.errors]
    return done


def errors_of(plan: Any) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in plan.errors}


def test_a_register_carries_over_outcomes_and_ratings_as_of_their_dates(station: Station, cast: Any,
                                                                        today: dt.date) -> None:
    plan = plan_as(cast.street_admin, station.org, csv_bytes(register()))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [(r.outcome, r.replied_on, r.score, r.rated_on) for r in plan.rows] == [
        ("Solved", D(2024, 3, 8), 5, D(2024, 3, 12)), ("Explained", D(2024, 3, 6), 4, D(2024, 3, 7)),
        ("Being solved", D(2024, 3, 20), None, None), ("", None, None, None)]
    assert not Opinion.objects.exists()  # the dry run writes nothing
    apply_as(cast.street_admin, plan)
    roads, leak, culture, water = Opinion.objects.order_by("received_on")
    assert (roads.state, roads.closed_on) == (State.SOLVED, D(2024, 3, 8))
    solved = roads.changes.get(to_state=State.SOLVED)
    assert (solved.on, solved.solution, solved.handler_name) == (D(2024, 3, 8), "已更换路灯三盏", "刘工")
    # published as of its date, not today; the routing at intake too
    assert solved.published_at is not None and local_day(solved.published_at) == D(2024, 3, 8)
    assert {local_day(c.published_at) for c in roads.changes.filter(to_state=State.ASSIGNED)} == {D(2024, 3, 4)}
    assert [(r.score, r.on) for r in OpinionRating.objects.filter(opinion=roads)] == [(5, D(2024, 3, 12))]
    assert (leak.state, leak.handler_org, leak.closed_on) == (State.EXPLAINED, cast.branch_a, D(2024, 3, 6))
    assert leak.changes.get(to_state=State.EXPLAINED).solution == "属物业合同纠纷，已告知途径"
    assert OpinionRating.objects.get(opinion=leak).score == 4
    # never routed: its handler (the station) took it on the day received, then worked on it
    assert culture.state == State.IN_PROGRESS
    assert [(a.on, a.to_org) for a in Assignment.objects.filter(opinion=culture)] == [(D(2024, 3, 7), station.org)]
    assert [(c.to_state, c.on) for c in culture.changes.order_by("on", "id")] == [
        (State.ASSIGNED, D(2024, 3, 7)), (State.IN_PROGRESS, D(2024, 3, 20))]
    assert water.state == State.ASSIGNED and not water.changes.exclude(to_state=State.ASSIGNED).exists()
    # the statistics as they stood before the reply see it open, after it closed
    assert states_on(Opinion.objects.filter(pk=roads.pk), D(2024, 3, 7))[roads.pk].state == State.ASSIGNED
    assert states_on(Opinion.objects.filter(pk=roads.pk), D(2024, 3, 31))[roads.pk].rating == 5
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"opinions.carry_over_reply", "opinions.rate_entered", "opinions.submit"} <= actions


def test_the_back_dated_history_shows_on_the_opinion_s_timeline(station: Station, cast: Any,
                                                                today: dt.date) -> None:
    imported(cast.street_admin, station.org, csv_bytes(register()[:1]))
    roads = Opinion.objects.get()
    html = client_as(cast, "street_admin").get(reverse("opinion-detail", args=[roads.pk])).content.decode()
    assert "2024-03-08" in html and "已更换路灯三盏" in html
    assert 'data-rating="5"' in html and "Rated 5 of 5 on 2024-03-12" in html
    # the timeline in order: taken in and routed on the day received, solved on the reply's date
    assert html.index("2024-03-04") < html.index("2024-03-08") < html.index("2024-03-12")


def test_re_importing_the_register_writes_nothing_twice(station: Station, cast: Any, today: dt.date) -> None:
    data = csv_bytes(register())
    imported(cast.street_admin, station.org, data)
    counts = (Opinion.objects.count(), OpinionChange.objects.count(), OpinionRating.objects.count(),
              AuditEntry.objects.count())
    again = plan_as(cast.street_admin, station.org, data)
    assert again.ok and again.counts == {"create": 0, "update": 0, "unchanged": 4}
    apply_as(cast.street_admin, again)
    assert (Opinion.objects.count(), OpinionChange.objects.count(), OpinionRating.objects.count(),
            AuditEntry.objects.count()) == counts


def test_a_later_register_adds_the_outcome_to_an_opinion_already_taken_in(station: Station, cast: Any,
                                                                         today: dt.date) -> None:
    first = [r[:6] + ["", "", "", "", "", ""] for r in register()[:1]]
    imported(cast.street_admin, station.org, csv_bytes(first))
    assert Opinion.objects.get().state == State.ASSIGNED
    plan = plan_as(cast.street_admin, station.org, csv_bytes(register()[:1]))
    assert plan.counts["update"] == 1 and plan.rows[0].number == Opinion.objects.get().number
    apply_as(cast.street_admin, plan)
    roads = Opinion.objects.get()
    assert roads.state == State.SOLVED and roads.ratings.get().score == 5
    # a register that says otherwise about an opinion already closed is refused, naming the row
    other = register()[:1]
    other[0][6:9] = ["暂不能解决", "资金未到位", "2024-03-09"]
    refused = plan_as(cast.street_admin, station.org, csv_bytes(other))
    assert "is already Solved since 2024-03-08" in errors_of(refused)[(2, "办理状态")]


def test_every_rule_names_its_row_and_column(station: Station, cast: Any, today: dt.date) -> None:
    rows = [
        # reply before the day received
        ["2024-03-04", "甲", "roads", "", "", "", "已办结", "修好了", "2024-03-01", "", "", ""],
        # rating before the reply
        ["2024-03-04", "乙", "roads", "", "", "", "已办结", "修好了", "2024-03-08", "", "5", "2024-03-07"],
        # score off the scale
        ["2024-03-04", "丙", "roads", "", "", "", "已办结", "修好了", "2024-03-08", "", "7", "2024-03-09"],
        # reply date in the future
        ["2024-03-04", "丁", "roads", "", "", "", "已办结", "修好了", "2025-01-08", "", "", ""],
        # an unknown state
        ["2024-03-04", "戊", "roads", "", "", "", "差不多了", "", "", "", "", ""],
        # a closing state without its reply text or its date
        ["2024-03-04", "己", "roads", "", "", "", "已办结", "", "", "", "", ""],
        # a rating of an opinion still in progress, and one without its date
        ["2024-03-04", "庚", "roads", "", "", "", "处理中", "", "2024-03-05", "", "4", "2024-03-06"],
        ["2024-03-04", "辛", "roads", "", "", "", "已办结", "修好了", "2024-03-05", "", "4", ""],
        # rating date in the future
        ["2024-03-04", "壬", "roads", "", "", "", "已办结", "修好了", "2024-03-05", "", "4", "2025-01-01"],
        # a reply with no outcome
        ["2024-03-04", "癸", "roads", "", "", "", "", "修好了", "2024-03-05", "", "", ""],
    ]
    plan = plan_as(cast.street_admin, station.org, csv_bytes(rows))
    errors = errors_of(plan)
    assert "before the day received (2024-03-04)" in errors[(2, "答复日期")]
    assert "before the reply (2024-03-08)" in errors[(3, "评价日期")]
    assert "not a score from 1 to 5" in errors[(4, "满意度评分")]
    assert "in the future" in errors[(5, "答复日期")]
    assert "unknown state 差不多了" in errors[(6, "办理状态")] and "已办结" in errors[(6, "办理状态")]
    assert "required" in errors[(7, "答复内容")] and (7, "答复日期") in errors
    assert "can be rated" in errors[(8, "满意度评分")]
    assert "date of the rating is required" in errors[(9, "评价日期")]
    assert "in the future" in errors[(10, "评价日期")]
    assert "needs its outcome" in errors[(11, "办理状态")]
    assert apply_as(cast.street_admin, plan).applied is False
    assert not Opinion.objects.exists()


def test_english_headers_and_labels(station: Station, cast: Any, today: dt.date) -> None:
    rows = [["2024-03-04", "lamp broken", "roads", "", "Zhang", "", "completed", "replaced", "2024-03-08", "Liu",
             "4", "2024-03-09"],
            ["2024-03-05", "noise at night", "other", "", "", "", "cannot be solved for now", "no budget yet",
             "2024-03-10", "", "", ""]]
    imported(cast.street_admin, station.org, csv_bytes(rows, HEADER_EN))
    lamp, noise = Opinion.objects.order_by("received_on")
    assert lamp.state == State.SOLVED and lamp.ratings.get().score == 4
    assert noise.state == State.CANNOT_SOLVE and noise.changes.get(to_state=State.CANNOT_SOLVE).reason == "no budget yet"
    bad = plan_as(cast.street_admin, station.org, csv_bytes([["2024-03-04", "x", "roads", "", "", "", "solved", "ok",
                                                              "2024-03-08", "", "9", "2024-03-09"]], HEADER_EN))
    assert (2, "rating") in errors_of(bad)


def test_a_low_rating_reopens_as_of_its_date(station: Station, cast: Any, today: dt.date) -> None:
    rows = [["2024-03-04", "路灯", "roads", "", "", "", "已办结", "修好了", "2024-03-08", "", "2", "2024-03-11"]]
    imported(cast.street_admin, station.org, csv_bytes(rows))
    op = Opinion.objects.get()
    assert op.state == State.REOPENED
    reopen = op.changes.get(to_state=State.REOPENED)
    assert reopen.on == D(2024, 3, 11) and reopen.by_rating and local_day(reopen.published_at) == D(2024, 3, 11)
    # re-importing it finds the rating there: nothing more happens
    again = plan_as(cast.street_admin, station.org, csv_bytes(rows))
    assert again.ok and again.counts["unchanged"] == 1


def test_a_failing_row_undoes_the_history_of_the_rows_before(station: Station, cast: Any, today: dt.date,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    plan = plan_as(cast.street_admin, station.org, csv_bytes(register()))
    real = services.record_rating

    def refuse_the_second(opinion: Any, **kw: Any) -> Any:
        if OpinionRating.objects.exists():
            raise RuleError("refused", field="rated_on")
        return real(opinion, **kw)

    monkeypatch.setattr(services, "record_rating", refuse_the_second)
    done = apply_as(cast.street_admin, plan)
    assert not done.applied and errors_of(done) == {(3, "评价日期"): "refused"}
    assert not Opinion.objects.exists() and not OpinionChange.objects.exists()


def test_the_dry_run_routes_as_of_the_day_received(station: Station, cast: Any, today: dt.date,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dt.date] = []
    real = services.holder_of

    def spy(territory: Any, day: dt.date, within: Any = None) -> Any:
        seen.append(day)
        return real(territory, day, within=within)

    monkeypatch.setattr(services, "holder_of", spy)
    plan = plan_as(cast.street_admin, station.org, csv_bytes(register()[1:2]))
    assert plan.ok and plan.rows[0].goes_to == cast.branch_a.name
    assert seen == [D(2024, 3, 5)]


# --- the staff-entered rating --------------------------------------------------------------------------------

def _solved(station: Station, cast: Any) -> Opinion:
    imported(cast.street_admin, station.org,
             csv_bytes([["2024-03-04", "路灯", "roads", "", "", "", "已办结", "修好了", "2024-03-08", "", "", ""]]))
    return Opinion.objects.get()


def test_a_rating_entered_by_staff_with_its_date(station: Station, cast: Any, today: dt.date) -> None:
    op = _solved(station, cast)
    with acting(cast.street_admin, "web"):
        rating = services.record_rating(op, score=4, on=D(2024, 3, 10), comment="电话回访")
    assert (rating.score, rating.on, rating.comment) == (4, D(2024, 3, 10), "电话回访")
    entry = AuditEntry.objects.filter(action="opinions.rate_entered").get()
    assert entry.actor_id == cast.street_admin.pk
    with acting(cast.street_admin, "web"):
        with pytest.raises(RuleError) as before:
            services.record_rating(op, score=4, on=D(2024, 3, 7))
        with pytest.raises(RuleError) as future:
            services.record_rating(op, score=4, on=D(2025, 1, 1))
        with pytest.raises(RuleError) as off:
            services.record_rating(op, score=0, on=D(2024, 3, 10))
    assert (before.value.field, future.value.field, off.value.field) == ("rated_on", "rated_on", "score")
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        services.record_rating(op, score=3, on=D(2024, 3, 10))
    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        services.record_rating(op, score=3, on=D(2024, 3, 10))
    assert OpinionRating.objects.get().score == 4


def test_an_outcome_before_the_last_change_is_refused(station: Station, cast: Any, today: dt.date) -> None:
    with acting(cast.street_admin, "web"):
        op = services.submit_past_opinion(station.org, text="路灯", category=station.roads, channel="phone",
                                          received_on=D(2024, 3, 4))
        services.record_past_outcome(op, to_state=State.IN_PROGRESS, on=D(2024, 3, 10))
        with pytest.raises(RuleError) as exc:
            services.record_past_outcome(op, to_state=State.SOLVED, on=D(2024, 3, 9), reply_text="修好了")
    assert exc.value.field == "on"


def test_staff_enter_a_rating_with_its_date_on_the_opinion_page(station: Station, cast: Any, today: dt.date) -> None:
    op = _solved(station, cast)
    url = reverse("opinion-rate", args=[op.pk])
    client = client_as(cast, "street_admin")
    assert 'id="rating-entry"' in client.get(reverse("opinion-detail", args=[op.pk])).content.decode()
    early = client.post(url, {"rating-score": "4", "rating-on": "2024-03-07"})
    assert early.status_code == 400 and "before the reply (2024-03-08)" in early.content.decode()
    done = client.post(url, {"rating-score": "4", "rating-on": "2024-03-10", "rating-comment": "电话回访"})
    assert done.status_code == 302 and done["Location"].endswith("#history")
    assert [(r.score, r.on) for r in OpinionRating.objects.all()] == [(4, D(2024, 3, 10))]
    entry = AuditEntry.objects.filter(action="opinions.rate_entered").get()
    assert (entry.channel, entry.actor_id) == ("web", cast.street_admin.pk)
    for who, status in (("auditor", 403), ("outsider", 404)):
        assert client_as(cast, who).post(url, {"rating-score": "1", "rating-on": "2024-03-10"}).status_code == status
    assert OpinionRating.objects.get().score == 4
