"""Writes to dues: assessments, payments, voluntary payments and remittances.

Each write is one function, in a transaction, permission-checked (`require_write_*`), audited, and raising
`RuleError` with nothing written when the request breaks a rule. Money is Decimal throughout: a float is
refused rather than guessed at.

The monthly amount (`monthly_amount`) comes from the rules in force (rules/data/dues.json):
- in service / retired: one flat rate on the whole monthly base by bracket (a bracket's bound is inclusive:
  3000.00 is 0.5%, 3000.01 is 1%), then rounded by the `dues.rounding` setting (quantum, mode up / half_up /
  down, minimum);
- farmer: 0.50 unless another amount within 0.20-1.00 is given; student, unemployed or relief: 0.20;
- hardship: an amount below the ordinary one (0 included), with the approval written down;
- fixed: any amount, with the approval written down.
An amount above `dues.cap` usual_max_monthly is allowed and noted in the audit entry.

A regular payment covers months (first days of months). Each month must
- have an assessment of its year for the member;
- be a month in which the member belonged to the receiving branch: a period there on any day of the month
  counts (a member who joined on 20 March owes March);
- not lie beyond the quarter of the payment: paying ahead within the quarter is a quarterly payment (with
  the branch's consent), at most the rest of that quarter;
- not be paid already: checked first, and guarded by the database (`DuesMonth` is unique per member and
  month), so that of two people recording the same payment at once the second gets a `RuleError`.
The amount must equal the sum of the months' assessed amounts. Months before the month of payment make it a
back payment (kind "back"); more than `dues.back_payment` usual_max_months of them is allowed and noted.
A voluntary payment covers no month; one of `dues.cap` voluntary_to_centre or more goes whole to the centre
(noted in the audit entry; the selectors mark it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_member, require_write_org
from grassroots.core import audit
from grassroots.core.dates import add_months
from grassroots.core.errors import RuleError
from grassroots.core.versions import check_version
from grassroots.members.models import Member, MemberPeriod, Occupation
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import Channel, DuesAssessment, DuesCategory, DuesMonth, DuesPayment, PaymentKind, Remittance

CENT = Decimal("0.01")
ROUNDING_MODES = {"up": ROUND_CEILING, "half_up": ROUND_HALF_UP, "down": ROUND_FLOOR}
ASSESSMENT_FIELDS = ("member", "year", "category", "base", "monthly_amount", "rule", "approval", "assessed_on")
PAYMENT_FIELDS = ("member", "org", "paid_on", "amount", "kind", "channel", "paid_by", "receipt", "note")


def today() -> dt.date:
    return timezone.localdate()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def quarter_end_month(day: dt.date) -> dt.date:
    """The first day of the last month of `day`'s quarter."""
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 3, 1)


# --- money -------------------------------------------------------------------------------------------------

def money(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A Decimal amount of at most two decimals, from a Decimal, an int or a string; floats are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise RuleError(_("give the amount as a decimal number, not a float"), field=field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleError(_("an amount is required"), field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleError(_("%(value)s is not an amount") % {"value": str(value)[:40]}, field=field) from None
    if not amount.is_finite():
        raise RuleError(_("%(value)s is not an amount") % {"value": str(value)[:40]}, field=field)
    if amount != amount.quantize(CENT):
        raise RuleError(_("%(value)s has more than two decimals") % {"value": amount}, field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise RuleError(_("the amount must be more than zero"), field=field)
    if amount >= Decimal("1e10"):
        raise RuleError(_("%(value)s is too large") % {"value": amount}, field=field)
    return amount.quantize(CENT)


def round_amount(value: Decimal, on: dt.date) -> Decimal:
    """Round a computed monthly amount by the `dues.rounding` rule in force (a setting): to a multiple of the
    quantum in the given mode (Decimal quantize with ROUND_CEILING, ROUND_HALF_UP or ROUND_FLOOR), then raise
    it to the minimum."""
    rule = in_force("dues.rounding", on)
    mode = str(rule["mode"])
    if mode not in ROUNDING_MODES:
        raise RuleError(_("unknown rounding mode %(mode)s (use up, half_up or down)") % {"mode": mode})
    quantum = Decimal(str(rule["quantum"]))
    if quantum <= 0:
        raise RuleError(_("the rounding quantum must be more than zero"))
    # a multiple of the quantum (quantize alone would keep 0.10's two decimals and round to the cent)
    rounded = (value / quantum).quantize(Decimal(1), rounding=ROUNDING_MODES[mode]) * quantum
    minimum = Decimal(str(rule.params.get("minimum") or "0"))
    return max(rounded, minimum).quantize(CENT)


def bracket_rate(rule_id: str, base: Decimal, on: dt.date) -> tuple[Decimal, str]:
    """The flat rate of the bracket `base` falls in (upper bounds inclusive) and the rule's cite."""
    rule = in_force(rule_id, on)
    for upper, rate in rule["brackets"]:
        if upper is None or base <= Decimal(str(upper)):
            return Decimal(str(rate)), rule.cite
    raise RuleError(_("no bracket of %(rule)s covers %(base)s") % {"rule": rule.cite, "base": base})


def monthly_amount(*, category: str, base: Any = None, on: dt.date, amount: Any = None,
                   ordinary: str = DuesCategory.IN_SERVICE) -> tuple[Decimal, str]:
    """The monthly amount a category gives, and the cite of the rule that gave it.

    `base`: the monthly base (in service, retired; optional for hardship). `amount`: the amount asked for
    (farmer within the range; hardship; fixed). `ordinary`: for hardship, the category whose brackets give the
    ordinary amount the hardship amount must stay below (in service or retired)."""
    if category not in DuesCategory.values:
        raise RuleError(_("unknown dues category %(c)s") % {"c": category}, field="category")
    if category in (DuesCategory.IN_SERVICE, DuesCategory.RETIRED):
        if amount is not None:
            raise RuleError(_("the amount of this category is computed from the base: give no amount"),
                            field="amount")
        value = money(base, field="base", allow_zero=True)
        rate, cite = bracket_rate(f"dues.{category}", value, on)
        return round_amount(value * rate, on), cite
    if base is not None and category != DuesCategory.HARDSHIP:
        raise RuleError(_("this category has no base"), field="base")
    if category == DuesCategory.FARMER:
        rule = in_force("dues.farmer", on)
        low, high = Decimal(str(rule["min"])), Decimal(str(rule["max"]))
        value = Decimal(str(rule["default"])) if amount is None else money(amount)
        if not low <= value <= high:
            raise RuleError(_("a farmer pays %(min)s to %(max)s a month, not %(value)s")
                            % {"min": low, "max": high, "value": value}, field="amount")
        return value.quantize(CENT), rule.cite
    if category == DuesCategory.STUDENT_UNEMPLOYED_RELIEF:
        rule = in_force("dues.student_unemployed_relief", on)
        fixed = Decimal(str(rule["amount"])).quantize(CENT)
        if amount is not None and money(amount) != fixed:
            raise RuleError(_("this category pays %(amount)s a month") % {"amount": fixed}, field="amount")
        return fixed, rule.cite
    if category == DuesCategory.HARDSHIP:
        if amount is None:
            raise RuleError(_("a hardship assessment needs the reduced amount (0 for an exemption)"),
                            field="amount")
        value = money(amount, allow_zero=True)
        if base is not None:
            if ordinary not in (DuesCategory.IN_SERVICE, DuesCategory.RETIRED):
                ordinary = DuesCategory.IN_SERVICE
            usual, cite = monthly_amount(category=ordinary, base=base, on=on)
        else:
            usual, cite = monthly_amount(category=DuesCategory.STUDENT_UNEMPLOYED_RELIEF, on=on)
        if value >= usual:
            raise RuleError(_("a hardship amount must be below the ordinary %(usual)s a month (give the base, or "
                              "an amount below %(usual)s)") % {"usual": usual}, field="amount")
        return value, cite
    # fixed
    if amount is None:
        raise RuleError(_("a fixed assessment needs its amount"), field="amount")
    return money(amount), in_force("dues.cap", on).cite


def above_usual_max(amount: Decimal, on: dt.date) -> bool:
    return amount > Decimal(str(in_force("dues.cap", on)["usual_max_monthly"]))


def goes_to_centre(amount: Decimal, on: dt.date) -> bool:
    """A one-off voluntary payment of this amount goes whole to the centre."""
    return amount >= Decimal(str(in_force("dues.cap", on)["voluntary_to_centre"]))


# --- checks shared by the services and the importer ----------------------------------------------------------

def _check_date(day: Any, field: str) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise RuleError(_("a date is required"), field=field)
    if day > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": day}, field=field)
    return day


def _text(value: Any, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise RuleError(_("longer than %(n)d characters") % {"n": max_length}, field=field)
    return text


def receiving_org(member: Member, day: dt.date) -> Organization:
    """The branch that receives a member's dues on `day`: where the member belonged then."""
    period = MemberPeriod.objects.on(day).filter(member=member).select_related("org").first()
    if period is None:
        raise RuleError(_("%(name)s did not belong to any organization on %(date)s")
                        % {"name": member.name, "date": day}, field="paid_on")
    return period.org


@dataclass
class PaymentCheck:
    """What a regular or back payment would write (the result of `check_payment`)."""

    member: Member
    org: Organization
    paid_on: dt.date
    kind: str
    months: list[tuple[dt.date, Decimal]]  # (first of month, assessed amount), in order
    amount: Decimal
    back_months: int = 0
    many_back_months: bool = False
    already_paid: dict[dt.date, int] = field(default_factory=dict)  # month -> the payment that paid it


def _months(months: Iterable[Any]) -> list[dt.date]:
    out: list[dt.date] = []
    for m in months or ():
        if not isinstance(m, dt.date) or isinstance(m, dt.datetime):
            raise RuleError(_("months are given as dates (the first of each month)"), field="months")
        month = first_of_month(m)
        if month in out:
            raise RuleError(_("the month %(month)s is listed twice") % {"month": month_label(month)}, field="months")
        out.append(month)
    if not out:
        raise RuleError(_("a payment of monthly dues covers at least one month"), field="months")
    return sorted(out)


def check_payment(member: Member, *, paid_on: Any, months: Iterable[Any], amount: Any, kind: str = "regular",
                  allow_paid: bool = False, pending: dict[int, Decimal] | None = None) -> PaymentCheck:
    """Check a regular or back payment against the rules without writing. With `allow_paid` months already
    paid are reported in `already_paid` instead of refused (the importer uses it to spot a re-import).
    `pending`: monthly amounts by year of assessments about to be written before the payment (an import's)."""
    paid_on = _check_date(paid_on, "paid_on")
    if kind not in (PaymentKind.REGULAR, PaymentKind.BACK):
        raise RuleError(_("unknown payment kind %(kind)s") % {"kind": kind}, field="kind")
    wanted = _months(months)
    total = money(amount)
    org = receiving_org(member, paid_on)
    this_month = first_of_month(paid_on)
    latest = quarter_end_month(paid_on)
    for month in wanted:
        if month > latest:
            raise RuleError(_("%(month)s is beyond the quarter of the payment (%(date)s): paying ahead is allowed "
                              "up to %(latest)s") % {"month": month_label(month), "date": paid_on,
                                                     "latest": month_label(latest)}, field="months")
    years = {m.year for m in wanted}
    assessed = {a.year: a.monthly_amount
                for a in DuesAssessment.objects.filter(member=member, year__in=years)}
    assessed.update({y: a for y, a in (pending or {}).items() if y in years})
    missing = sorted(y for y in years if y not in assessed)
    if missing:
        raise RuleError(_("%(name)s has no dues assessment for %(year)s") % {"name": member.name, "year": missing[0]},
                        field="months")
    periods = list(MemberPeriod.objects.filter(member=member, org=org, start__lte=add_months(wanted[-1], 1))
                   .values_list("start", "end"))
    for month in wanted:
        following = add_months(month, 1)
        if not any(start < following and (end is None or end > month) for start, end in periods):
            raise RuleError(_("%(name)s did not belong to %(org)s in %(month)s")
                            % {"name": member.name, "org": org.name, "month": month_label(month)}, field="months")
    lines = [(m, assessed[m.year]) for m in wanted]
    expected = sum((a for _m, a in lines), Decimal("0.00"))
    if expected == 0:
        raise RuleError(_("nothing is owed for these months (assessed at 0.00)"), field="months")
    if total != expected:
        raise RuleError(_("the amount %(amount)s does not equal the %(expected)s assessed for %(months)s")
                        % {"amount": total, "expected": expected,
                           "months": ", ".join(month_label(m) for m in wanted)}, field="amount")
    back = sum(1 for m in wanted if m < this_month)
    if kind == PaymentKind.BACK and not back:
        raise RuleError(_("a back payment covers months before the month of payment"), field="kind")
    usual = int(in_force("dues.back_payment", paid_on)["usual_max_months"])
    paid = dict(DuesMonth.objects.filter(member=member, month__in=wanted).values_list("month", "payment_id"))
    if paid and not allow_paid:
        raise _already_paid(member, min(paid))
    return PaymentCheck(member=member, org=org, paid_on=paid_on, kind=PaymentKind.BACK if back else PaymentKind.REGULAR,
                        months=lines, amount=total, back_months=back, many_back_months=back > usual,
                        already_paid=paid)


def _already_paid(member: Member, month: dt.date) -> RuleError:
    return RuleError(_("%(name)s has already paid the dues of %(month)s")
                     % {"name": member.name, "month": month_label(month)}, field="months")


def _payment_extras(channel: str, paid_by: str, receipt: str, note: str) -> dict[str, str]:
    if channel not in Channel.values:
        raise RuleError(_("unknown payment channel %(c)s") % {"c": channel}, field="channel")
    return {"channel": channel, "paid_by": _text(paid_by, "paid_by", 50), "receipt": _text(receipt, "receipt", 60),
            "note": _text(note, "note", 300)}


# --- the services ----------------------------------------------------------------------------------------------

@transaction.atomic
def assess(member: Member, *, year: int, category: str, base: Any = None, amount: Any = None, approval: str = "",
           on: dt.date, version: Any = None) -> DuesAssessment:
    """Set what a member owes a month in `year` (replacing that year's assessment if there is one).
    `version`: that of the assessment the page was opened on (0 or blank: it showed none); a replacement is
    refused (StaleVersionError, naming who changed what) when the assessment changed since, or was made since a
    page that showed none. None checks nothing: the bulk paths (`dues_assess_year`, the importer), which plan and
    write in one transaction, and the API."""
    require_write_member(member)
    on = _check_date(on, "on")
    if not isinstance(year, int) or isinstance(year, bool) or not 1950 <= year <= today().year + 1:
        raise RuleError(_("%(year)s is not a year dues can be assessed for") % {"year": year}, field="year")
    approval = _text(approval, "approval", 200)
    if category in (DuesCategory.HARDSHIP, DuesCategory.FIXED) and not approval:
        raise RuleError(_("a hardship or fixed amount needs the approval written down"), field="approval")
    ordinary = DuesCategory.RETIRED if member.occupation == Occupation.RETIRED else DuesCategory.IN_SERVICE
    value, cite = monthly_amount(category=category, base=base, on=on, amount=amount, ordinary=ordinary)
    base_value = money(base, field="base", allow_zero=True) if base is not None else None
    existing = DuesAssessment.objects.select_for_update().filter(member=member, year=year).first()
    if existing is not None:
        check_version(existing, version)  # a new assessment has nothing to be stale against
    before = audit.snapshot(existing, ASSESSMENT_FIELDS) if existing else None
    assessment = existing or DuesAssessment(member=member, year=year)
    assessment.category = category
    assessment.base = base_value
    assessment.monthly_amount = value
    assessment.rule = cite
    assessment.approval = approval
    assessment.assessed_on = on
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        raise RuleError(_("%(name)s was assessed for %(year)s meanwhile: reload and try again")
                        % {"name": member.name, "year": year}, field="year") from None
    extra: dict[str, Any] = {"rule": cite}
    if above_usual_max(value, on):
        extra["above_usual_max"] = in_force("dues.cap", on).cite
    audit.record("dues.reassess" if existing else "dues.assess", assessment, before=before,
                 after=audit.snapshot(assessment, ASSESSMENT_FIELDS), org_id=member.org_id, extra=extra)
    return assessment


@transaction.atomic
def record_payment(member: Member, *, paid_on: dt.date, months: list[dt.date], amount: Any, kind: str = "regular",
                   channel: str = "cash", paid_by: str = "", receipt: str = "", note: str = "") -> DuesPayment:
    """Record a payment of monthly dues covering `months` (a back payment when some precede the month of
    payment). A voluntary payment goes to `record_voluntary`."""
    if kind == PaymentKind.VOLUNTARY:
        if months:
            raise RuleError(_("a voluntary payment covers no month"), field="months")
        return record_voluntary(member, paid_on=paid_on, amount=amount, channel=channel, paid_by=paid_by,
                                receipt=receipt, note=note)
    require_write_member(member)
    extras = _payment_extras(channel, paid_by, receipt, note)
    check = check_payment(member, paid_on=paid_on, months=months, amount=amount, kind=kind)
    require_write_org(check.org)
    try:
        with transaction.atomic():  # a savepoint: the unique month is the guard against a concurrent twin
            payment = DuesPayment.objects.create(member=member, org=check.org, paid_on=check.paid_on,
                                                 amount=check.amount, kind=check.kind, **extras)
            DuesMonth.objects.bulk_create([DuesMonth(payment=payment, member=member, month=m, amount=a)
                                           for m, a in check.months])
    except IntegrityError:
        taken = (DuesMonth.objects.filter(member=member, month__in=[m for m, _a in check.months])
                 .order_by("month").values_list("month", flat=True).first())
        raise _already_paid(member, taken or check.months[0][0]) from None
    extra: dict[str, Any] = {"months": [month_label(m) for m, _a in check.months]}
    if check.back_months:
        extra["back_months"] = check.back_months
    if check.many_back_months:
        extra["more_back_months_than_usual"] = in_force("dues.back_payment", check.paid_on).cite
    audit.record(f"dues.payment.{check.kind}", payment, after=audit.snapshot(payment, PAYMENT_FIELDS),
                 org_id=check.org.pk, extra=extra)
    return payment


@transaction.atomic
def record_voluntary(member: Member, *, paid_on: dt.date, amount: Any, channel: str = "cash", paid_by: str = "",
                     receipt: str = "", note: str = "") -> DuesPayment:
    """A one-off voluntary payment (no months); 1000 yuan or more goes whole to the centre."""
    require_write_member(member)
    extras = _payment_extras(channel, paid_by, receipt, note)
    paid_on = _check_date(paid_on, "paid_on")
    value = money(amount)
    org = receiving_org(member, paid_on)
    require_write_org(org)
    payment = DuesPayment.objects.create(member=member, org=org, paid_on=paid_on, amount=value,
                                         kind=PaymentKind.VOLUNTARY, **extras)
    extra: dict[str, Any] = {}
    if goes_to_centre(value, paid_on):
        extra["to_centre"] = in_force("dues.cap", paid_on).cite
    audit.record("dues.payment.voluntary", payment, after=audit.snapshot(payment, PAYMENT_FIELDS), org_id=org.pk,
                 extra=extra or None)
    return payment


@transaction.atomic
def record_remittance(org: Organization, *, remitted_on: dt.date, period_start: dt.date, period_end: dt.date,
                      amount: Any, to_org: Organization | None = None, note: str = "") -> Remittance:
    """Dues handed up from `org` to a higher organization (by default its parent)."""
    require_write_org(org)
    remitted_on = _check_date(remitted_on, "remitted_on")
    if not isinstance(period_start, dt.date) or not isinstance(period_end, dt.date):
        raise RuleError(_("a date is required"), field="period_start")
    if period_end < period_start:
        raise RuleError(_("the period ends before it starts"), field="period_end")
    if period_start > remitted_on:
        raise RuleError(_("the period starts after the remittance"), field="period_start")
    value = money(amount)
    if to_org is None:
        to_org = org.get_parent()
    elif not (org.path.startswith(to_org.path) and to_org.pk != org.pk):
        raise RuleError(_("dues are remitted to a higher organization of %(org)s") % {"org": org.name},
                        field="to_org")
    remittance = Remittance.objects.create(org=org, to_org=to_org, remitted_on=remitted_on, period_start=period_start,
                                           period_end=period_end, amount=value, note=_text(note, "note", 300))
    audit.record("dues.remittance", remittance, org_id=org.pk,
                 after=audit.snapshot(remittance, ("org", "to_org", "remitted_on", "period_start", "period_end",
                                                   "amount", "note")))
    return remittance


# --- a branch's year in one step --------------------------------------------------------------------------------
# The dues category a member's occupation gives by default (the user may choose another for anyone).
OCCUPATION_CATEGORY: dict[str, str] = {
    Occupation.IN_SERVICE: DuesCategory.IN_SERVICE,
    Occupation.RETIRED: DuesCategory.RETIRED,
    Occupation.FARMER: DuesCategory.FARMER,
    Occupation.STUDENT: DuesCategory.STUDENT_UNEMPLOYED_RELIEF,
    Occupation.UNEMPLOYED_OR_DEMOBILIZED: DuesCategory.STUDENT_UNEMPLOYED_RELIEF,
    Occupation.FREELANCE: DuesCategory.IN_SERVICE,  # on their monthly income
    Occupation.OTHER: DuesCategory.IN_SERVICE,
}
BASED = (DuesCategory.IN_SERVICE, DuesCategory.RETIRED)  # the categories whose amount comes from a base
ASKED = (DuesCategory.FARMER, DuesCategory.HARDSHIP, DuesCategory.FIXED)  # those that may take an amount


def category_for_occupation(occupation: str) -> str:
    return OCCUPATION_CATEGORY.get(occupation, DuesCategory.IN_SERVICE)


def assessment_day(year: int) -> dt.date:
    """The day a year's assessment is made as of: the first of January of a past or the current year (the
    amounts fixed at the start of the year, by the rules then in force), today for next year."""
    return min(dt.date(year, 1, 1), today()) if year <= today().year else today()


def year_members(org: Organization, year: int) -> list[tuple[Member, str]]:
    """The members of `org`'s subtree at any time in `year` whom the acting user may change, each with their
    occupation in the year (that of their latest period in it), by name."""
    from grassroots.access.scope import current_scope

    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    writable = current_scope().members(write=True).values("pk")
    periods = (MemberPeriod.objects.filter(org__path__startswith=org.path, start__lt=end, member__in=writable)
               .exclude(end__isnull=False, end__lte=start).select_related("member").order_by("member_id", "start"))
    latest: dict[int, tuple[Member, str]] = {}
    for period in periods:
        latest[period.member_id] = (period.member, period.occupation)
    return sorted(latest.values(), key=lambda pair: (pair[0].name, pair[0].pk))


@dataclass
class YearEntry:
    """What the user chose for one member: the category and the base (or the amount where the category takes
    one), and the approval of a hardship or fixed amount."""

    category: str
    base: Any = None
    amount: Any = None
    approval: str = ""


@dataclass
class YearLine:
    """One member's line of the year's preview: what they will owe a month, or why not."""

    member: Member
    occupation: str
    entry: YearEntry
    existing: DuesAssessment | None
    action: str  # create, replace, keep (assessed already, kept), unchanged (assessed already the same)
    monthly_amount: Decimal | None = None
    rule: str = ""
    error: str = ""
    error_field: str = ""

    @property
    def writes(self) -> bool:
        return self.action in ("create", "replace")


def default_entry(occupation: str, existing: DuesAssessment | None, last: DuesAssessment | None) -> YearEntry:
    """The preview's starting point for a member: the year's assessment (`existing`) if there is one, else the
    category the occupation gives with last year's base (or amount) when last year's assessment (`last`) had
    the same category."""
    if existing is not None:
        asked = existing.monthly_amount if existing.category in ASKED else None
        return YearEntry(existing.category, existing.base, asked, existing.approval)
    category = category_for_occupation(occupation)
    if last is None or last.category != category:
        return YearEntry(category)
    return YearEntry(category, last.base if category in BASED else None,
                     last.monthly_amount if category in ASKED else None, last.approval)


def plan_assess_year(org: Organization, year: int, entries: dict[int, YearEntry] | None = None, *,
                     overwrite: bool = False, on: dt.date | None = None) -> list[YearLine]:
    """The preview of `dues_assess_year`: every member of the branch that year with the category and base
    chosen (`entries`, by member id; else `default_entry`), the monthly amount the rules give, and what would
    happen. Writes nothing."""
    if not isinstance(year, int) or isinstance(year, bool) or not 1950 <= year <= today().year + 1:
        raise RuleError(_("%(year)s is not a year dues can be assessed for") % {"year": year}, field="year")
    day = on or assessment_day(year)
    members = year_members(org, year)
    ids = [m.pk for m, _o in members]
    existing = {a.member_id: a for a in DuesAssessment.objects.filter(year=year, member__in=ids)}
    last_year = {a.member_id: a for a in DuesAssessment.objects.filter(year=year - 1, member__in=ids)}
    ordinary_of = {m.pk: (DuesCategory.RETIRED if occ == Occupation.RETIRED else DuesCategory.IN_SERVICE)
                   for m, occ in members}
    lines: list[YearLine] = []
    for member, occupation in members:
        before = existing.get(member.pk)
        entry = (entries or {}).get(member.pk) or default_entry(occupation, before, last_year.get(member.pk))
        line = YearLine(member, occupation, entry, before, "create")
        try:
            base = entry.base if entry.category in BASED or entry.category == DuesCategory.HARDSHIP else None
            base = None if base is None or (isinstance(base, str) and not base.strip()) else base
            if entry.category in BASED and base is None:
                raise RuleError(_("the monthly base is required for this category"), field="base")
            amount = entry.amount if entry.category in ASKED else None
            amount = None if amount is None or (isinstance(amount, str) and not amount.strip()) else amount
            if entry.category in (DuesCategory.HARDSHIP, DuesCategory.FIXED) and not (entry.approval or "").strip():
                raise RuleError(_("a hardship or fixed amount needs the approval written down"), field="approval")
            line.monthly_amount, line.rule = monthly_amount(category=entry.category, base=base, on=day,
                                                            amount=amount, ordinary=ordinary_of[member.pk])
            entry.base = money(base, field="base", allow_zero=True) if base is not None else None
            entry.amount = amount
        except RuleError as exc:
            line.error, line.error_field = exc.message, exc.field or ""
        if before is not None:
            same = (before.category == entry.category and before.base == entry.base
                    and before.monthly_amount == line.monthly_amount)
            line.action = "unchanged" if same else ("replace" if overwrite else "keep")
            if line.action != "replace":
                line.error = line.error_field = ""  # kept as it is: nothing to check
        lines.append(line)
    return lines


@transaction.atomic
def dues_assess_year(org: Organization, year: int, entries: dict[int, YearEntry] | None = None, *,
                     overwrite: bool = False, on: dt.date | None = None) -> list[DuesAssessment]:
    """Assess a branch's year in one step: every member of `org`'s subtree that year, from the category and
    base chosen for each (by default the occupation's category and last year's base); members already assessed
    for the year are kept unless `overwrite`. All or nothing: one member's error refuses the whole, naming them.
    Each assessment is `assess`'s (audited one by one), and the step itself is audited with its counts."""
    require_write_org(org)
    day = _check_date(on or assessment_day(year), "on")
    lines = plan_assess_year(org, year, entries, overwrite=overwrite, on=day)
    for line in lines:
        if line.error and line.writes:
            raise RuleError(_("%(name)s: %(message)s") % {"name": line.member.name, "message": line.error},
                            field=line.error_field or "category")
    written: list[DuesAssessment] = []
    for line in lines:
        if line.writes:
            written.append(assess(line.member, year=year, category=line.entry.category, base=line.entry.base,
                                  amount=line.entry.amount, approval=line.entry.approval, on=day))
    counts = {action: sum(1 for line in lines if line.action == action)
              for action in ("create", "replace", "keep", "unchanged")}
    audit.record("dues.assess_year", org, org_id=org.pk,
                 extra={"year": year, "on": day.isoformat(), "overwrite": overwrite, **counts})
    return written
