"""The households API (mounted under /api/ by the router over the module registry).

    GET/POST  /api/households/                 ?org=&place=&as_of=   households living there on the day (masked);
                                                                      POST records one (`services.household_create`)
    GET       /api/households/{id}/
    POST      /api/households/{id}/reveal/     the full phone, logged
    GET/POST  /api/households/persons/         ?household=&as_of=    persons (masked); POST adds one
    GET       /api/households/persons/{id}/
    POST      /api/households/persons/{id}/reveal/   the full ID number, phone or a special field, logged

Every queryset comes from the user's scope by place (outside it: 404); writes go through the services (403
refused, 400 naming the field). The special fields are in no answer: only a reveal gives one, where switched on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.dates import DateError, parse_date
from grassroots.orgs.models import Territory
from grassroots.ui.api import ScopedViewMixin, code_param, readable_org

from . import relations, selectors, services
from .models import Household, Person


class HouseholdSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="territory.code", read_only=True)
    place_name = serializers.CharField(source="territory.name", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "code", "place", "place_name", "building", "unit", "flat", "address", "head_name", "phone",
                  "registered_on", "left_on", "version"]


class HouseholdCreateSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="the place's code")
    head_name = serializers.CharField(max_length=50)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    building = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    flat = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    registered_on = serializers.DateField(required=False, allow_null=True, default=None)


class HouseholdPersonSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    relation_name = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "household", "name", "relation", "relation_name", "sex", "birth_date", "id_number", "phone",
                  "joined_on", "left_on", "left_reason", "version"]

    def get_relation_name(self, obj: Person) -> str:
        return relations.name_zh(obj.relation)


class HouseholdPersonCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    name = serializers.CharField(max_length=50)
    relation = serializers.CharField(max_length=2)
    sex = serializers.CharField(max_length=1, required=False, allow_blank=True, default="", help_text="M or F")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)


class HouseholdRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(services.REVEALABLE))


class HouseholdRevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


def _day(request: Request) -> dt.date:
    text = request.query_params.get("as_of")
    if not text:
        return timezone.localdate()
    try:
        day = parse_date(text)
    except DateError as exc:
        raise ValidationError({"as_of": [str(exc)]}) from exc
    if day is None:
        raise ValidationError({"as_of": ["?"]})
    return day


AS_OF = OpenApiParameter("as_of", str, description="the day (default today)")


class _Base(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"

    def _households(self) -> QuerySet[Household]:
        return selectors.visible(self.scope)


class HouseholdViewSet(_Base):
    """Households the user may read, living in the chosen places on the day."""

    queryset = Household.objects.none()
    serializer_class = HouseholdSerializer

    @extend_schema(parameters=[OpenApiParameter("org", str), OpenApiParameter("place", str), AS_OF])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Household]:
        qs = self._households().select_related("territory").order_by("territory__path", "code")
        if self.action != "list":
            return qs
        params = self.request.query_params
        paths: list[str] | None = None
        if params.get("org"):
            paths = selectors.org_paths(readable_org(self.request, params["org"]))
        if params.get("place"):
            place = Territory.objects.filter(code=code_param(params["place"])).first()
            if place is None or not self.scope.can_read_place(place):
                raise ValidationError({"place": ["unknown place"]})
            paths = [place.path]
        if paths is None:
            paths = self.scope.place_paths() if not self.scope.unrestricted else [""]
        return qs.filter(pk__in=selectors.households_under(paths, _day(self.request)).values("pk"))

    @extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdSerializer})
    def create(self, request: Request) -> Response:
        form = HouseholdCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        place = Territory.objects.filter(code=code_param(d.pop("place"))).first()
        if place is None or not self.scope.can_read_place(place):
            raise ValidationError({"place": ["unknown place"]})
        household = services.household_create(territory=place, **d)
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdRevealSerializer, responses={200: HouseholdRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full phone; every reveal is written to the audit log."""
        household = self.get_object()
        form = HouseholdRevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        return Response({"field": field, "value": services.household_reveal(household, field=field)})


class HouseholdPersonViewSet(_Base):
    """Persons of the households the user may read (living in them on the day, with ?as_of=)."""

    queryset = Person.objects.none()
    serializer_class = HouseholdPersonSerializer

    @extend_schema(parameters=[OpenApiParameter("household", int), AS_OF])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Person]:
        qs = (Person.objects.filter(household__in=self._households()).select_related("household")
              .order_by("household_id", "relation", "pk"))
        if self.action != "list":
            return qs
        params = self.request.query_params
        if params.get("household"):
            if not params["household"].isdigit():
                raise ValidationError({"household": ["a number"]})
            qs = qs.filter(household_id=int(params["household"]))
        if params.get("as_of"):
            qs = qs.on(_day(self.request))
        return qs

    @extend_schema(request=HouseholdPersonCreateSerializer, responses={201: HouseholdPersonSerializer})
    def create(self, request: Request) -> Response:
        form = HouseholdPersonCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        household = get_object_or_404(self._households().select_related("territory"), pk=d.pop("household"))
        person = services.person_add(household=household, **d)
        return Response(HouseholdPersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdRevealSerializer, responses={200: HouseholdRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID number, phone or special field; every reveal is written to the audit log."""
        person = self.get_object()
        form = HouseholdRevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        return Response({"field": field, "value": services.person_reveal(person, field=field)})


ROUTES = [
    ("households/persons", HouseholdPersonViewSet, "household-person-api"),
    ("households", HouseholdViewSet, "household-api"),
]
