"""The members' API: members (`/api/members/`, masked, PATCH and events through the services, logged reveals),
transfers (`/api/transfers/`) and the lifecycle decisions about a member
(`/api/members/{id}/mobile-out|mobile-back|suspend|restore|remove/`).

Reads come from the user's `Scope`; writes go through `grassroots.members.services`, `.transfers` and
`.lifecycle_services`, which check permission again and write the audit entries. A service's RuleError is
answered by the API's exception handler (403 for a refusal, else 400 naming the field). Registered on the API
router through this module's `ROUTES` (see `grassroots.core.modules`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization
from grassroots.ui.api import ConflictSerializer, ScopedViewMixin

from . import lifecycle_services as lifecycle
from . import services, transfers
from .filters import MemberFilter
from .models import Member, MemberEvent, Transfer
from .selectors import events_shown
from .serializers import (
    MemberEventCreateSerializer,
    MemberEventSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    MobileOutSerializer,
    OnSerializer,
    RemoveSerializer,
    RestoreSerializer,
    ReturnSerializer,
    RevealedSerializer,
    RevealSerializer,
    SuspendSerializer,
    TransferRequestSerializer,
    TransferSerializer,
)


def _unknown(field: str, what: str | None = None) -> RuleError:
    """The 400 {"field", "detail"} of a code or id the user cannot see (as if it did not exist)."""
    return RuleError(what or _("unknown organization"), field=field)


# --- members ---------------------------------------------------------------------------------------------


class MemberViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members the user may read. PATCH changes attributes through `member_update` (writers only), given the
    `version` read with the member (409 when the record changed since)."""

    queryset = Member.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Member]:
        return self.scope.members().select_related("org", "party_group").order_by("name", "pk")

    def _readable_org(self, code: str, field: str) -> Organization:
        org = self.scope.orgs().filter(code=code).first()
        if org is None:
            raise _unknown(field)
        return org

    @extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer, 409: ConflictSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        member = self.get_object()
        form = MemberUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        on = changes.pop("on", None)
        if "party_group" in changes and changes["party_group"]:
            changes["party_group"] = self._readable_org(changes["party_group"], "party_group")
        member = services.member_update(member, on=on, **changes)  # `version` among the changes: checked there
        member = self.get_queryset().get(pk=member.pk)
        return Response(MemberSerializer(member).data)

    @extend_schema(request=RevealSerializer, responses={200: RevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID number or phone; every reveal is written to the audit log."""
        member = self.get_object()
        form = RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        return Response({"field": field, "value": services.member_reveal(member, field=field)})

    @extend_schema(methods=["GET"], responses={200: MemberEventSerializer(many=True)})
    @extend_schema(methods=["POST"], request=MemberEventCreateSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def events(self, request: Request, pk: str | None = None) -> Response:
        """The member's dated events; POST records one through `member_record_event`."""
        member = self.get_object()
        if request.method == "GET":
            # Contacts and phones in the details masked for a reader who may not reveal them (an auditor).
            events = events_shown(member, reveal=self.scope.can_reveal(member))
            return Response(MemberEventSerializer(events, many=True).data)
        form = MemberEventCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        org = self._readable_org(data["org"], "org") if data.get("org") else None
        event = services.member_record_event(member, kind=data["kind"], on=data["date"], org=org,
                                    details=data.get("details") or None, note=data.get("note", ""))
        return Response(MemberEventSerializer(event).data, status=status.HTTP_201_CREATED)


# --- transfers -------------------------------------------------------------------------------------------


class TransferViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Transfers whose sending or receiving side the user can read. POST asks for a transfer (the sending
    side); accept and return are the receiving side's, cancel the sending side's."""

    queryset = Transfer.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = TransferSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Transfer]:
        return self.scope.transfers().select_related("member", "from_org", "to_org").order_by("-requested_on", "-id")

    @extend_schema(request=TransferRequestSerializer, responses={201: TransferSerializer})
    def create(self, request: Request) -> Response:
        form = TransferRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        member = self.scope.members().filter(pk=data["member"]).first()
        if member is None:
            raise _unknown("member", _("unknown member"))
        to_org = None
        if data["to_org"]:
            to_org = transfers.receiving_org(data["to_org"])
            if to_org is None:
                raise _unknown("to_org")
        transfer = transfers.transfer_request(member, to_org=to_org, to_outside=data["to_outside"], on=data["on"],
                                              reason=data["reason"], letter_number=data["letter_number"])
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data,
                        status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, form_class: type[serializers.Serializer], fn: Any) -> Response:
        transfer = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        transfer = fn(transfer, **form.validated_data)
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data)

    @extend_schema(request=OnSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """The receiving side accepts (outside the platform: the sending side confirms the letter arrived)."""
        return self._decide(request, OnSerializer, transfers.transfer_accept)

    @extend_schema(request=ReturnSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """The receiving side sends the transfer back, with a reason."""
        return self._decide(request, ReturnSerializer, transfers.transfer_return)

    @extend_schema(request=OnSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """The sending side withdraws the request."""
        return self._decide(request, OnSerializer, transfers.transfer_cancel)


# --- member actions --------------------------------------------------------------------------------------


class MemberLifecycleViewSet(ScopedViewMixin, viewsets.GenericViewSet):
    """Lifecycle decisions about one member, each through its service (writers of the member only)."""

    queryset = Member.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = MemberEventSerializer
    lookup_value_regex = r"\d{1,18}"  # a longer id is no member: 404, not an overflowing query

    def get_queryset(self) -> QuerySet[Member]:
        return self.scope.members().select_related("org")

    def _record(self, request: Request, form_class: type[serializers.Serializer], fn: Any) -> Response:
        member = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        event: MemberEvent = fn(member, **form.validated_data)
        return Response(MemberEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MobileOutSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["post"], url_path="mobile-out", url_name="mobile-out")
    def mobile_out(self, request: Request, pk: str | None = None) -> Response:
        """The member goes mobile (away without transferring)."""
        return self._record(request, MobileOutSerializer, lifecycle.mobile_out)

    @extend_schema(request=OnSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["post"], url_path="mobile-back", url_name="mobile-back")
    def mobile_back(self, request: Request, pk: str | None = None) -> Response:
        """The member is back from being mobile."""
        return self._record(request, OnSerializer, lifecycle.mobile_back)

    @extend_schema(request=SuspendSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        """Record the decision to suspend a member out of contact (6 months or more, by the rule in force)."""
        return self._record(request, SuspendSerializer, lifecycle.suspend)

    @extend_schema(request=RestoreSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Contact restored: the suspension ends."""
        return self._record(request, RestoreSerializer, lifecycle.restore)

    @extend_schema(request=RemoveSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str | None = None) -> Response:
        """Record a removal decided by the branch meeting and approved by the higher level."""
        return self._record(request, RemoveSerializer, lifecycle.remove)


# The lifecycle actions share the members' prefix: that viewset has no list or detail route, only its actions.
ROUTES = [
    ("members", MemberViewSet, "api-member"),
    ("members", MemberLifecycleViewSet, "api-member-lifecycle"),
    ("transfers", TransferViewSet, "api-transfer"),
]
