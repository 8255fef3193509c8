"""The Transfers page: pending incoming transfers to accept or return, pending outgoing ones to cancel (or, for
an organization outside the platform, to confirm), recent decisions, and a form to start a transfer.

Mounted at /transfers/ by grassroots/members/urls.py. Reads come from the user's `Scope`; every write goes through
`grassroots.members.transfers`. A refusal reaches the middleware (403); a broken rule is shown on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.members import transfers as transfer_services
from grassroots.members.forms import DecisionForm, TransferStartForm
from grassroots.members.models import Member, Standing, TransferState
from grassroots.ui import xlsx
from grassroots.ui.forms import write_on_form

RECENT = 50


def _writable_members(scope: Scope) -> QuerySet[Member]:
    return (scope.members(write=True).filter(standing=Standing.ACTIVE, org__isnull=False)
            .select_related("org").order_by("org__path", "name", "pk"))


def _page(request: HttpRequest, scope: Scope, form: TransferStartForm) -> HttpResponse:
    writable = scope.orgs(write=True).values("pk")
    visible = scope.transfers().select_related("member", "from_org", "to_org")
    pending = visible.filter(state=TransferState.PENDING).order_by("requested_on", "id")
    incoming = list(pending.filter(to_org__in=writable))
    outgoing = list(pending.filter(from_org__in=writable))
    shown = {t.pk for t in incoming + outgoing}
    context = {
        "form": form,
        "can_start": form.fields["member"].queryset.exists(),  # type: ignore[attr-defined]
        "incoming": incoming,
        "outgoing": outgoing,
        "other_pending": [t for t in pending if t.pk not in shown],
        "recent": visible.exclude(state=TransferState.PENDING).order_by("-decided_on", "-id")[:RECENT],
        "today": timezone.localdate(),
        "export_query": xlsx.export_query(request),
    }
    return render(request, "members/transfers.html", context)


def _transfers_xlsx(scope: Scope) -> HttpResponse:
    """The page's lists in one table: the pending transfers (incoming, outgoing, others: as the page sorts them),
    then the decided ones, newest first (all of them up to the limit, where the page shows the latest RECENT)."""
    writable = set(scope.orgs(write=True).values_list("pk", flat=True))
    visible = scope.transfers().select_related("member", "from_org", "to_org")
    pending = list(visible.filter(state=TransferState.PENDING).order_by("requested_on", "id")[:xlsx.LIMIT])
    sections = [(_("Waiting for you to accept"), [t for t in pending if t.to_org_id in writable])]
    sections.append((_("Sent by you, pending"), [t for t in pending if t.from_org_id in writable
                                                  and t.to_org_id not in writable]))
    shown = {t.pk for _label, ts in sections for t in ts}
    sections.append((_("Other pending transfers"), [t for t in pending if t.pk not in shown]))
    decided = visible.exclude(state=TransferState.PENDING).order_by("-decided_on", "-id")
    sections.append((_("Recently decided"), list(decided[:xlsx.LIMIT])))
    headers = [_("List"), _("Member"), _("From"), _("To"), _("Requested on"), _("Letter"), _("State"),
               _("Decided on"), _("Reason")]
    rows = [[label, t.member.name, t.from_org.name if t.from_org else "",
             t.to_org.name if t.to_org else t.to_outside, t.requested_on, t.letter_number, t.get_state_display(),
             t.decided_on, t.reason]
            for label, ts in sections for t in ts]
    total = visible.count()
    return xlsx.export(_("Transfers"), headers, rows[:xlsx.LIMIT], name=xlsx.filename("transfers"), total=total)


@login_required
@require_http_methods(["GET", "POST"])
def transfers(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    members = _writable_members(scope)
    if request.method == "POST":
        if not members.exists():
            raise PermissionDenied(_("You may not transfer any member."))
        form = TransferStartForm(request.POST, members=members)
        if form.is_valid():
            data = form.cleaned_data
            transfer = write_on_form(form, lambda: transfer_services.transfer_request(
                data["member"], to_org=data["to_org"], to_outside=data["to_outside"], on=data["on"],
                reason=data["reason"], letter_number=data["letter_number"]))
            if transfer is not None:
                messages.success(request, _("Transfer of %(name)s requested; it waits for the receiving side.")
                                 % {"name": transfer.member.name})
                return redirect("transfers")
    else:
        if xlsx.wanted(request):
            return _transfers_xlsx(scope)
        form = TransferStartForm(members=members)
    return _page(request, scope, form)


def _decide(request: HttpRequest, pk: int, fn: Any, done: str, *, with_reason: bool = False) -> HttpResponse:
    transfer = get_object_or_404(scope_for(request.user).transfers().select_related("member"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a date such as 2019-12-31."))
        return redirect("transfers")
    kwargs: dict[str, Any] = {"on": form.cleaned_data["on"]}
    if with_reason:
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        fn(transfer, **kwargs)
    except PermissionDeniedError:
        raise  # the middleware answers 403 with the reason
    except RuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"name": transfer.member.name})
    return redirect("transfers")


@login_required
@require_POST
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, transfer_services.transfer_accept, _("Transfer of %(name)s accepted."))


@login_required
@require_POST
def transfer_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, transfer_services.transfer_return, _("Transfer of %(name)s returned."),
                   with_reason=True)


@login_required
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, transfer_services.transfer_cancel, _("Transfer of %(name)s cancelled."))
