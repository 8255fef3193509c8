"""The staff API of residents' opinions (`ROUTES` and `urlpatterns`, mounted under /api/ by grassroots/api/urls.py).

    GET  /api/opinions/                          the opinions the user may read (`selectors.visible`), filtered
    GET  /api/opinions/{id}/                     one, with its routing and replies (drafts for the handlers only)
    POST /api/opinions/{id}/reveal/              the submitter's full phone or email (handlers; audited)
    GET  /api/orgs/{code}/opinion-statistics/    `selectors.year_statistics` of an organization the user may read
    GET  /api/orgs/{code}/opinion-station/       the station's set-up: departments, categories, outlets (read-only;
                                                 written on the set-up pages through the services)

The submitter's phone and email only ever leave masked, but through `reveal`; the tracking code (the
submitter's own) never does. Reads come from the user's `Scope`; the reveal goes through
`services.reveal_contact`, which checks that the user handles the opinion and writes the audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.idnumber import mask_email
from grassroots.opinions import selectors, services
from grassroots.opinions.models import (
    OPEN,
    Assignment,
    Category,
    Department,
    Opinion,
    OpinionChange,
    Outlet,
    State,
)
from grassroots.orgs.models import Organization
from grassroots.ui.api import AS_OF, ScopedViewMixin, as_of


def _today() -> dt.date:
    return timezone.localdate()


# --- serializers ------------------------------------------------------------------------------------------
class OpinionSerializer(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    territory = serializers.CharField(source="territory.name", read_only=True, allow_null=True, default=None)
    outlet = serializers.CharField(source="outlet.code", read_only=True, allow_null=True, default=None)
    submitter_phone = serializers.CharField(source="phone_masked", read_only=True,
                                            help_text=_lazy("Masked; POST reveal/ to see it in full"))
    submitter_email = serializers.SerializerMethodField(help_text=_lazy("Masked; POST reveal/ to see it in full"))
    # A plain string in the schema: an enum named "state" would collide with the transfers' states.
    state = serializers.CharField(read_only=True, help_text=_lazy("received, assigned, in_progress, solved, "
                                                                  "explained, cannot_solve, duplicate or reopened"))
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    handler_org = serializers.CharField(source="handler_org.code", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)
    duplicate_of = serializers.CharField(source="duplicate_of.number", read_only=True, allow_null=True,
                                         default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = ["id", "number", "station", "category", "category_name", "text", "territory", "address", "lat",
                  "lon", "channel", "outlet", "submitter_name", "submitter_phone", "submitter_email",
                  "received_on", "state", "state_label", "handler_org", "department", "deadline", "overdue",
                  "closed_on", "duplicate_of", "published", "state_changed_at"]
        read_only_fields = fields

    def get_submitter_email(self, opinion: Opinion) -> str:
        return mask_email(opinion.submitter_email)

    def get_overdue(self, opinion: Opinion) -> bool:
        return opinion.state in OPEN and opinion.deadline < _today()


class HistoryItemSerializer(serializers.Serializer):
    """A routing step (`assignment`) or a change of state with its written reply (`change`), in date order."""

    type = serializers.ChoiceField(choices=["assignment", "change"])
    on = serializers.DateField()
    kind = serializers.CharField(allow_null=True, help_text=_lazy("assign, reassign or escalate (assignments)"))
    to_org = serializers.CharField(allow_null=True)
    to_department = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    from_state = serializers.CharField(allow_null=True)
    to_state = serializers.CharField(allow_null=True)
    background = serializers.CharField(allow_null=True)
    solution = serializers.CharField(allow_null=True)
    remaining = serializers.CharField(allow_null=True)
    measures = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    duplicate_of = serializers.CharField(allow_null=True)
    handler_name = serializers.CharField(allow_null=True)
    handler_contact = serializers.CharField(allow_null=True)
    draft = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    by_rating = serializers.BooleanField()


def history_item(item: Assignment | OpinionChange) -> dict[str, Any]:
    empty = dict.fromkeys(HistoryItemSerializer().fields)
    if isinstance(item, Assignment):
        return {**empty, "type": "assignment", "on": item.on, "kind": item.kind, "to_org": item.to_org.code,
                "to_department": item.to_department.name if item.to_department else None, "note": item.note,
                "draft": False, "by_rating": False}
    return {**empty, "type": "change", "on": item.on, "from_state": item.from_state, "to_state": item.to_state,
            **{name: getattr(item, name) for name in services.REPLY_FIELDS},
            "duplicate_of": item.duplicate_of.number if item.duplicate_of else None, "draft": item.is_draft,
            "published_at": item.published_at, "by_rating": item.by_rating}


class OpinionDetailSerializer(OpinionSerializer):
    can_handle = serializers.SerializerMethodField(help_text=_lazy("Whether you may route, reply and reveal"))
    history = serializers.SerializerMethodField()

    class Meta(OpinionSerializer.Meta):
        fields = [*OpinionSerializer.Meta.fields, "can_handle", "history"]
        read_only_fields = fields

    def get_can_handle(self, opinion: Opinion) -> bool:
        cache = self.__dict__.setdefault("_can_handle", {})
        if opinion.pk not in cache:
            cache[opinion.pk] = services.can_handle(opinion)
        return bool(cache[opinion.pk])

    @extend_schema_field(HistoryItemSerializer(many=True))
    def get_history(self, opinion: Opinion) -> list[dict[str, Any]]:
        handler = self.get_can_handle(opinion)
        items = selectors.history(opinion, drafts=handler)
        return HistoryItemSerializer([history_item(i) for i in items], many=True).data  # type: ignore[return-value]


class ContactRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["submitter_phone", "submitter_email"])


class ContactRevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


# --- filters ----------------------------------------------------------------------------------------------
class OpinionFilter(django_filters.FilterSet):
    """Filters narrow what the scope already allows, so an organization code outside it just finds nothing."""

    state = django_filters.ChoiceFilter(choices=State.choices)
    category = django_filters.CharFilter(field_name="category__code", label=_lazy("Category code"))
    station = django_filters.CharFilter(field_name="station__code", label=_lazy("Station (organization code)"))
    handler = django_filters.CharFilter(method="filter_handler",
                                        label=_lazy("Handling organization code (its whole subtree)"))
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte",
                                              label=_lazy("Received on or after"))
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte",
                                            label=_lazy("Received on or before"))
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           label=_lazy("Still open and past the reply deadline"))

    class Meta:
        model = Opinion
        fields = ["state"]

    def filter_handler(self, queryset: QuerySet[Opinion], name: str, value: str) -> QuerySet[Opinion]:
        org = Organization.objects.filter(code=value.strip()).first()
        if org is None:
            return queryset.none()
        return queryset.filter(handler_org__path__startswith=org.path)

    def filter_overdue(self, queryset: QuerySet[Opinion], name: str, value: bool) -> QuerySet[Opinion]:
        late = {"state__in": OPEN, "deadline__lt": _today()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


# --- views ------------------------------------------------------------------------------------------------
class OpinionViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Opinions the user may read: their station's, or handled in their subtree. Contacts are masked."""

    queryset = Opinion.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = OpinionSerializer
    filterset_class = OpinionFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Opinion]:
        return (selectors.visible(self.scope)
                .select_related("station", "category", "territory", "outlet", "handler_org", "department",
                                "duplicate_of")
                .order_by("-received_on", "-id"))

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return OpinionDetailSerializer if self.action == "retrieve" else OpinionSerializer

    @extend_schema(request=ContactRevealSerializer, responses={200: ContactRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The submitter's full phone or email, for the handlers; every reveal is written to the audit log."""
        opinion = self.get_object()
        form = ContactRevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        value = services.reveal_contact(opinion, field=field)  # a refusal: the exception handler's 403
        return Response({"field": field, "value": value})


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="The year of receipt (default: this year)")
CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Organization code")
DEPARTMENT = OpenApiParameter("department", OpenApiTypes.INT,
                              description="Only this department's opinions (its id): the figures fed back to it")


class OpinionStatisticsView(ScopedViewMixin):
    """The opinions statistics of an organization for a year, as they stood on `as_of`."""

    queryset = Organization.objects.none()  # names the model of the path's code
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(operation_id="orgs_opinion_statistics", parameters=[CODE, YEAR, AS_OF, DEPARTMENT],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str) -> Response:
        """Received, completed, on time, still open, overdue and ratings of the opinions of the organization
        (its station's and those handled in its subtree) received in the year: in total and per month,
        department, category and handling organization (`selectors.year_statistics`). `as_of` defaults to
        today within the year, else the year's last day."""
        org = self.scope.orgs().filter(code=code).first()
        if org is None:
            return Response({"detail": _("unknown organization")}, status=status.HTTP_404_NOT_FOUND)
        today = timezone.localdate()
        text = request.query_params.get("year", "").strip()
        try:
            year = int(text) if text else today.year
        except ValueError:
            raise ValidationError({"year": [_("write a year such as 2019")]}) from None
        if not 1900 <= year <= 2999:
            raise ValidationError({"year": [_("write a year such as 2019")]})
        day = as_of(request) if request.query_params.get("as_of", "").strip() else min(today, dt.date(year, 12, 31))
        department = request.query_params.get("department", "").strip()
        if department and not department.isdigit():
            raise ValidationError({"department": [_("a department's id is a number")]})
        stats = selectors.year_statistics(org, year, day, department_id=int(department) if department else None)
        return Response(stats.as_json())


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "name_en", "contact", "active", "version"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="department_id", read_only=True, allow_null=True,
                                          help_text=_lazy("The department's id; null: routed by place"))

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "description", "department", "deadline_workdays", "active",
                  "version"]
        read_only_fields = fields


class OutletSerializer(serializers.ModelSerializer):
    territory = serializers.CharField(source="territory.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Outlet
        fields = ["id", "code", "name", "territory", "address", "recipients", "active", "version"]
        read_only_fields = fields


class StationSetupSerializer(serializers.Serializer):
    station = serializers.CharField()
    departments = DepartmentSerializer(many=True)
    categories = CategorySerializer(many=True)
    outlets = OutletSerializer(many=True)


class StationSetupView(ScopedViewMixin):
    """The set-up of the station an organization runs (inactive records too), for whoever may read it."""

    queryset = Organization.objects.none()  # names the model of the path's code
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(operation_id="orgs_opinion_station", parameters=[CODE], responses={200: StationSetupSerializer})
    def get(self, request: Request, code: str) -> Response:
        org = self.scope.orgs().filter(code=code).first()
        if org is None:
            return Response({"detail": _("unknown organization")}, status=status.HTTP_404_NOT_FOUND)
        return Response(StationSetupSerializer({
            "station": org.code,
            "departments": Department.objects.filter(org=org).order_by("name"),
            "categories": Category.objects.filter(org=org).order_by("code"),
            "outlets": Outlet.objects.filter(org=org).select_related("territory").order_by("code"),
        }).data)


ROUTES = [("opinions", OpinionViewSet, "api-opinion")]

urlpatterns = [
    path("orgs/<str:code>/opinion-statistics/", OpinionStatisticsView.as_view(), name="api-org-opinion-statistics"),
    path("orgs/<str:code>/opinion-station/", StationSetupView.as_view(), name="api-org-opinion-station"),
]
