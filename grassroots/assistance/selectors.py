"""Reads of assistance and donations: the kinds in force, the places an organization holds, the ledger of an
organization or a household, the year's totals (households and persons counted apart), the store's stock.

Every count is by date: an entry counts in the year of its `given_on`; the stock on a day is what was received
up to that day less what was given out up to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone, translation

from grassroots.access.scope import Scope
from grassroots.households.models import Household
from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import held_place_paths
from grassroots.rules.registry import in_force

from .models import Assistance, DistributionLine, DistributionRound, Donation, Form, LocalKind, StockItem

LOCAL_PREFIX = "local-"
ZERO = Decimal("0")


def today() -> dt.date:
    return timezone.localdate()


def _zh() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def statutory_kinds(day: dt.date | None = None) -> list[tuple[str, str]]:
    """The eight statutory kinds in force on `day` as (code, name in the page's language)."""
    rule = in_force("assistance.statutory_kinds", day or today())
    return [(k["code"], k["zh"] if _zh() else k["en"]) for k in rule["kinds"]]


def statutory_codes(day: dt.date | None = None) -> set[str]:
    return {code for code, _name in statutory_kinds(day)}


def kinds_cite(day: dt.date | None = None) -> str:
    return in_force("assistance.statutory_kinds", day or today()).cite


def local_kinds_for(org: Organization) -> QuerySet[LocalKind]:
    """The local kinds usable in `org`: added by it or by an organization above it."""
    step = Organization.steplen
    paths = [org.path[:i] for i in range(step, len(org.path) + 1, step)]
    return LocalKind.objects.filter(org__path__in=paths, active=True).select_related("org").order_by("name")


def kind_choices(org: Organization | None, day: dt.date | None = None) -> list[tuple[str, str]]:
    """The statutory kinds, then `org`'s local kinds (value `local-<pk>`)."""
    choices = statutory_kinds(day)
    if org is not None:
        choices += [(f"{LOCAL_PREFIX}{k.pk}", k.name) for k in local_kinds_for(org)]
    return choices


def kind_label(entry: Any, names: dict[str, str] | None = None) -> str:
    """The name of an entry's (or a round's) kind; `names` the statutory names read once for a list."""
    if entry.local_kind_id:
        return str(entry.local_kind.name)
    names = names if names is not None else dict(statutory_kinds())
    return names.get(entry.kind, entry.kind)


def kind_value(entry: Any) -> str:
    return f"{LOCAL_PREFIX}{entry.local_kind_id}" if entry.local_kind_id else str(entry.kind)


def place_paths(org: Organization) -> list[str]:
    """The paths of the places `org` and the organizations under it hold now, none under another."""
    return held_place_paths(org, subtree=True)


def _under(paths: list[str], field_name: str) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field_name}__path__startswith": p})
    return q


def households_of(org: Organization) -> QuerySet[Household]:
    """The households living now in the places `org` (and its subtree) holds."""
    return Household.objects.filter(_under(place_paths(org), "territory"))


def in_places_of(household: Household, org: Organization) -> bool:
    return any(household.territory.path.startswith(p) for p in place_paths(org))


def visible(scope: Scope) -> QuerySet[Assistance]:
    return Assistance.objects.visible_to(scope)


def ledger_of(org: Organization, scope: Scope | None = None) -> QuerySet[Assistance]:
    """The entries of the households in the places `org` holds (within what the user may read)."""
    qs = Assistance.objects.filter(_under(place_paths(org), "household__territory"))
    return qs.visible_to(scope) if scope is not None else qs


def year_range(year: int, day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)


@dataclass
class KindTotal:
    kind: str
    name: str
    households: int
    persons: int
    entries: int
    amount: Decimal


@dataclass
class Totals:
    """What the ledger (or its filtered part) adds up to: households and persons counted apart (a household
    helped twice counts once; its persons are the most it had helped in one entry, kind by kind)."""

    households: int = 0
    persons: int = 0
    entries: int = 0
    amount: Decimal = ZERO
    goods_entries: int = 0
    by_kind: list[KindTotal] = field(default_factory=list)


def totals(qs: QuerySet[Assistance]) -> Totals:
    """Households, persons, entries and money of `qs`, in all and by kind (3 queries)."""
    names = dict(statutory_kinds())
    local = {k.pk: k.name for k in LocalKind.objects.filter(pk__in=qs.values("local_kind_id"))}
    per = (qs.values("household_id", "kind", "local_kind_id").annotate(persons=_max_persons())
           .order_by())
    households: set[int] = set()
    persons_by_household: dict[int, int] = {}
    kinds: dict[tuple[str, int | None], dict[str, Any]] = {}
    for row in per:
        households.add(row["household_id"])
        persons_by_household[row["household_id"]] = max(persons_by_household.get(row["household_id"], 0),
                                                        row["persons"] or 0)
        k = kinds.setdefault((row["kind"], row["local_kind_id"]), {"households": 0, "persons": 0})
        k["households"] += 1
        k["persons"] += row["persons"] or 0
    money = qs.values("kind", "local_kind_id").annotate(entries=Count("pk"), amount=Sum("amount")).order_by()
    out = Totals(households=len(households), persons=sum(persons_by_household.values()))
    rows = []
    for m in money:
        key = (m["kind"], m["local_kind_id"])
        k = kinds.get(key, {"households": 0, "persons": 0})
        name = local.get(m["local_kind_id"], "") if m["local_kind_id"] else names.get(m["kind"], m["kind"])
        code = f"{LOCAL_PREFIX}{m['local_kind_id']}" if m["local_kind_id"] else m["kind"]
        rows.append(KindTotal(code, name, k["households"], k["persons"], m["entries"], m["amount"] or ZERO))
        out.entries += m["entries"]
        out.amount += m["amount"] or ZERO
    order = {code: i for i, (code, _n) in enumerate(names.items())}
    out.by_kind = sorted(rows, key=lambda r: (order.get(r.kind, 99), r.name))
    return out


def _max_persons() -> Any:
    from django.db.models import Max

    return Max("persons_count")


def goods_entries(qs: QuerySet[Assistance]) -> int:
    return qs.filter(form=Form.GOODS).count()


# --- the store ------------------------------------------------------------------------------------------------

def donations_of(org: Organization) -> QuerySet[Donation]:
    return Donation.objects.filter(org__path__startswith=org.path)


def rounds_of(org: Organization) -> QuerySet[DistributionRound]:
    return DistributionRound.objects.filter(org__path__startswith=org.path)


@dataclass
class StockRow:
    item: StockItem
    received: Decimal
    distributed: Decimal
    oldest_undistributed: dt.date | None = None

    @property
    def on_hand(self) -> Decimal:
        return self.received - self.distributed


def received_of(item: StockItem, day: dt.date | None = None) -> Decimal:
    qs = Donation.objects.filter(item=item)
    if day is not None:
        qs = qs.filter(received_on__lte=day)
    return qs.aggregate(s=Sum("quantity"))["s"] or ZERO


def distributed_of(item: StockItem, day: dt.date | None = None) -> Decimal:
    qs = DistributionLine.objects.filter(item=item)
    if day is not None:
        qs = qs.filter(round__held_on__lte=day)
    return qs.aggregate(s=Sum("quantity"))["s"] or ZERO


def stock_of(item: StockItem, day: dt.date | None = None) -> Decimal:
    """What the store holds of `item` on `day` (None: everything recorded): received − distributed."""
    return received_of(item, day) - distributed_of(item, day)


def available_from(item: StockItem, day: dt.date) -> Decimal:
    """What may still be given out of `item` on `day` without the stock going below zero on that day or on any
    later day a distribution took from it (a round dated back must not take what a later round already gave):
    the least of received − distributed at `day` and at every later distribution day (2 queries)."""
    gifts = sorted(Donation.objects.filter(item=item).values_list("received_on", "quantity"))
    given = sorted(DistributionLine.objects.filter(item=item).values_list("round__held_on", "quantity"))
    checkpoints = sorted({day, *(d for d, _q in given if d > day)})
    least: Decimal | None = None
    for point in checkpoints:
        left = sum((q or ZERO for d, q in gifts if d <= point), ZERO) - sum((q for d, q in given if d <= point), ZERO)
        least = left if least is None else min(least, left)
    return least if least is not None else ZERO


def stock(org: Organization, day: dt.date | None = None) -> list[StockRow]:
    """Every item of `org`'s store (its own, not its subtree's) with what was received and given out (3 queries).
    `oldest_undistributed`: the day of the oldest donation not yet covered by what was given out (first in,
    first out)."""
    day = day or today()
    items = list(StockItem.objects.filter(org=org).order_by("name"))
    received: dict[int, list[tuple[dt.date, Decimal]]] = {}
    for item_id, on, qty in (Donation.objects.filter(org=org, item__isnull=False, received_on__lte=day)
                             .order_by("received_on", "id").values_list("item_id", "received_on", "quantity")):
        received.setdefault(item_id, []).append((on, qty or ZERO))
    given = dict(DistributionLine.objects.filter(round__org=org, round__held_on__lte=day).values("item_id")
                 .annotate(s=Sum("quantity")).values_list("item_id", "s"))
    rows = []
    for item in items:
        got = received.get(item.pk, [])
        out = given.get(item.pk) or ZERO
        row = StockRow(item, sum((q for _d, q in got), ZERO), out)
        left = out
        for on, qty in got:  # first in, first out
            if left >= qty:
                left -= qty
                continue
            row.oldest_undistributed = on
            break
        rows.append(row)
    return rows


def cash_received(org: Organization, start: dt.date, end: dt.date) -> Decimal:
    return (donations_of(org).filter(item__isnull=True, received_on__gte=start, received_on__lte=end)
            .aggregate(s=Sum("value"))["s"] or ZERO)


def limits(day: dt.date) -> tuple[int, str, int, str]:
    d = in_force("assistance.distribute_within", day)
    s = in_force("assistance.sign_within", day)
    return int(d["days"]), d.cite, int(s["days"]), s.cite


def unsigned_late(org: Organization, day: dt.date) -> QuerySet[DistributionRound]:
    _d, _c, sign_days, _s = limits(day)
    return rounds_of(org).filter(signed=False, held_on__lt=day - dt.timedelta(days=sign_days))
