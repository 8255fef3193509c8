"""The as-of property: for random valid histories, roster_on and structure_counts on any date D agree with an
independent oracle that replays the recorded MemberEvent rows (and the tree changes made) up to D."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.members import selectors, stats
from grassroots.members.models import COLLEGE_OR_ABOVE, Education, Member, MemberEvent, Occupation
from grassroots.members.services import member_create, member_record_event, member_update
from grassroots.orgs import selectors as org_selectors
from grassroots.orgs.models import Organization
from grassroots.orgs.services import org_create, org_merge, org_move, org_rename

FOUNDED = dt.date(2000, 1, 1)
START = dt.date(2001, 1, 1)
# code, kind, parent code
TREE = [("S", "working_committee", None), ("G", "general_branch", "S"), ("A", "branch", "G"), ("B", "branch", "G"),
        ("C", "branch", "S"), ("X", "working_committee", None), ("Y", "branch", "X")]
ROOTS = ("S", "X", "G")
ETHNICITIES = ("汉族", "汉族", "回族", "壮族")
LEAP_BIRTHS = (dt.date(1960, 2, 29), dt.date(1972, 2, 29), dt.date(1980, 2, 29))
BANDS = {"age_35_or_under": (None, 35), "age_36_45": (36, 45), "age_46_54": (46, 54), "age_55_60": (55, 60),
         "age_over_60": (61, None), "age_30_or_under": (None, 30), "age_36_54": (36, 54), "age_55_or_over": (55, None)}


# --- the oracle: plain Python over recorded rows and the list of tree changes -------------------------

def oracle_tree(ops: list[tuple[Any, ...]], day: dt.date) -> dict[str, str | None]:
    """code -> parent code of the organizations alive on `day`."""
    parent: dict[str, str | None] = {}
    for op in ops:
        if op[0] > day:
            break
        kind = op[1]
        if kind == "create":
            parent[op[2]] = op[3]
        elif kind == "move":
            parent[op[2]] = op[3]
        elif kind == "merge":
            for code, p in list(parent.items()):
                if p == op[2]:
                    parent[code] = op[3]
            del parent[op[2]]
    return parent


def oracle_subtree(tree: dict[str, str | None], root: str) -> set[str]:
    out = set()
    for code in tree:
        c: str | None = code
        while c is not None:
            if c == root:
                out.add(code)
                break
            c = tree.get(c)
    return out


def oracle_member_state(rows: list[MemberEvent], day: dt.date) -> dict[str, Any] | None:
    state: dict[str, Any] | None = None
    for ev in rows:
        if ev.date > day:
            break
        d = ev.details or {}
        if ev.kind in ("joined", "transferred_in"):
            state = {"org": ev.org_id, "status": d.get("status", "probationary" if ev.kind == "joined" else "full"),
                     "mobile": False, "suspended": False, "education": d.get("education", ""),
                     "occupation": d.get("occupation", "")}
        elif ev.kind in ("transferred_out", "removed", "died"):
            state = None
        else:
            assert state is not None
            if ev.kind == "converted":
                state["status"] = "full"
            elif ev.kind == "transferred":
                state["org"] = ev.org_id
            elif ev.kind in ("mobile_out", "mobile_back"):
                state["mobile"] = ev.kind == "mobile_out"
            elif ev.kind in ("suspended", "restored"):
                state["suspended"] = ev.kind == "suspended"
            elif ev.kind == "updated":
                state["education"] = d.get("education", state["education"])
                state["occupation"] = d.get("occupation", state["occupation"])
    return state


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def oracle_counts(people: list[tuple[Member, dict[str, Any]]], day: dt.date) -> dict[str, int]:
    c: Counter[str] = Counter()
    for m, s in people:
        c["total"] += 1
        c[s["status"]] += 1
        c["male" if m.sex == "M" else "female"] += 1
        c["han" if m.ethnicity == "汉族" else "minority"] += 1
        c["mobile"] += s["mobile"]
        c["suspended"] += s["suspended"]
        c["college_or_above"] += s["education"] in COLLEGE_OR_ABOVE
        c[f"education_{s['education']}"] += 1
        c[f"occupation_{s['occupation']}"] += 1
        age = age_on(m.birth_date, day)
        for key, (lo, hi) in BANDS.items():
            c[key] += (lo is None or age >= lo) and (hi is None or age <= hi)
    keys = ["total", "probationary", "full", "male", "female", "han", "minority", "mobile", "suspended",
            "college_or_above", *BANDS, *(f"education_{v}" for v in Education.values),
            *(f"occupation_{v}" for v in Occupation.values)]
    return {k: c[k] for k in keys}


# --- the generator: a simulation that only proposes valid steps --------------------------------------------

class World:
    def __init__(self) -> None:
        self.ops: list[tuple[Any, ...]] = [(FOUNDED, "create", code, parent) for code, _, parent in TREE]
        self.kinds = {code: kind for code, kind, _ in TREE}
        self.parent: dict[str, str | None] = {code: parent for code, _, parent in TREE}
        self.alive = set(self.parent)
        self.members: dict[int, dict[str, Any]] = {}  # id -> {"org", "status", "mobile", "suspended", "dead"}
        self.seq = 0
        self.renames = 0

    def member_orgs(self) -> list[str]:
        return sorted(self.alive)

    def descendants(self, code: str) -> set[str]:
        return oracle_subtree({c: self.parent[c] for c in self.alive}, code)


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def add_member(data: Any, w: World, on: dt.date) -> None:
    birth = data.draw(st.one_of(st.dates(dt.date(1940, 1, 1), dt.date(1982, 12, 31)), st.sampled_from(LEAP_BIRTHS)))
    code = data.draw(st.sampled_from(w.member_orgs()))
    status = data.draw(st.sampled_from(["probationary", "full"]))
    w.seq += 1
    m = member_create(
        name=f"成员{w.seq}", sex=data.draw(st.sampled_from("MF")), birth_date=birth,
        id_number=idnumber.make("110105", birth, w.seq), education=data.draw(st.sampled_from(Education.values)),
        occupation=data.draw(st.sampled_from(Occupation.values)), org=org(code), joined_on=on, status=status,
        ethnicity=data.draw(st.sampled_from(ETHNICITIES)),
    )
    w.members[m.pk] = {"org": code, "status": status, "mobile": False, "suspended": False, "dead": False}


def member_step(data: Any, w: World, on: dt.date) -> None:
    pk = data.draw(st.sampled_from(sorted(k for k, v in w.members.items() if not v["dead"])))
    s = w.members[pk]
    m = Member.objects.get(pk=pk)
    if s["org"] is None:
        kinds = ["transferred_in"]
    else:
        kinds = ["mobile_back" if s["mobile"] else "mobile_out", "restored" if s["suspended"] else "suspended",
                 "updated", "transferred_out", "removed", "died"]
        if s["status"] == "probationary":
            kinds.append("converted")
        if len(w.alive) > 1:
            kinds += ["transferred", "transferred"]
    kind = data.draw(st.sampled_from(kinds))
    if kind in ("transferred", "transferred_in"):
        code = data.draw(st.sampled_from([c for c in w.member_orgs() if c != s["org"]]))
        member_record_event(m, kind=kind, on=on, org=org(code))
        s.update(org=code, mobile=False if kind == "transferred_in" else s["mobile"],
                 suspended=False if kind == "transferred_in" else s["suspended"])
    elif kind == "updated":
        changes = {"education": data.draw(st.sampled_from(Education.values))}
        if data.draw(st.booleans()):
            changes["occupation"] = data.draw(st.sampled_from(Occupation.values))
        member_update(m, on=on, **changes)
    else:
        member_record_event(m, kind=kind, on=on)
        if kind == "converted":
            s["status"] = "full"
        elif kind in ("mobile_out", "mobile_back"):
            s["mobile"] = kind == "mobile_out"
        elif kind in ("suspended", "restored"):
            s["suspended"] = kind == "suspended"
        else:
            s.update(org=None, dead=kind == "died")


def org_step(data: Any, w: World, on: dt.date) -> None:
    kind = data.draw(st.sampled_from(["rename", "move", "merge"]))
    if kind == "rename":
        code = data.draw(st.sampled_from(sorted(w.alive)))
        w.renames += 1
        org_rename(org(code), name=f"{code}改{w.renames}", on=on)
        return
    branches = sorted(c for c in w.alive if w.kinds[c] == "branch")
    if kind == "merge" and len(branches) >= 2:
        code = data.draw(st.sampled_from(branches))
        into = data.draw(st.sampled_from([b for b in branches if b != code]))
        org_merge(org(code), into=org(into), on=on)
        w.alive.discard(code)
        for s in w.members.values():
            if s["org"] == code:
                s["org"] = into
        w.ops.append((on, "merge", code, into))
        return
    movable = sorted(c for c in w.alive if w.kinds[c] in ("branch", "general_branch"))
    code = data.draw(st.sampled_from(movable))
    allowed = {"branch": ("working_committee", "general_branch"), "general_branch": ("working_committee",)}
    targets = sorted(c for c in w.alive if w.kinds[c] in allowed[w.kinds[code]] and c != w.parent[code]
                     and c not in w.descendants(code))
    if not targets:
        return
    target = data.draw(st.sampled_from(targets))
    org_move(org(code), parent=org(target), on=on)
    w.parent[code] = target
    w.ops.append((on, "move", code, target))


def check_day(w: World, day: dt.date, rows: dict[int, list[MemberEvent]], people: dict[int, Member],
              counts_for: str) -> None:
    tree = oracle_tree(w.ops, day)
    states = {pk: oracle_member_state(evs, day) for pk, evs in rows.items()}
    for root in ROOTS:
        codes = oracle_subtree(tree, root)
        ids = {org(c).pk for c in codes}
        inside = [(people[pk], s) for pk, s in states.items() if s is not None and s["org"] in ids]
        expected = {(m.pk, s["org"], s["status"], s["mobile"], s["suspended"], s["education"], s["occupation"])
                    for m, s in inside}
        got = [(p.member_id, p.org_id, p.status, p.mobile, p.suspended, p.education, p.occupation)
               for p in selectors.roster_on(org(root), day)]
        assert len(got) == len(set(got)), f"a member twice in the roster of {root} on {day}"
        assert set(got) == expected, f"roster of {root} on {day}"
        if root == counts_for:
            assert stats.structure_counts(org(root), day) == oracle_counts(inside, day), f"counts of {root} on {day}"
        kinds = Counter(w.kinds[c] if c in w.kinds else "?" for c in codes - {root})
        assert org_selectors.kind_counts(org(root), day) == dict(kinds), f"kinds under {root} on {day}"


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_roster_and_counts_as_of_any_day(data: Any) -> None:
    with transaction.atomic(), acting(None, "system"):
        w = World()
        for code, kind, parent in TREE:
            org_create(code=code, name=f"{code}委", kind=kind, founded_on=FOUNDED, parent=org(parent) if parent else None)
        for _ in range(data.draw(st.integers(2, 4))):
            add_member(data, w, START)
        on = START
        for _ in range(data.draw(st.integers(5, 22))):
            on += dt.timedelta(days=data.draw(st.sampled_from([0, 1, 30, 200, 365, 400])))
            step = data.draw(st.sampled_from(["member", "member", "member", "org", "join"]))
            if step == "org":
                org_step(data, w, on)
            elif step == "join" or not any(not s["dead"] for s in w.members.values()):
                add_member(data, w, on)
            else:
                member_step(data, w, on)
        rows: dict[int, list[MemberEvent]] = {pk: [] for pk in w.members}
        for ev in MemberEvent.objects.order_by("date", "id"):
            rows[ev.member_id].append(ev)
        people = {m.pk: m for m in Member.objects.filter(pk__in=rows)}
        days = {FOUNDED, START - dt.timedelta(days=1), dt.date.today()}
        for evs in rows.values():
            for ev in evs:
                days |= {ev.date, ev.date - dt.timedelta(days=1)}
        for op in w.ops:
            days |= {op[0], op[0] - dt.timedelta(days=1)}
        for m in people.values():  # age boundaries, 29 February included
            for years in (35, 36, 61):
                edge = stats.years_before(m.birth_date, -years)
                days |= {edge - dt.timedelta(days=1), edge, edge + dt.timedelta(days=1)}
        # structure_counts costs ~0.1 s (forty aggregates to compile): check a drawn sample of the dates
        candidates = sorted(d for d in days if d <= dt.date.today())
        sample = data.draw(st.lists(st.sampled_from(candidates), min_size=4, max_size=12, unique=True))
        for day in sorted({*sample, max(candidates)}):
            check_day(w, day, rows, people, counts_for=data.draw(st.sampled_from(ROOTS)))
        transaction.set_rollback(True)
