"""Reads of dues: what a member owes and has paid, a branch's monthly ledger, totals for a subtree.

The caller has authorized the member or organization (a `Scope`); these functions do not check again.

Which months a member owes (for arrears): every month from the first month they belonged to an organization on
the platform (a period on any day of the month) and from January of the year of their first assessment, whose
year has an assessment above 0.00. A later year without an assessment yet counts at the latest earlier year's
amount (the amount usually stays; the branch has only not written it down); months before the first assessment
never count, nor do months assessed at 0.00 (an exemption), nor months the member belonged nowhere.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery, Sum

from grassroots.core.dates import add_months
from grassroots.members.models import Member, MemberPeriod
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import DuesAssessment, DuesMonth, DuesPayment, PaymentKind, Remittance
from .services import first_of_month, goes_to_centre

ZERO = Decimal("0.00")
Span = tuple[dt.date, dt.date | None]  # a period's [start, end)


def last_complete_month(as_of: dt.date) -> dt.date:
    """The first day of the last month that ended before `as_of`."""
    return add_months(first_of_month(as_of), -1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s month to `last`'s month, inclusive."""
    out: list[dt.date] = []
    month = first_of_month(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def month_span(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of `month`'s month."""
    start = first_of_month(month)
    return start, add_months(start, 1) - dt.timedelta(days=1)


def year_to_date(year: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """`year` from 1 January up to `day` (the whole year once it is over; 1 January alone before it starts)."""
    start = dt.date(year, 1, 1)
    return start, min(dt.date(year, 12, 31), max(day, start))


def belonged(spans: Iterable[Span], month: dt.date) -> bool:
    """A period on any day of the month."""
    following = add_months(month, 1)
    return any(start < following and (end is None or end > month) for start, end in spans)


class Owed:
    """The monthly amount a member owes, by year, with later unassessed years carried from the latest earlier
    assessment; None before the first assessment."""

    def __init__(self, by_year: dict[int, Decimal]) -> None:
        self.years = sorted(by_year)
        self.by_year = by_year

    def __call__(self, month: dt.date) -> Decimal | None:
        i = bisect.bisect_right(self.years, month.year)
        return self.by_year[self.years[i - 1]] if i else None

    @property
    def first_month(self) -> dt.date | None:
        return dt.date(self.years[0], 1, 1) if self.years else None


def count_consecutive(last: dt.date, spans: list[Span], owed: Callable[[dt.date], Decimal | None],
                      paid: set[dt.date], limit: int | None = None) -> tuple[int, dt.date | None]:
    """How many owed months in a row, ending with `last`, are unpaid; and the first of them."""
    count, first = 0, None
    month = last
    while limit is None or count < limit:
        amount = owed(month)
        if month in paid or amount is None or amount <= 0 or not belonged(spans, month):
            break
        count, first = count + 1, month
        month = add_months(month, -1)
    return count, first


def _member_data(member: Member) -> tuple[list[Span], Owed]:
    spans = list(MemberPeriod.objects.filter(member=member).values_list("start", "end"))
    owed = Owed(dict(DuesAssessment.objects.filter(member=member).values_list("year", "monthly_amount")))
    return spans, owed


def unpaid_months(member: Member, as_of: dt.date) -> list[dt.date]:
    """Every owed month up to the last complete month before `as_of` that has not been paid, oldest first."""
    spans, owed = _member_data(member)
    last = last_complete_month(as_of)
    if owed.first_month is None or not spans:
        return []
    first = max(owed.first_month, first_of_month(min(s for s, _e in spans)))
    paid = set(DuesMonth.objects.filter(member=member, month__gte=first, month__lte=last)
               .values_list("month", flat=True))
    return [m for m in months_between(first, last)
            if m not in paid and (owed(m) or ZERO) > 0 and belonged(spans, m)]


def consecutive_unpaid(member: Member, as_of: dt.date) -> int:
    """Consecutive unpaid owed months ending with the last complete month before `as_of` (0 if it was paid)."""
    spans, owed = _member_data(member)
    last = last_complete_month(as_of)
    paid = set(DuesMonth.objects.filter(member=member, month__lte=last).values_list("month", flat=True))
    return count_consecutive(last, spans, owed, paid)[0]


# --- payments as lines -------------------------------------------------------------------------------------------

@dataclass
class PaymentLine:
    id: int
    member_id: int
    org_id: int
    paid_on: dt.date
    kind: str
    amount: Decimal
    channel: str
    paid_by: str
    receipt: str
    note: str
    months: list[dt.date] = field(default_factory=list)
    back_months: int = 0  # months before the month of payment
    many_back_months: bool = False  # more than the usual maximum of a back payment
    to_centre: bool = False  # a voluntary payment that goes whole to the centre


def payment_lines(payments: Iterable[DuesPayment]) -> list[PaymentLine]:
    """Lines for payments fetched with `prefetch_related("months")`."""
    out = []
    for p in payments:
        months = sorted(m.month for m in p.months.all())
        back = sum(1 for m in months if m < first_of_month(p.paid_on))
        usual = int(in_force("dues.back_payment", p.paid_on)["usual_max_months"])
        out.append(PaymentLine(
            id=p.pk, member_id=p.member_id, org_id=p.org_id, paid_on=p.paid_on, kind=p.kind, amount=p.amount,
            channel=p.channel, paid_by=p.paid_by, receipt=p.receipt, note=p.note, months=months, back_months=back,
            many_back_months=back > usual,
            to_centre=p.kind == PaymentKind.VOLUNTARY and goes_to_centre(p.amount, p.paid_on)))
    return out


# --- a branch's monthly ledger --------------------------------------------------------------------------------------

@dataclass
class LedgerRow:
    member_id: int
    name: str
    category: str | None  # of the year's assessment; None when not assessed
    monthly_amount: Decimal | None
    belonged: bool  # to this organization in the month
    month_paid: bool  # the month's dues are paid (whenever and wherever)
    month_paid_on: dt.date | None
    month_payment_id: int | None
    payments: list[PaymentLine] = field(default_factory=list)  # received by this organization in the month
    received: Decimal = ZERO  # their sum


def ledger(org: Organization, year: int, month: int) -> list[LedgerRow]:
    """One row per member who belonged to `org` in the month or paid there in it: the year's assessment, whether
    the month is paid, and the payments received that month (regular, back and voluntary). Five queries."""
    start = dt.date(year, month, 1)
    following = add_months(start, 1)
    member_ids = set(MemberPeriod.objects.filter(org=org, start__lt=following)
                     .filter(Q(end__isnull=True) | Q(end__gt=start)).values_list("member_id", flat=True))
    payments = list(DuesPayment.objects.filter(org=org, paid_on__gte=start, paid_on__lt=following)
                    .prefetch_related("months").order_by("paid_on", "id"))
    by_member: dict[int, list[PaymentLine]] = defaultdict(list)
    for line in payment_lines(payments):
        by_member[line.member_id].append(line)
    ids = member_ids | set(by_member)
    names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "name"))
    assessments = {a.member_id: a for a in DuesAssessment.objects.filter(member_id__in=ids, year=year)}
    paid = {m.member_id: m for m in DuesMonth.objects.filter(member_id__in=ids, month=start)
            .select_related("payment").only("member_id", "payment_id", "payment__paid_on")}
    rows = []
    for pk in ids:
        a = assessments.get(pk)
        dm = paid.get(pk)
        lines = by_member.get(pk, [])
        rows.append(LedgerRow(
            member_id=pk, name=names.get(pk, ""), category=a.category if a else None,
            monthly_amount=a.monthly_amount if a else None, belonged=pk in member_ids, month_paid=dm is not None,
            month_paid_on=dm.payment.paid_on if dm else None, month_payment_id=dm.payment_id if dm else None,
            payments=lines, received=sum((line.amount for line in lines), ZERO)))
    return sorted(rows, key=lambda r: (r.name, r.member_id))


def remittances(org: Organization, start: dt.date, end: dt.date) -> list[Remittance]:
    """Remittances made by `org` between `start` and `end` (inclusive)."""
    return list(Remittance.objects.filter(org=org, remitted_on__gte=start, remitted_on__lte=end)
                .select_related("to_org").order_by("remitted_on", "id"))


# --- totals for a subtree and a period ------------------------------------------------------------------------------

FIGURES = ("assessed", "collected", "regular", "back", "voluntary", "to_centre", "remitted")


def totals(org: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Totals for org's subtree (as the tree stands now) from `start` to `end` inclusive:
    - assessed: the assessed monthly amounts of the months the period touches, for each member in the month
      (counted where the member belonged on the 1st, or where they arrived in the month);
    - collected: regular and back payments received (by date of payment), also split as regular and back;
    - voluntary: voluntary payments received; to_centre: those of them that go whole to the centre;
    - remitted: remittances from the subtree to organizations outside it (or to none named); per organization,
      its own remittances.
    `by_org`: the same figures per organization of the subtree that has any, in tree order."""
    orgs = {pk: (path, code, name) for pk, path, code, name in
            Organization.objects.filter(path__startswith=org.path).values_list("pk", "path", "code", "name")}
    per: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(FIGURES, ZERO))

    payments = (DuesPayment.objects.filter(org_id__in=orgs, paid_on__gte=start, paid_on__lte=end)
                .exclude(kind=PaymentKind.VOLUNTARY).values_list("org_id", "kind").annotate(total=Sum("amount"))
                .order_by())
    for org_id, kind, total in payments:
        per[org_id][kind] += total
        per[org_id]["collected"] += total
    for org_id, paid_on, amount in DuesPayment.objects.filter(
            org_id__in=orgs, paid_on__gte=start, paid_on__lte=end, kind=PaymentKind.VOLUNTARY).values_list(
            "org_id", "paid_on", "amount"):
        per[org_id]["voluntary"] += amount
        if goes_to_centre(amount, paid_on):
            per[org_id]["to_centre"] += amount
    remitted_out = ZERO
    for org_id, to_org_id, amount in Remittance.objects.filter(
            org_id__in=orgs, remitted_on__gte=start, remitted_on__lte=end).values_list("org_id", "to_org_id", "amount"):
        per[org_id]["remitted"] += amount
        if to_org_id not in orgs:
            remitted_out += amount

    for org_id, amount in _assessed_by_org(list(orgs), months_between(start, end)):  # summed in the database
        per[org_id]["assessed"] += amount

    result: dict[str, Any] = {"start": start, "end": end}
    for figure in FIGURES:
        result[figure] = sum((row[figure] for row in per.values()), ZERO)
    result["remitted"] = remitted_out
    result["by_org"] = [{"org_id": pk, "code": orgs[pk][1], "name": orgs[pk][2], **per[pk]}
                        for pk in sorted(per, key=lambda pk: orgs[pk][0]) if any(per[pk].values())]
    return result


def _assessed_by_org(org_ids: list[int], months: list[dt.date]) -> list[tuple[int, Decimal]]:
    """The assessed monthly amounts of `months` summed by the organization of `org_ids` each member belonged to in
    each month: the member's period among those organizations overlapping the month that started first (the one
    in force on the 1st, or the first one that began in the month). One query (a month's aggregate each, united),
    whatever the number of members."""
    monthly = []
    for month in months:
        following = add_months(month, 1)
        overlapping = MemberPeriod.objects.filter(org_id__in=org_ids, start__lt=following).filter(
            Q(end__isnull=True) | Q(end__gt=month))
        where = (overlapping.filter(member_id=OuterRef("member_id")).order_by("start", "end", "org_id")
                 .values("org_id"))
        monthly.append(DuesAssessment.objects.filter(year=month.year, monthly_amount__gt=0)
                       .filter(Exists(overlapping.filter(member_id=OuterRef("member_id"))))
                       .annotate(where=Subquery(where[:1])).values_list("where").annotate(total=Sum("monthly_amount"))
                       .order_by())
    if not monthly:
        return []
    rows = monthly[0].union(*monthly[1:], all=True) if len(monthly) > 1 else monthly[0]
    return [(org_id, total) for org_id, total in rows if org_id is not None]


# --- a member's yearly statement ------------------------------------------------------------------------------------

def statement(member: Member, year: int) -> dict[str, Any]:
    """A member's dues in `year`: the assessment, and for each month whether the member belonged (anywhere on
    the platform), the assessed amount, and the payment that paid it; with the year's voluntary payments and
    the assessed months still unpaid (`unpaid`, future months included: compare with a date as needed)."""
    assessment = DuesAssessment.objects.filter(member=member, year=year).first()
    spans = list(MemberPeriod.objects.filter(member=member).values_list("start", "end"))
    paid = {m.month: m for m in DuesMonth.objects.filter(member=member, month__year=year).select_related("payment")}
    months: list[dict[str, Any]] = []
    for month in months_between(dt.date(year, 1, 1), dt.date(year, 12, 1)):
        inside = belonged(spans, month)
        dm = paid.get(month)
        months.append({
            "month": month, "belonged": inside,
            "assessed": assessment.monthly_amount if assessment is not None and inside else None,
            "paid": dm is not None, "paid_on": dm.payment.paid_on if dm else None,
            "payment_id": dm.payment_id if dm else None, "amount": dm.amount if dm else None,
            "kind": dm.payment.kind if dm else "", "paid_by": dm.payment.paid_by if dm else "",
        })
    voluntary = payment_lines(DuesPayment.objects.filter(member=member, kind=PaymentKind.VOLUNTARY, paid_on__year=year)
                              .prefetch_related("months").order_by("paid_on", "id"))
    return {
        "member": member, "year": year, "assessment": assessment, "months": months,
        "assessed_total": sum((m["assessed"] or ZERO for m in months), ZERO),
        "paid_total": sum((m["amount"] or ZERO for m in months), ZERO),
        "unpaid": [m["month"] for m in months if m["assessed"] and not m["paid"]],
        "voluntary": voluntary, "voluntary_total": sum((v.amount for v in voluntary), ZERO),
    }
