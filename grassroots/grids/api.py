"""The API of grids (`ROUTES`, mounted under /api/ by grassroots/api/urls.py).

    GET /api/grids/            the grids the user may read (a grid worker: theirs), `?org=CODE` for an
                               organization's, with their workers, Party group, households and persons today
    GET /api/grids/{id}/       one, with its workers' posts and Party groups over time

Phones leave masked (the grid page reveals them, logged). Read-only: the writes are the pages' (appointing a
worker shows a password once)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from grassroots.ui.api import ScopedViewMixin, readable_org

from . import selectors, services
from .models import Grid, GridPartyGroup, GridWorker


class GridWorkerSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = GridWorker
        fields = ["id", "name", "username", "member", "phone", "started_on", "ended_on", "end_reason"]
        read_only_fields = fields


class GridPartyGroupSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = GridPartyGroup
        fields = ["org", "org_name", "valid_from", "valid_to"]
        read_only_fields = fields


class GridSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="territory.code", read_only=True)
    name = serializers.CharField(source="territory.name", read_only=True)
    place_kind = serializers.CharField(source="territory.kind", read_only=True,
                                       help_text="grid or villager_group")
    head_phone = serializers.CharField(source="head_phone_masked", read_only=True)
    head_member = serializers.IntegerField(source="head_member_id", read_only=True, allow_null=True)
    workers = serializers.SerializerMethodField()
    party_group = serializers.SerializerMethodField()
    households = serializers.SerializerMethodField()
    persons = serializers.SerializerMethodField()

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "place_kind", "head_name", "head_member", "head_phone", "set_up_on",
                  "workers", "party_group", "households", "persons", "version"]
        read_only_fields = fields

    def _extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = self.context.get("extra", {})
        return extra

    def get_workers(self, grid: Grid) -> list[dict[str, Any]]:
        return GridWorkerSerializer(self._extra().get("workers", {}).get(grid.pk, []), many=True).data  # type: ignore[return-value]

    def get_party_group(self, grid: Grid) -> str | None:
        org = self._extra().get("groups", {}).get(grid.pk)
        return org.code if org is not None else None

    def get_households(self, grid: Grid) -> int:
        return int(self._extra().get("counts", {}).get(grid.pk, (0, 0))[0])

    def get_persons(self, grid: Grid) -> int:
        return int(self._extra().get("counts", {}).get(grid.pk, (0, 0))[1])


class GridDetailSerializer(GridSerializer):
    posts = GridWorkerSerializer(source="workers", many=True, read_only=True)
    party_groups = GridPartyGroupSerializer(many=True, read_only=True)

    class Meta(GridSerializer.Meta):
        fields = [*GridSerializer.Meta.fields, "posts", "party_groups", "note"]
        read_only_fields = fields


class GridViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grids the user may read, with today's workers, Party group, households and persons; phones masked."""

    queryset = Grid.objects.none()
    serializer_class = GridSerializer
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> Any:
        return GridDetailSerializer if self.action == "retrieve" else GridSerializer

    def get_queryset(self) -> QuerySet[Grid]:
        qs = selectors.visible(self.scope).select_related("territory").order_by("territory__path")
        code = self.request.query_params.get("org")
        if code and self.action == "list":
            org = readable_org(self.request, code)
            qs = qs.filter(pk__in=selectors.for_org(org).values("pk"))
        if self.action == "retrieve":
            qs = qs.prefetch_related("workers__user", "party_groups__org")
        return qs

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and self.action in ("list", "retrieve"):
            rows = args[0]
            grids = list(rows) if not isinstance(rows, Grid) else [rows]
            day = services.today()
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["extra"] = {"workers": selectors.workers_on(grids, day),
                                          "groups": selectors.party_groups_on(grids, day),
                                          "counts": selectors.counts_on(grids, day)}
        return super().get_serializer(*args, **kwargs)


ROUTES = [("grids", GridViewSet, "api-grid")]
