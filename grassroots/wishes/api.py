"""The API of micro-wishes (`ROUTES`, mounted under /api/ by grassroots/api/urls.py).

    GET  /api/wishes/                 the wishes of the organizations the user reads, filtered
    POST /api/wishes/                 a staff entry (`services.record_wish`)
    GET  /api/wishes/{id}/            one, with its history
    POST /api/wishes/{id}/publish/    /decline/ /claim/ /release/ /fulfil/ /confirm/: the state changes
    POST /api/wishes/{id}/reveal/     the resident's full name or phone (staff; audited)

The resident's name and phone leave masked but through `reveal`; the tracking code never leaves. Every write goes
through `grassroots.wishes.services`: a broken rule is a 400 naming the field, a refusal a 403, a stale version
a 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.core.idnumber import mask_phone
from grassroots.orgs.models import Organization
from grassroots.ui.api import ConflictSerializer, LenientDateField, ScopedViewMixin, rule_error_response

from . import selectors, services
from .models import CLAIMED_OR_LATER, Category, State, Wish, WishEvent
from .selectors import mask_name


def _today() -> dt.date:
    return timezone.localdate()


class WishEventSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)

    class Meta:
        model = WishEvent
        fields = ["action", "on", "from_state", "to_state", "by_name", "member", "claimant", "on_behalf",
                  "by_resident", "note"]
        read_only_fields = fields


class WishSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    resident_name = serializers.SerializerMethodField(help_text=_lazy("Masked; POST reveal/ to see it in full"))
    resident_phone = serializers.SerializerMethodField(help_text=_lazy("Masked; POST reveal/ to see it in full"))
    # plain strings in the schema: enums named "state" or "category" would collide with other modules'
    state = serializers.CharField(read_only=True, help_text=_lazy(
        "collected, published, declined, claimed, fulfilled or confirmed"))
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    category = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True, help_text=_lazy("public, qr, staff or visit"))
    claimant_member = serializers.IntegerField(source="claimant_member_id", read_only=True, allow_null=True)
    claimant_org = serializers.CharField(source="claimant_org.code", read_only=True, allow_null=True, default=None)
    claimant_name = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Wish
        fields = ["id", "number", "org", "text", "category", "place", "collected_on", "channel", "resident_name",
                  "resident_phone", "state", "state_label", "published_on", "declined_on", "decline_reason",
                  "claimed_on", "claimant_member", "claimant_org", "claimant_unit", "claimant_name", "fulfilled_on",
                  "fulfil_note", "confirmed_on", "confirmed_by_resident", "overdue", "version"]
        read_only_fields = fields

    def get_resident_name(self, wish: Wish) -> str:
        return mask_name(wish.resident_name)

    def get_resident_phone(self, wish: Wish) -> str:
        return mask_phone(wish.resident_phone)

    def get_overdue(self, wish: Wish) -> bool:
        due = selectors.due_day(wish, self._limits())
        return due is not None and due < _today()

    def _limits(self) -> selectors.Limits:
        if "_lim" not in self.__dict__:
            self.__dict__["_lim"] = selectors.limits(_today())
        lim: selectors.Limits = self.__dict__["_lim"]
        return lim


class WishDetailSerializer(WishSerializer):
    events = WishEventSerializer(many=True, read_only=True)

    class Meta(WishSerializer.Meta):
        fields = [*WishSerializer.Meta.fields, "events"]
        read_only_fields = fields


class WishEntrySerializer(serializers.Serializer):
    org = serializers.CharField(help_text=_lazy("The collecting organization's code"))
    text = serializers.CharField(max_length=1000)
    category = serializers.CharField(required=False, default=Category.OTHER, help_text=_lazy(
        "daily, study, health, home, company or other"))
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    resident_name = serializers.CharField(max_length=50)
    resident_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    collected_on = LenientDateField(required=False, allow_null=True, default=None)
    channel = serializers.CharField(required=False, default="staff", help_text=_lazy("staff or visit"))
    visit_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class DayInput(serializers.Serializer):
    on = LenientDateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class DeclineInput(DayInput):
    reason = serializers.CharField(max_length=300)


class ReasonInput(DayInput):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NoteInput(DayInput):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ClaimInput(DayInput):
    member = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text=_lazy("The claiming member's id"))
    claimant_org = serializers.CharField(required=False, allow_blank=True, default="",
                                         help_text=_lazy("The claiming organization's code"))
    unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                 help_text=_lazy("The name of a claiming unit outside the platform"))


class RevealInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=["resident_name", "resident_phone"])


class WishRevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class RuleErrorSerializer(serializers.Serializer):
    """A refusal (403) or a broken rule (400): what went wrong, and the field it names where it names one."""

    field = serializers.CharField(allow_null=True, required=False)
    detail = serializers.CharField()


# 400: a broken rule ({"field", "detail"}) or a malformed body (DRF's {field: [messages]})
ERRORS: dict[int, Any] = {400: OpenApiTypes.OBJECT, 403: RuleErrorSerializer, 409: ConflictSerializer}


class WishFilter(django_filters.FilterSet):
    """Filters narrow what the scope allows: an organization outside it just finds nothing."""

    state = django_filters.ChoiceFilter(choices=State.choices)
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    year = django_filters.NumberFilter(method="filter_year", label=_lazy("Collected in this year"))
    fulfilled_year = django_filters.NumberFilter(method="filter_fulfilled", label=_lazy("Fulfilled in this year"))
    claimed = django_filters.BooleanFilter(method="filter_claimed", label=_lazy("Claimed, fulfilled or confirmed"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_lazy("Late by the rules"))

    class Meta:
        model = Wish
        fields = ["state"]

    def filter_org(self, qs: QuerySet[Wish], name: str, value: str) -> QuerySet[Wish]:
        org = Organization.objects.filter(code=value.strip()).first()
        return qs.filter(org__path__startswith=org.path) if org else qs.none()

    def _year(self, value: Any) -> int | None:
        year = int(value)
        return year if 1900 <= year <= 2999 and year == value else None

    def filter_year(self, qs: QuerySet[Wish], name: str, value: Any) -> QuerySet[Wish]:
        year = self._year(value)
        return selectors.collected_in(qs, year, _today()) if year else qs.none()

    def filter_fulfilled(self, qs: QuerySet[Wish], name: str, value: Any) -> QuerySet[Wish]:
        year = self._year(value)
        return selectors.fulfilled_in(qs, year, _today()) if year else qs.none()

    def filter_claimed(self, qs: QuerySet[Wish], name: str, value: bool) -> QuerySet[Wish]:
        return qs.filter(state__in=CLAIMED_OR_LATER) if value else qs.exclude(state__in=CLAIMED_OR_LATER)

    def filter_overdue(self, qs: QuerySet[Wish], name: str, value: bool) -> QuerySet[Wish]:
        late = selectors.overdue_q(_today())
        return qs.filter(late) if value else qs.exclude(late)


class WishViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Micro-wishes of the organizations the user reads; the resident's contact masked."""

    queryset = Wish.objects.none()
    serializer_class = WishSerializer
    filterset_class = WishFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Wish]:
        qs = (selectors.visible(self.scope).select_related("org", "claimant_member", "claimant_org")
              .order_by("-collected_on", "-id"))
        if self.action == "retrieve":
            qs = qs.prefetch_related("events")
        return qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return WishDetailSerializer
        if self.action == "create":
            return WishEntrySerializer
        return WishSerializer

    def _done(self, write: Callable[[], Wish], code: int = status.HTTP_200_OK) -> Response:
        try:
            wish = write()
        except RuleError as exc:
            return rule_error_response(exc)
        fresh = Wish.objects.select_related("org", "claimant_member", "claimant_org").get(pk=wish.pk)
        return Response(WishDetailSerializer(fresh).data, status=code)

    @extend_schema(request=WishEntrySerializer, responses={201: WishDetailSerializer, **ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = WishEntrySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        org = self.scope.orgs().filter(code=d["org"]).first()
        if org is None:
            return Response({"field": "org", "detail": "unknown organization"}, status=status.HTTP_400_BAD_REQUEST)
        return self._done(lambda: services.record_wish(
            org, text=d["text"], resident_name=d["resident_name"], resident_phone=d["resident_phone"],
            category=d["category"], place=d["place"], collected_on=d["collected_on"], channel=d["channel"],
            visit_ref=d["visit_ref"]), status.HTTP_201_CREATED)

    def _input(self, request: Request, cls: type[serializers.Serializer]) -> dict[str, Any]:
        form = cls(data=request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    @extend_schema(request=DayInput, responses={200: WishDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        wish, d = self.get_object(), self._input(request, DayInput)
        return self._done(lambda: services.publish(wish, on=d["on"], version=d["version"]))

    @extend_schema(request=DeclineInput, responses={200: WishDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        wish, d = self.get_object(), self._input(request, DeclineInput)
        return self._done(lambda: services.decline(wish, reason=d["reason"], on=d["on"], version=d["version"]))

    @extend_schema(request=ClaimInput, responses={200: WishDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        wish, d = self.get_object(), self._input(request, ClaimInput)
        member = None
        if d["member"] is not None:
            member = self.scope.members().filter(pk=d["member"]).first()
            if member is None:
                return Response({"field": "member", "detail": "unknown member"}, status=status.HTTP_400_BAD_REQUEST)
        org = None
        if d["claimant_org"]:
            org = self.scope.orgs().filter(code=d["claimant_org"]).first()
            if org is None:
                return Response({"field": "claimant_org", "detail": "unknown organization"},
                                status=status.HTTP_400_BAD_REQUEST)
        return self._done(lambda: services.claim(wish, member=member, org=org, unit=d["unit"], on=d["on"],
                                                 version=d["version"]))

    @extend_schema(request=ReasonInput, responses={200: WishDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        wish, d = self.get_object(), self._input(request, ReasonInput)
        return self._done(lambda: services.release(wish, on=d["on"], reason=d["reason"], version=d["version"]))

    @extend_schema(request=NoteInput, responses={200: WishDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def fulfil(self, request: Request, pk: str | None = None) -> Response:
        """Mark it fulfilled (a note; a photo is sent on the page, never required)."""
        wish, d = self.get_object(), self._input(request, NoteInput)
        return self._done(lambda: services.fulfil(wish, note=d["note"], on=d["on"], version=d["version"]))

    @extend_schema(request=NoteInput, responses={200: WishDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm on the resident's behalf."""
        wish, d = self.get_object(), self._input(request, NoteInput)
        return self._done(lambda: services.confirm_for_resident(wish, on=d["on"], note=d["note"],
                                                                version=d["version"]))

    @extend_schema(request=RevealInput, responses={200: WishRevealedSerializer, 403: RuleErrorSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The resident's full name or phone, for the staff; every reveal is written to the audit log."""
        wish, d = self.get_object(), self._input(request, RevealInput)
        value = services.reveal_contact(wish, field=d["field"])
        return Response({"field": d["field"], "value": value})


ROUTES = [("wishes", WishViewSet, "api-wish")]
