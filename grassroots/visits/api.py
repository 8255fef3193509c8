"""The API of links and visits (`ROUTES` and `urlpatterns`, mounted under /api/).

    GET  /api/visits/            the visits of the places the user reads (?place=, ?start=, ?end=, ?purpose=)
    POST /api/visits/            record a visit: idempotent by client_id (201 new, 200 already recorded)
    GET  /api/visits/{id}/       one, with its findings
    GET  /api/visit-links/       the links of the households the user reads
    GET  /api/visit-rates/       ?place=&start=&end=&as_of=: the rate of the place and each place under it

Every write goes through `grassroots.visits.services`: a broken rule is a 400 naming the field, a refusal a 403.
No phone leaves: a household is its number and its head's name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.households.selectors import visible as households_visible
from grassroots.orgs.models import Territory
from grassroots.ui.api import LenientDateField, ScopedViewMixin, code_param, rule_error_response

from . import selectors, services
from .models import HouseholdLink, Visit, VisitFinding
from .views import readable_places


class VisitFindingSerializer(serializers.ModelSerializer):
    type = serializers.CharField(read_only=True, help_text=_lazy("difficulty, dispute, suggestion, hazard or wish"))
    state = serializers.CharField(read_only=True, help_text=_lazy("open, opinion, wish or handled"))
    opinion = serializers.CharField(source="opinion.number", read_only=True, allow_null=True, default=None)
    wish = serializers.CharField(source="wish.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = VisitFinding
        fields = ["id", "type", "text", "state", "opinion", "wish", "handled_on", "handled_note"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="household.code", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    place = serializers.CharField(source="territory.code", read_only=True)
    purpose = serializers.CharField(read_only=True, help_text=_lazy(
        "routine, holiday, difficulty, dispute, policy or other"))
    members = serializers.SerializerMethodField()
    users = serializers.SerializerMethodField()
    findings = VisitFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "client_id", "household", "head_name", "place", "day", "purpose", "notes", "members",
                  "users", "entered_late", "late_at", "findings"]
        read_only_fields = fields

    def get_members(self, visit: Visit) -> list[int]:
        return [m.pk for m in visit.visitor_members.all()]

    def get_users(self, visit: Visit) -> list[str]:
        return [u.username for u in visit.visitor_users.all()]


class VisitFindingInput(serializers.Serializer):
    type = serializers.CharField()
    text = serializers.CharField(max_length=1000)


class VisitCreateSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=_lazy(
        "Made by the client: the same visit sent again is recorded once"))
    household = serializers.CharField(help_text=_lazy("The household's number"))
    day = LenientDateField(required=False, allow_null=True, default=None)
    purpose = serializers.CharField(required=False, default="routine")
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                    help_text=_lazy("Visiting members' ids"))
    findings = VisitFindingInput(many=True, required=False, default=list)


class VisitLinkSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="household.code", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_lazy(
        "main_leader, town_leader, town_cadre, village_cadre, member or unit"))
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)

    class Meta:
        model = HouseholdLink
        fields = ["id", "household", "person_name", "kind", "member", "valid_from", "valid_to", "version"]
        read_only_fields = fields


class VisitRateSerializer(serializers.Serializer):
    place = serializers.CharField()
    households = serializers.IntegerField()
    visited = serializers.IntegerField()
    persons = serializers.IntegerField()
    persons_visited = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class VisitViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Visits of the places the user reads."""

    queryset = Visit.objects.none()
    serializer_class = VisitSerializer
    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[OpenApiParameter("place", str), OpenApiParameter("start", OpenApiTypes.DATE),
                               OpenApiParameter("end", OpenApiTypes.DATE), OpenApiParameter("purpose", str)],
                   responses={200: VisitSerializer(many=True), 400: OpenApiTypes.OBJECT})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Visit]:
        qs = (selectors.visible(self.scope).select_related("household", "territory")
              .prefetch_related("visitor_members", "visitor_users", "findings__opinion", "findings__wish")
              .order_by("-day", "-id"))
        if self.action != "list":
            return qs
        p = self.request.query_params
        if p.get("place"):
            place = readable_places(self.scope).filter(code=code_param(p["place"])).first()
            qs = qs.filter(territory__path__startswith=place.path) if place else qs.none()
        for key, lookup in (("start", "day__gte"), ("end", "day__lte")):
            if p.get(key):
                try:
                    qs = qs.filter(**{lookup: dt.date.fromisoformat(p[key])})
                except ValueError:
                    raise ValidationError({key: ["a date is YYYY-MM-DD"]}) from None
        if p.get("purpose"):
            qs = qs.filter(purpose=p["purpose"])
        return qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return VisitCreateSerializer if self.action == "create" else VisitSerializer

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer, 200: VisitSerializer,
                                                             400: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = VisitCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        household = households_visible(self.scope, write=True).filter(code=code_param(d["household"])).first()
        if household is None:
            return Response({"field": "household", "detail": "unknown household"}, status=status.HTTP_400_BAD_REQUEST)
        members = list(self.scope.members().filter(pk__in=d["members"]))
        if len(members) != len(set(d["members"])):
            return Response({"field": "members", "detail": "unknown member"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            visit, created = services.visit_record(household=household, day=d["day"], purpose=d["purpose"],
                                                   notes=d["notes"], members=members, client_id=d["client_id"],
                                                   findings=[dict(f) for f in d["findings"]])
        except RuleError as exc:
            return rule_error_response(exc)
        fresh = self.get_queryset().get(pk=visit.pk)
        return Response(VisitSerializer(fresh).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class VisitLinkViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Links of the households the user reads."""

    queryset = HouseholdLink.objects.none()
    serializer_class = VisitLinkSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[HouseholdLink]:
        return selectors.links_visible(self.scope).select_related("household").order_by("person_name", "id")


class VisitRatesView(ScopedViewMixin, GenericAPIView):
    """The visit rate of a place and of each community, village, villager group and grid under it."""

    serializer_class = VisitRateSerializer
    queryset = Territory.objects.none()  # the schema's model: places (the view reads the scope's places itself)

    @extend_schema(parameters=[OpenApiParameter("place", str, required=True),
                               OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE),
                               OpenApiParameter("as_of", OpenApiTypes.DATE)],
                   responses={200: VisitRateSerializer(many=True)})
    def get(self, request: Request) -> Response:
        p = request.query_params
        place = readable_places(self.scope).filter(code=code_param(p.get("place", ""))).first()
        if place is None:
            raise NotFound("unknown place")
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(p["start"]) if p.get("start") else dt.date(today.year, 1, 1)
            end = dt.date.fromisoformat(p["end"]) if p.get("end") else today
            as_of = dt.date.fromisoformat(p["as_of"]) if p.get("as_of") else None
        except ValueError:
            return Response({"field": "start", "detail": "a date is YYYY-MM-DD"}, status=status.HTTP_400_BAD_REQUEST)
        rows = selectors.rate_table(place, start, end, as_of)
        return Response([r.as_json() for r in rows])


ROUTES = [("visits", VisitViewSet, "visit"), ("visit-links", VisitLinkViewSet, "visit-link")]
urlpatterns = [path("visit-rates/", VisitRatesView.as_view(), name="api-visit-rates")]
