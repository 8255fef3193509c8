"""Party dues pages: a branch's monthly ledger with the period's totals and the writers' forms (assess a
member's year, record a payment, record a remittance), a member's yearly statement (printable), and the
import of a branch's payment sheet (a dry run first, then confirm).

Thin: organizations and members are read through `scope_for(request.user)` (out of scope: 404), figures
come from `grassroots.dues.selectors`, and every write goes through `grassroots.dues.services` or the dues
importer: a RuleError goes back onto the form; a refusal (PermissionDeniedError) is left to
`grassroots.ui.errors.DomainErrorMiddleware`, which answers 403 with its reason. The forms are in `forms.py`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.dues import importer as dues_importer
from grassroots.dues import selectors as dues_selectors
from grassroots.dues import services as dues_services
from grassroots.dues.forms import AssessForm, PaymentForm, RemittanceForm
from grassroots.dues.models import DuesAssessment, DuesCategory, PaymentKind
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui import xlsx
from grassroots.ui.forms import query_int, rule_error_on_form
from grassroots.ui.imports import ImportFlow

# --- the ledger ----------------------------------------------------------------------------------

def _branch_members(scope: Scope, org: Organization) -> QuerySet[Member]:
    """The members of org's subtree today that the user may write."""
    return scope.members(write=True).filter(org__path__startswith=org.path).order_by("name", "pk")


def _monthly_amounts(members: QuerySet[Member], year: int) -> dict[str, str]:
    """member id -> that year's assessed monthly amount (for the payment form's running sum)."""
    qs = DuesAssessment.objects.filter(year=year, member__in=members).values_list("member_id", "monthly_amount")
    return {str(pk): str(amount) for pk, amount in qs}


def _payment_amount(member: Member, months: list[dt.date]) -> Decimal:
    """The sum of the assessed monthly amounts of `months` (what a regular payment must come to)."""
    amounts = dict(DuesAssessment.objects.filter(member=member, year__in={m.year for m in months})
                   .values_list("year", "monthly_amount"))
    return sum((amounts.get(m.year, Decimal(0)) for m in months), Decimal(0))


@login_required
@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    year = query_int(request, "year", today.year, 1990, 2100)
    month = query_int(request, "month", today.month if year == today.year else 12, 1, 12)
    can_write = scope.can_write_org(org) and org.revoked_on is None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not can_write:
        raise PermissionDenied(_("You may not record dues here."))

    members = _branch_members(scope, org) if can_write else Member.objects.none()
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    assess_form = AssessForm(prefix="assess", members=members, initial=_assess_initial(request, members, year))
    payment_form = PaymentForm(prefix="pay", members=members, months=months,
                               initial={"paid_on": today.isoformat(), "kind": PaymentKind.REGULAR})
    period_start, period_end = dues_selectors.month_span(dt.date(year, month, 1))
    remit_form = RemittanceForm(prefix="remit", initial={"remitted_on": today.isoformat(),
                                                         "period_start": period_start.isoformat(),
                                                         "period_end": period_end.isoformat()})
    if action:
        done, bound = _ledger_write(request, org, action, members, months)
        if bound is None:
            raise BadRequest  # an unknown action: the 400 page
        if done:
            messages.success(request, done)
            return redirect(f"{reverse('dues-ledger', args=[org.code])}?year={year}&month={month}")
        if action == "assess":
            assess_form = bound  # type: ignore[assignment]
        elif action == "pay":
            payment_form = bound  # type: ignore[assignment]
        else:
            remit_form = bound  # type: ignore[assignment]

    rows = dues_selectors.ledger(org, year, month)
    if not action and xlsx.wanted(request):
        return _ledger_xlsx(org, year, month, rows)
    totals_month = dues_selectors.totals(org, period_start, period_end)
    totals_year = dues_selectors.totals(org, *dues_selectors.year_to_date(year, today))
    return render(request, "dues/dues_ledger.html", {
        "org": org, "year": year, "month": month, "period_start": period_start, "period_end": period_end,
        "rows": rows, "paid_count": sum(1 for r in rows if r.month_paid),
        "totals": [(_("This month"), totals_month), (_("The year to date"), totals_year)],
        "can_write": can_write, "assess_form": assess_form, "payment_form": payment_form,
        "remit_form": remit_form, "action": action or ("assess" if "member" in assess_form.initial else ""),
        "monthly_amounts": _monthly_amounts(members, year) if can_write else {},
        "month_choices": [(m, dt.date(year, m, 1)) for m in range(1, 13)],
        "export_query": xlsx.export_query(request),
    }, status=400 if action else 200)


def _ledger_xlsx(org: Organization, year: int, month: int, rows: list[Any]) -> HttpResponse:
    """The ledger's members table: the month's state as on the page (paid, unpaid, or nothing owed)."""
    def state(r: Any) -> str:
        if r.month_paid:
            return _("Paid")
        return _("Unpaid") if r.monthly_amount else ""

    headers = [_("Name"), _("Monthly amount"), _("This month"), _("Paid on"), _("Received this month"),
               _("In this branch this month")]
    data = [[r.name, None if r.monthly_amount is None else float(r.monthly_amount), state(r), r.month_paid_on,
             float(r.received) if r.received else None, _("yes") if r.belonged else _("no")] for r in rows]
    return xlsx.export(_("Dues ledger"), headers, data[:xlsx.LIMIT],
                       name=xlsx.filename("dues", org.code, suffix=f"{year}{month:02d}"), org=org,
                       filters=[(_("Year"), year), (_("Month"), month)], total=len(data))


def _assess_initial(request: HttpRequest, members: QuerySet[Member], year: int) -> dict[str, Any]:
    """The assessment form as opened from a ledger row (`?assess=<member id>`): the member's assessment for the
    year as it stands, with its version (a change saved by someone else since is refused); else just the year."""
    initial: dict[str, Any] = {"year": year}
    member_id = query_int(request, "assess", 0, 0, 2**31 - 1)
    member = members.filter(pk=member_id).first() if member_id else None
    if member is None:
        return initial
    initial["member"] = member.pk
    a = DuesAssessment.objects.filter(member=member, year=year).first()
    if a is not None:
        computed = a.category in (DuesCategory.IN_SERVICE, DuesCategory.RETIRED)
        initial.update(category=a.category, base=a.base, amount=None if computed else a.monthly_amount,
                       approval=a.approval, version=a.version)
    return initial


def _ledger_write(request: HttpRequest, org: Organization, action: str, members: QuerySet[Member],
                  months: list[dt.date]) -> tuple[str, forms.Form | None]:
    """Run the posted form's service: the success message ("" when the form has errors) and the bound form
    (None for an unknown action)."""
    svc = dues_services
    today = timezone.localdate()
    form: forms.Form
    if action == "assess":
        form = AssessForm(request.POST, prefix="assess", members=members)
    elif action == "pay":
        form = PaymentForm(request.POST, prefix="pay", members=members, months=_posted_months(request, months))
    elif action == "remit":
        form = RemittanceForm(request.POST, prefix="remit")
    else:
        return "", None
    if not form.is_valid():
        return "", form
    d = form.cleaned_data
    try:
        if action == "assess":
            assessment = svc.assess(d["member"], year=d["year"], category=d["category"], base=d.get("base"),
                                    amount=d.get("amount"), approval=d.get("approval", "").strip(), on=today,
                                    version=d.get("version") or 0)  # blank: the form showed no assessment
            return _("Assessed %(name)s for %(year)s: %(amount)s yuan a month.") % {
                "name": d["member"].name, "year": d["year"], "amount": assessment.monthly_amount}, form
        if action == "pay":
            amount = d.get("amount") or _payment_amount(d["member"], d["months"])
            payment = svc.record_payment(d["member"], paid_on=d["paid_on"], months=d["months"], amount=amount,
                                         kind=d["kind"], channel=d["channel"], paid_by=d.get("paid_by", ""),
                                         receipt=d.get("receipt", ""), note=d.get("note", ""))
            return _("Payment of %(amount)s yuan by %(name)s recorded.") % {
                "amount": payment.amount, "name": d["member"].name}, form
        remittance = svc.record_remittance(org, remitted_on=d["remitted_on"], period_start=d["period_start"],
                                           period_end=d["period_end"], amount=d["amount"],
                                           note=d.get("note", "").strip())
        return _("Remittance of %(amount)s yuan recorded.") % {"amount": remittance.amount}, form
    except PermissionDeniedError:
        raise  # not a mistake on the form: the middleware answers 403 with the reason
    except RuleError as exc:
        rule_error_on_form(form, exc, {"on": "paid_on"})
        return "", form


def _posted_months(request: HttpRequest, months: list[dt.date]) -> list[dt.date]:
    """The year's months plus any other month posted (a back payment reaching into the year before)."""
    extra = set()
    for value in request.POST.getlist("pay-months"):
        try:
            extra.add(dt.date.fromisoformat(value).replace(day=1))
        except ValueError:
            continue
    return sorted(set(months) | extra)


# --- a member's statement ----------------------------------------------------------------------------

@login_required
@require_GET
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    year = query_int(request, "year", timezone.localdate().year, 1990, 2100)
    data = dues_selectors.statement(member, year)
    return render(request, "dues/dues_statement.html", {
        "member": member, "year": year, "data": data, "today": timezone.localdate(),
        "can_read_org": member.org is not None and scope.can_read_org(member.org),
    })


# --- import -----------------------------------------------------------------------------------------

def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    """The dry run of a branch's sheet: every row must name a member of `org`'s subtree."""
    with saved.open("rb") as fileobj:
        return dues_importer.plan_import(fileobj, filename, within=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Record"), "update": _("Change the assessment"),
            "unchanged": _("Unchanged (already recorded)")}


def _describe(r: PlannedRow) -> dict[str, Any]:
    """One row of the preview, as JSON keeps it (dates and money as text)."""
    months = r.values.get("months") or []
    paid_on = r.values.get("paid_on")
    assessment = r.values.get("assessment")
    out: dict[str, Any] = {
        "row": r.row, "action": r.action, "name": r.name,
        "id_number_masked": r.id_number_masked, "has_payment": "paid_on" in r.values,
        "paid_on": paid_on.isoformat() if paid_on else "", "amount": r.values.get("amount"),
        "months": [f"{m:%Y-%m}" for m in months], "channel": r.values.get("channel", ""), "assessment": None}
    if assessment:
        before = assessment.get("before")
        out["assessment"] = {
            "year": assessment.get("year"), "category": str(DuesCategory(assessment["category"]).label),
            "base": assessment.get("base"), "monthly_amount": assessment.get("monthly_amount"),
            "before": before if before is not None and before != assessment.get("monthly_amount") else None}
    return out


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "dues/dues_import.html", {"org": org, "form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    if counts.get("assessed"):  # the file set a year's assessments (dues.importer.has_assessments)
        return _("Imported: %(created)s rows of assessments and payments recorded, %(updated)s assessments changed, "
                 "%(unchanged)s already recorded.") % {
            "created": counts.get("create", 0), "updated": counts.get("update", 0),
            "unchanged": counts.get("unchanged", 0)}
    return _("Imported: %(created)s payments recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("dues-ledger", kwargs={"code": job.org.code}), _("Dues ledger")


IMPORT = ImportFlow(path="grassroots.dues.views.IMPORT", title=_lazy("Import a payment sheet"), prefix="dues-",
                    url_name="dues-import", plan=_plan, apply=dues_importer.apply_import, describe=_describe,
                    rows_template="dues/_import_rows.html", upload_page=_upload_page, labels=_labels,
                    summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def dues_import(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not import dues here."))
    return IMPORT.handle(request, org)


# --- the year's assessments in one step ------------------------------------------------------------------

def _posted_entries(request: HttpRequest, lines: list[dues_services.YearLine]
                    ) -> tuple[dict[int, dues_services.YearEntry], dict[int, str]]:
    """Each member's posted category, base, amount and approval (fields `m<pk>-category` ...), and the cells
    that are not amounts at all (by member id)."""
    entries: dict[int, dues_services.YearEntry] = {}
    problems: dict[int, str] = {}
    for line in lines:
        pk = line.member.pk
        category = request.POST.get(f"m{pk}-category", line.entry.category)
        if category not in DuesCategory.values:
            problems[pk] = _("unknown dues category %(c)s") % {"c": category[:40]}
            continue
        values: dict[str, Any] = {}
        for name in ("base", "amount"):
            text = request.POST.get(f"m{pk}-{name}", "").strip().replace(",", "")
            if not text:
                values[name] = None
                continue
            try:
                values[name] = Decimal(text)
            except ArithmeticError:
                problems[pk] = _("%(value)s is not an amount") % {"value": text[:40]}
                break
        if pk in problems:
            continue
        entries[pk] = dues_services.YearEntry(category, values["base"], values["amount"],
                                              request.POST.get(f"m{pk}-approval", "").strip()[:200])
    return entries, problems


@login_required
@require_http_methods(["GET", "POST"])
def assess_year(request: HttpRequest, code: str) -> HttpResponse:
    """Every member of the branch that year, with the category their occupation gives (or the one chosen) and
    their base: a preview of what each will owe a month, then one confirmation for all (members already
    assessed kept unless the user chooses to overwrite them). Auditors and outsiders are refused."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org) or org.revoked_on is not None:
        raise PermissionDenied(_("You may not assess dues here."))
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    try:
        year = int(data.get("year", today.year))
    except ValueError:
        year = today.year
    if not 1950 <= year <= today.year + 1:
        year = today.year
    overwrite = data.get("overwrite") in ("on", "1", "true")
    lines = dues_services.plan_assess_year(org, year, overwrite=overwrite)
    problems: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        entries, problems = _posted_entries(request, lines)
        lines = dues_services.plan_assess_year(org, year, entries, overwrite=overwrite)
        if request.POST.get("step") == "confirm" and not problems:
            try:
                written = dues_services.dues_assess_year(org, year, entries, overwrite=overwrite)
            except RuleError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("Assessed %(n)d members for %(year)s.") % {"n": len(written),
                                                                                       "year": year})
                return redirect(f"{reverse('dues-ledger', args=[org.code])}?year={year}")
        elif problems or any(line.error and line.writes for line in lines):
            status = 400 if request.POST.get("step") == "confirm" else 200
    counts = {action: sum(1 for line in lines if line.action == action)
              for action in ("create", "replace", "keep", "unchanged")}
    rows = [{"line": line, "problem": problems.get(line.member.pk, "") or (line.error if line.writes else ""),
             "total": line.monthly_amount * 12 if line.monthly_amount is not None else None} for line in lines]
    return render(request, "dues/dues_assess_year.html", {
        "org": org, "year": year, "overwrite": overwrite, "rows": rows, "counts": counts,
        "categories": DuesCategory.choices, "previewed": request.method == "POST",
        "has_errors": any(r["problem"] for r in rows),
        "month_total": sum((line.monthly_amount for line in lines if line.writes and line.monthly_amount is not None),
                           Decimal("0.00")),
    }, status=status)
