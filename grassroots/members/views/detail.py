"""A member's page: the record, its events and periods, its audit entries, and the logged reveals."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.members import services as member_services
from grassroots.members.models import Member
from grassroots.members.selectors import events_shown
from grassroots.ui.links import member_links

REVEALABLE = ("id_number", "phone")


def _member_for(request: HttpRequest, pk: int) -> tuple[Scope, Member]:
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org", "party_group"), pk=pk)
    return scope, member


def _member_page(request: HttpRequest, scope: Scope, member: Member,
                 revealed: dict[str, str] | None = None) -> HttpResponse:
    can_reveal = scope.can_reveal(member)
    context = {
        "member": member,
        "can_reveal": can_reveal,
        "can_write": scope.can_write_member(member),
        "module_links": member_links(member, can_write=scope.can_write_member(member)),
        "can_read_org": member.org is not None and scope.can_read_org(member.org),
        "revealed": revealed or {},
        "events": events_shown(member, reveal=can_reveal),
        "periods": member.periods.select_related("org").order_by("start"),
        "audit": scope.audit_entries().filter(object_type="members.member", object_id=str(member.pk))[:200],
    }
    return render(request, "members/member_detail.html", context)


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, member = _member_for(request, pk)
    return _member_page(request, scope, member)


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The full value, logged by the service (a refusal reaches the middleware: 403 with its reason)."""
    if field not in REVEALABLE:
        raise Http404
    scope, member = _member_for(request, pk)
    value = member_services.member_reveal(member, field=field)
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"member": member, "field": field, "value": value})
    return _member_page(request, scope, member, revealed={field: value})
