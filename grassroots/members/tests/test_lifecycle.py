"""The member state machine: pure replay of events, and the same rules through member_record_event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.members import services
from grassroots.members.lifecycle import Ev, State, apply, replay, state_on
from grassroots.members.models import MemberEvent, MemberPeriod, Standing

D = dt.date
JOIN = Ev("joined", D(2010, 1, 1), 1, {"status": "probationary", "education": "bachelor", "occupation": "in_service"})
BASE = State(1, "probationary", False, False, "bachelor", "in_service")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- apply: one event at a time --------------------------------------------------------------------

def test_joined_and_transferred_in_start_a_membership() -> None:
    assert apply(None, JOIN) == BASE
    assert apply(None, Ev("joined", D(2010, 1, 1), 1)) == State(1, "probationary", False, False, "", "")
    assert apply(None, Ev("transferred_in", D(2010, 1, 1), 2, {"education": "college"})) == State(
        2, "full", False, False, "college", "")
    with pytest.raises(RuleError, match="already a member"):
        apply(BASE, JOIN)
    with pytest.raises(RuleError, match="needs an organization"):
        apply(None, Ev("joined", D(2010, 1, 1)))
    with pytest.raises(RuleError, match="unknown status"):
        apply(None, Ev("joined", D(2010, 1, 1), 1, {"status": "activist"}))


@pytest.mark.parametrize("kind,expected", [
    ("converted", State(1, "full", False, False, "bachelor", "in_service")),
    ("transferred", State(7, "probationary", False, False, "bachelor", "in_service")),
    ("mobile_out", State(1, "probationary", True, False, "bachelor", "in_service")),
    ("suspended", State(1, "probationary", False, True, "bachelor", "in_service")),
    ("updated", State(1, "probationary", False, False, "postgraduate", "retired")),
    ("transferred_out", None), ("removed", None), ("died", None),
])
def test_each_event_kind(kind: str, expected: State | None) -> None:
    ev = Ev(kind, D(2012, 1, 1), 7 if kind == "transferred" else None,
            {"education": "postgraduate", "occupation": "retired"} if kind == "updated" else None)
    assert apply(BASE, ev) == expected


def test_back_events_undo_their_pair() -> None:
    mobile = apply(BASE, Ev("mobile_out", D(2012, 1, 1)))
    assert apply(mobile, Ev("mobile_back", D(2013, 1, 1))) == BASE
    suspended = apply(BASE, Ev("suspended", D(2012, 1, 1)))
    assert apply(suspended, Ev("restored", D(2013, 1, 1))) == BASE


@pytest.mark.parametrize("state,ev,message", [
    (State(1, "full", False, False, "", ""), Ev("converted", D(2012, 1, 1)),
     "already a full member"),
    (BASE, Ev("mobile_back", D(2012, 1, 1)), "was not mobile"),
    (State(1, "full", True, False, "", ""), Ev("mobile_out", D(2012, 1, 1)), "already mobile"),
    (BASE, Ev("restored", D(2012, 1, 1)), "was not suspended"),
    (State(1, "full", False, True, "", ""), Ev("suspended", D(2012, 1, 1)), "already suspended"),
    (BASE, Ev("transferred", D(2012, 1, 1), 1), "already in that organization"),
    (BASE, Ev("transferred", D(2012, 1, 1)), "needs an organization"),
    (BASE, Ev("promoted", D(2012, 1, 1)), "not a valid EventKind"),
    (None, Ev("converted", D(2012, 1, 1)), "not a member on that date"),
    (None, Ev("died", D(2012, 1, 1)), "not a member on that date"),
])
def test_refused_moves(state: State | None, ev: Ev, message: str) -> None:
    with pytest.raises((RuleError, ValueError), match=message):
        apply(state, ev)


# --- replay: a history into periods ----------------------------------------------------------------

def _check_spans(outcome: Any) -> None:
    for a, b in zip(outcome.spans, outcome.spans[1:], strict=False):
        assert a.end == b.start, "periods are contiguous"
        assert a.start < a.end, "no empty or overlapping period"
        assert a.state != b.state
    if outcome.spans and outcome.final is not None:
        assert outcome.spans[-1].end is None and outcome.spans[-1].state == outcome.final


def test_replay_a_full_history() -> None:
    events = [
        JOIN,
        Ev("converted", D(2011, 1, 1)),
        Ev("mobile_out", D(2012, 1, 1)),
        Ev("transferred", D(2013, 1, 1), 2),
        Ev("mobile_back", D(2014, 1, 1)),
        Ev("suspended", D(2015, 1, 1)),
        Ev("restored", D(2016, 1, 1)),
        Ev("updated", D(2017, 1, 1), None, {"education": "postgraduate"}),
    ]
    out = replay(events)
    _check_spans(out)
    assert [(s.start, s.end) for s in out.spans] == [
        (D(2010, 1, 1), D(2011, 1, 1)), (D(2011, 1, 1), D(2012, 1, 1)), (D(2012, 1, 1), D(2013, 1, 1)),
        (D(2013, 1, 1), D(2014, 1, 1)), (D(2014, 1, 1), D(2015, 1, 1)), (D(2015, 1, 1), D(2016, 1, 1)),
        (D(2016, 1, 1), D(2017, 1, 1)), (D(2017, 1, 1), None)]
    assert [s.state.org_id for s in out.spans] == [1, 1, 1, 2, 2, 2, 2, 2]
    assert [s.state.mobile for s in out.spans] == [False, False, True, True, False, False, False, False]
    assert [s.state.suspended for s in out.spans] == [False] * 5 + [True, False, False]
    assert out.final == State(2, "full", False, False, "postgraduate", "in_service")
    assert (out.standing, out.joined_on, out.converted_on) == (Standing.ACTIVE, D(2010, 1, 1), D(2011, 1, 1))
    assert state_on(events, D(2012, 6, 1)) == out.spans[2].state
    assert state_on(events, D(2013, 1, 1)).org_id == 2  # an event dated D counts on D
    assert state_on(events, D(2009, 12, 31)) is None


@pytest.mark.parametrize("kind,standing", [("died", Standing.DECEASED), ("removed", Standing.REMOVED),
                                           ("transferred_out", Standing.TRANSFERRED_OUT)])
def test_endings_close_the_last_period(kind: str, standing: str) -> None:
    out = replay([JOIN, Ev(kind, D(2015, 5, 5))])
    assert [(s.start, s.end) for s in out.spans] == [(D(2010, 1, 1), D(2015, 5, 5))]
    assert out.final is None and out.standing == standing


def test_suspended_at_the_end_is_the_standing() -> None:
    assert replay([JOIN, Ev("suspended", D(2015, 1, 1))]).standing == Standing.SUSPENDED


def test_transfer_out_and_back_in_leaves_a_gap() -> None:
    out = replay([JOIN, Ev("transferred_out", D(2012, 1, 1)), Ev("transferred_in", D(2014, 1, 1), 3)])
    assert [(s.start, s.end, s.state.org_id) for s in out.spans] == [
        (D(2010, 1, 1), D(2012, 1, 1), 1), (D(2014, 1, 1), None, 3)]
    assert out.standing == Standing.ACTIVE
    assert out.spans[1].state.status == "full"


def test_same_day_events_collapse() -> None:
    day = D(2012, 3, 3)
    out = replay([JOIN, Ev("converted", day), Ev("transferred", day, 2), Ev("mobile_out", day)])
    _check_spans(out)
    assert [(s.start, s.end) for s in out.spans] == [(D(2010, 1, 1), day), (day, None)]
    assert out.spans[1].state == State(2, "full", True, False, "bachelor", "in_service")
    # joined and left the same day: no period at all
    gone = replay([Ev("joined", day, 1), Ev("transferred_out", day)])
    assert gone.spans == [] and gone.standing == Standing.TRANSFERRED_OUT


def test_events_out_of_order_are_refused() -> None:
    with pytest.raises(RuleError, match="date order"):
        replay([JOIN, Ev("converted", D(2012, 1, 1)), Ev("mobile_out", D(2011, 1, 1))])


@pytest.mark.parametrize("kind", ["transferred_in", "joined", "updated", "died", "mobile_out"])
def test_nothing_after_death(kind: str) -> None:
    died = Ev("died", D(2015, 1, 1))
    with pytest.raises(RuleError, match="died on 2015-01-01"):
        replay([JOIN, died, Ev(kind, D(2016, 1, 1), 1)])
    with pytest.raises(RuleError):
        replay([JOIN, died, Ev(kind, D(2015, 1, 1), 1)])  # not even the same day


# --- through the service -------------------------------------------------------------------------------

def _periods(member: Any) -> list[tuple[Any, ...]]:
    return [(p.org_id, p.start, p.end, p.status, p.mobile, p.suspended, p.education, p.occupation)
            for p in MemberPeriod.objects.filter(member=member).order_by("start")]


def _assert_cache_matches_last_period(member: Any) -> None:
    member.refresh_from_db()
    last = MemberPeriod.objects.filter(member=member).order_by("-start").first()
    assert last is not None
    assert (member.status, member.education, member.occupation) == (last.status, last.education, last.occupation)
    if last.end is None:
        assert (member.org_id, member.mobile) == (last.org_id, last.mobile)
        assert member.standing == (Standing.SUSPENDED if last.suspended else Standing.ACTIVE)
    else:
        assert member.org_id is None and member.mobile is False


def test_every_event_through_the_service(cast: Any) -> None:
    m = cast.member_a2
    steps = [
        ("mobile_out", D(2010, 1, 1), None, None),
        ("transferred", D(2011, 1, 1), cast.branch_b, None),
        ("mobile_back", D(2011, 6, 1), None, None),
        ("suspended", D(2012, 1, 1), None, None),
        ("restored", D(2012, 6, 1), None, None),
        ("updated", D(2013, 1, 1), None, {"education": "postgraduate", "occupation": "retired"}),
        ("transferred_out", D(2014, 1, 1), None, None),
        ("transferred_in", D(2015, 1, 1), cast.general, {"education": "college", "occupation": "retired"}),
        ("removed", D(2016, 1, 1), None, None),
    ]
    with acting(cast.admin, "web"):
        for kind, on, org, details in steps:
            services.member_record_event(m, kind=kind, on=on, org=org, details=details)
            _assert_cache_matches_last_period(m)
    periods = _periods(m)
    starts = [p[1] for p in periods]
    assert starts == [D(2005, 7, 1), D(2006, 7, 1), D(2010, 1, 1), D(2011, 1, 1), D(2011, 6, 1), D(2012, 1, 1),
                      D(2012, 6, 1), D(2013, 1, 1), D(2015, 1, 1)]
    for a, b in zip(periods, periods[1:], strict=False):
        assert a[2] is not None and a[2] <= b[1]
        if b[1] != D(2015, 1, 1):
            assert a[2] == b[1]
    assert periods[7][2] == D(2014, 1, 1) and periods[-1][2] == D(2016, 1, 1)
    assert periods[-1][0] == cast.general.pk and periods[-1][3] == "full" and periods[-1][6] == "college"
    m.refresh_from_db()
    assert m.standing == Standing.REMOVED and m.org_id is None
    assert MemberEvent.objects.filter(member=m).count() == 2 + len(steps)


def _counts(member: Any) -> tuple[int, int, int]:
    from grassroots.core.models import AuditEntry

    return (MemberEvent.objects.filter(member=member).count(), MemberPeriod.objects.filter(member=member).count(),
            AuditEntry.objects.count())


@pytest.mark.parametrize("kind,on,message", [
    ("converted", D(2010, 1, 1), "already a full member"),
    ("mobile_back", D(2010, 1, 1), "was not mobile"),
    ("restored", D(2010, 1, 1), "was not suspended"),
    ("mobile_out", D(2006, 1, 1), "date order"),
    ("mobile_out", timezone.localdate() + dt.timedelta(days=2), "in the future"),
    ("joined", D(2010, 1, 1), "unknown event"),
    ("bogus", D(2010, 1, 1), "unknown event"),
])
def test_refused_events_write_nothing(cast: Any, kind: str, on: dt.date, message: str) -> None:
    m = cast.member
    before = _counts(m)
    with acting(cast.admin, "web"), pytest.raises(RuleError, match=message):
        services.member_record_event(m, kind=kind, on=on)
    assert _counts(m) == before


def test_event_after_death_refused(cast: Any) -> None:
    m = cast.member
    with acting(cast.admin, "web"):
        services.member_record_event(m, kind="died", on=D(2020, 1, 1))
        before = _counts(m)
        with pytest.raises(RuleError, match="died"):
            services.member_record_event(m, kind="transferred_in", on=D(2021, 1, 1), org=cast.branch_b)
        with pytest.raises(RuleError):
            services.member_record_event(m, kind="mobile_out", on=D(2021, 1, 1))
    assert _counts(m) == before
    m.refresh_from_db()
    assert m.standing == Standing.DECEASED and m.org_id is None


def test_transfer_to_a_party_group_or_unknown_org_refused(cast: Any) -> None:
    with acting(cast.admin, "web"):
        with pytest.raises(RuleError, match="party group|Party group"):
            services.member_record_event(cast.member, kind="transferred", on=D(2020, 1, 1), org=cast.group_a1)
        with pytest.raises(RuleError, match="needs an organization"):
            services.member_record_event(cast.member, kind="transferred", on=D(2020, 1, 1))


def test_same_day_events_through_the_service(cast: Any) -> None:
    m = cast.member_b
    day = D(2019, 9, 9)
    with acting(cast.admin, "web"):
        services.member_record_event(m, kind="transferred", on=day, org=cast.branch_a)
        services.member_record_event(m, kind="mobile_out", on=day)
    periods = _periods(m)
    assert [(p[1], p[2]) for p in periods] == [(D(2005, 7, 1), D(2006, 7, 1)), (D(2006, 7, 1), day), (day, None)]
    assert periods[-1][0] == cast.branch_a.pk and periods[-1][4] is True
    _assert_cache_matches_last_period(m)


def test_a_secretary_cannot_record_for_another_branch(cast: Any) -> None:
    from grassroots.core.errors import PermissionDeniedError

    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.member_record_event(cast.member_b, kind="mobile_out", on=D(2020, 1, 1))
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.member_record_event(cast.member, kind="transferred", on=D(2020, 1, 1), org=cast.branch_b)
