"""The API of the member lifecycle: transfers (`/api/transfers/`) and the member actions
(`/api/members/{id}/mobile-out|mobile-back|suspend|restore|remove|community-reports/`).

Reads come from the user's `Scope`; writes go through `grassroots.members.transfers` and
`grassroots.members.lifecycle_services`, which check permission again and write the audit entries.
Mounted by grassroots/api/urls.py (this module's `urlpatterns`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from grassroots.core.errors import RuleError
from grassroots.members import lifecycle_services as lifecycle
from grassroots.members import transfers
from grassroots.members.models import CommunityReport, Member, MemberEvent, Transfer
from grassroots.ui.api import LenientDateField, ScopedViewMixin, rule_error_response

from .serializers import MemberEventSerializer

# --- serializers ------------------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org = serializers.CharField(source="from_org.code", read_only=True)
    to_org = serializers.CharField(source="to_org.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "from_org", "to_org", "to_outside", "requested_on", "state",
                  "decided_on", "reason", "letter_number"]
        read_only_fields = fields


class TransferRequestSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text=_lazy("Id of a member you may change"))
    to_org = serializers.CharField(required=False, allow_blank=True, default="", max_length=32,
                                   help_text=_lazy("Code of the receiving organization in the platform"))
    to_outside = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                       help_text=_lazy("Name of a receiving organization outside the platform"))
    on = LenientDateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    letter_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class OnSerializer(serializers.Serializer):
    on = LenientDateField()


class ReturnSerializer(OnSerializer):
    reason = serializers.CharField(max_length=300)


class MobileOutSerializer(OnSerializer):
    destination = serializers.CharField(max_length=200)
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class SuspendSerializer(OnSerializer):
    lost_contact_since = LenientDateField()
    decision = serializers.CharField(max_length=250)


class RestoreSerializer(OnSerializer):
    note = serializers.CharField(max_length=300)


class RemoveSerializer(OnSerializer):
    reason = serializers.ChoiceField(choices=lifecycle.REMOVAL_REASONS)
    decision = serializers.CharField(max_length=250)
    approved_on = LenientDateField()


class CommunityReportSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    community_org = serializers.CharField(source="community_org.code", read_only=True)

    class Meta:
        model = CommunityReport
        fields = ["id", "member", "member_name", "community_org", "date", "first", "activities"]
        read_only_fields = fields


class CommunityReportCreateSerializer(serializers.Serializer):
    community_org = serializers.CharField(max_length=32, help_text=_lazy("Code of the community's organization"))
    on = LenientDateField()
    first = serializers.BooleanField(required=False, default=False)
    activities = serializers.CharField(required=False, allow_blank=True, default="")


def _bad(field: str, message: str) -> Response:
    return Response({"field": field, "detail": message}, status=status.HTTP_400_BAD_REQUEST)


# --- transfers --------------------------------------------------------------------------------------------


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
            return _bad("member", _("unknown member"))
        to_org = None
        if data["to_org"]:
            to_org = transfers.receiving_org(data["to_org"])
            if to_org is None:
                return _bad("to_org", _("unknown organization"))
        try:
            transfer = transfers.transfer_request(member, to_org=to_org, to_outside=data["to_outside"],
                                                  on=data["on"], reason=data["reason"],
                                                  letter_number=data["letter_number"])
        except RuleError as exc:
            return rule_error_response(exc)
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data,
                        status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, form_class: type[serializers.Serializer], fn: Any) -> Response:
        transfer = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            transfer = fn(transfer, **form.validated_data)
        except RuleError as exc:
            return rule_error_response(exc)
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


# --- member actions -----------------------------------------------------------------------------------------


class MemberLifecycleViewSet(ScopedViewMixin, viewsets.GenericViewSet):
    """Lifecycle decisions about one member, each through its service (writers of the member only)."""

    queryset = Member.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = MemberEventSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Member]:
        return self.scope.members().select_related("org")

    def _record(self, request: Request, form_class: type[serializers.Serializer], fn: Any) -> Response:
        member = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            event: MemberEvent = fn(member, **form.validated_data)
        except RuleError as exc:
            return rule_error_response(exc)
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

    @extend_schema(methods=["GET"], responses={200: CommunityReportSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CommunityReportCreateSerializer,
                   responses={201: CommunityReportSerializer})
    @action(detail=True, methods=["get", "post"], url_path="community-reports", url_name="community-reports")
    def community_reports(self, request: Request, pk: str | None = None) -> Response:
        """The member's reports to their community (readable by the member's branch and by the community);
        POST records one (by the member's branch or the community's organization)."""
        member_id = int(pk or 0)
        reports = lifecycle.readable_community_reports(self.scope).filter(member_id=member_id)
        if request.method == "GET":
            if not reports.exists():
                self.get_object()  # 404 for a member the user cannot read
            return Response(CommunityReportSerializer(reports.order_by("-date", "-id"), many=True).data)
        form = CommunityReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        community = lifecycle.community_org_by_code(data.pop("community_org"))
        if community is None:
            return _bad("community_org", _("unknown organization"))
        member = self.get_queryset().filter(pk=member_id).first()
        if member is None:
            # The community's side knows the members who reported to it (the service checks it may write).
            earlier = reports.filter(community_org=community).first()
            member = earlier.member if earlier is not None else None
        if member is None:
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        try:
            report = lifecycle.community_report(member, community_org=community, **data)
        except RuleError as exc:
            return rule_error_response(exc)
        return Response(CommunityReportSerializer(report).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="api-transfer")
router.register("members", MemberLifecycleViewSet, basename="api-member-lifecycle")  # only its actions
urlpatterns = router.urls
