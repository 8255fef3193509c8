"""Points schemes: the default one (rules/data/points.json, `points.default`) and the organizations' own
(`PointScheme`), validated, and which one applies to an organization on a day.

The nearest organization wins: the organization's own scheme in force on the day (the latest `effective_from`
on or before it), else its parent's, and so on up the tree, else the default rule's version in force that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import PointScheme

# The items proposed from other modules' records; their labels. Manual items are `manual.<code>`.
EVIDENCE_ITEMS = {
    "meetings.attended": gettext_lazy("Organizational life attended"),
    "dues.paid_on_time": gettext_lazy("Dues paid on time"),
    "volunteers.hours": gettext_lazy("Volunteer service hours"),
    "wishes.fulfilled": gettext_lazy("Micro-wish fulfilled"),
    "commitments.kept": gettext_lazy("Commitment kept"),
    "posts.claimed": gettext_lazy("Responsibility post claimed"),
}
DEDUCTION = "manual.deduction"
EXEMPT_KINDS = ("retired", "mobile", "sick")
MAX_POINTS = Decimal("10000")


@dataclass(frozen=True)
class Item:
    code: str
    points: Decimal  # per unit
    cap: Decimal | None  # a year; None: no cap
    label_zh: str = ""
    label_en: str = ""

    @property
    def manual(self) -> bool:
        return self.code.startswith("manual.")

    @property
    def label(self) -> str:
        return item_label(self.code, self)


@dataclass(frozen=True)
class Scheme:
    cite: str  # "points.default@default" or "points.scheme:<pk>@<date>"
    base: Decimal
    floor: Decimal
    exempt: tuple[str, ...]
    items: dict[str, Item]
    org_id: int | None = None  # the organization whose scheme it is (None: the default)


def item_label(code: str, item: Item | None = None) -> str:
    if code in EVIDENCE_ITEMS:
        return str(EVIDENCE_ITEMS[code])
    if item is not None:
        zh = (get_language() or "").startswith("zh")
        return (item.label_zh if zh else item.label_en) or item.label_zh or item.label_en or code
    if code.startswith("manual."):
        known = default_scheme(timezone.localdate()).items.get(code)
        if known is not None:
            return item_label(code, known)
    return code


def _decimal(value: Any, field: str, *, negative: bool = False) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise RuleError(_("give a number as text or a whole number, not %(value)s") % {"value": value}, field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(_("%(value)s is not a number") % {"value": str(value)[:40]}, field=field) from None
    if not number.is_finite() or abs(number) >= MAX_POINTS:
        raise RuleError(_("%(value)s is not a number of points") % {"value": str(value)[:40]}, field=field)
    if number != number.quantize(Decimal("0.01")):
        raise RuleError(_("%(value)s has more than two decimals") % {"value": number}, field=field)
    if number < 0 and not negative:
        raise RuleError(_("%(value)s is below zero") % {"value": number}, field=field)
    return number.quantize(Decimal("0.01"))


def validate_params(params: Any) -> dict[str, Any]:
    """The scheme's params checked and normalized (numbers as text); RuleError naming the field otherwise."""
    if not isinstance(params, dict):
        raise RuleError(_("a scheme is a set of named values"), field="params")
    unknown = sorted(set(params) - {"base", "floor", "reset", "exempt", "items"})
    if unknown:
        raise RuleError(_("unknown setting %(name)s") % {"name": unknown[0][:40]}, field="params")
    base = _decimal(params.get("base", ""), "base")
    floor = _decimal(params.get("floor", "0"), "floor")
    if floor > base:
        raise RuleError(_("the floor %(floor)s is above the base %(base)s") % {"floor": floor, "base": base},
                        field="floor")
    if params.get("reset", "yearly") != "yearly":
        raise RuleError(_("totals reset every year"), field="reset")
    exempt = params.get("exempt", [])
    if not isinstance(exempt, list) or any(e not in EXEMPT_KINDS for e in exempt):
        raise RuleError(_("exempt may name retired, mobile and sick"), field="exempt")
    items = params.get("items")
    if not isinstance(items, dict) or not items:
        raise RuleError(_("a scheme needs at least one item"), field="items")
    out_items: dict[str, Any] = {}
    for code, spec in items.items():
        if not isinstance(code, str) or not (code in EVIDENCE_ITEMS or (
                code.startswith("manual.") and 7 < len(code) <= 60 and code[7:].replace("_", "").isalnum())):
            raise RuleError(_("unknown item %(item)s (manual items are named manual.<code>)")
                            % {"item": str(code)[:60]}, field="items")
        if not isinstance(spec, dict):
            raise RuleError(_("item %(item)s needs its points and cap") % {"item": code}, field="items")
        points = _decimal(spec.get("points", ""), "items", negative=code == DEDUCTION)
        if code == DEDUCTION and points > 0:
            raise RuleError(_("a deduction's points are below zero"), field="items")
        cap_value = spec.get("cap")
        cap = None if cap_value in (None, "") else _decimal(cap_value, "items")
        if cap is not None and cap <= 0:
            raise RuleError(_("the cap of %(item)s must be more than zero") % {"item": code}, field="items")
        entry: dict[str, Any] = {"points": str(points), "cap": None if cap is None else str(cap)}
        for key in ("label_zh", "label_en"):
            label = str(spec.get(key) or "").strip()[:60]
            if label:
                entry[key] = label
        if code.startswith("manual.") and not (entry.get("label_zh") or entry.get("label_en")):
            raise RuleError(_("the manual item %(item)s needs a name") % {"item": code}, field="items")
        out_items[code] = entry
    return {"base": str(base), "floor": str(floor), "reset": "yearly", "exempt": list(exempt), "items": out_items}


def from_params(cite: str, params: dict[str, Any], org_id: int | None = None) -> Scheme:
    items = {code: Item(code, Decimal(str(spec["points"])),
                        None if spec.get("cap") in (None, "") else Decimal(str(spec["cap"])),
                        spec.get("label_zh", ""), spec.get("label_en", ""))
             for code, spec in params["items"].items()}
    return Scheme(cite, Decimal(str(params["base"])), Decimal(str(params.get("floor", "0"))),
                  tuple(params.get("exempt", ())), items, org_id)


def default_scheme(day: dt.date) -> Scheme:
    rule = in_force("points.default", day)
    return from_params(rule.cite, rule.params)


class SchemeBook:
    """Every organization's schemes read once; `on(org, day)` answers which applies (nearest organization)."""

    def __init__(self) -> None:
        self.by_org: dict[int, list[PointScheme]] = {}
        for s in PointScheme.objects.order_by("-effective_from"):
            self.by_org.setdefault(s.org_id, []).append(s)
        self._paths: dict[int, list[int]] = {}

    def _chain(self, org: Organization) -> list[int]:
        """The organization and its ancestors, nearest first."""
        if org.pk not in self._paths:
            ancestors = list(org.get_ancestors().values_list("pk", flat=True)) if self.by_org else []
            self._paths[org.pk] = [org.pk, *reversed(ancestors)]
        return self._paths[org.pk]

    def on(self, org: Organization | None, day: dt.date) -> Scheme:
        if org is not None and self.by_org:
            for org_id in self._chain(org):
                for s in self.by_org.get(org_id, ()):
                    if s.effective_from <= day:
                        return from_params(s.cite, s.params, s.org_id)
        return default_scheme(day)


def scheme_for(org: Organization | None, day: dt.date) -> Scheme:
    """The scheme that applies to `org`'s members on `day`."""
    return SchemeBook().on(org, day)
