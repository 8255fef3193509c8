"""The API's routes, mounted under /api/ by grassroots/urls.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from . import opinions, views

router = SimpleRouter()
router.register("orgs", views.OrgViewSet, basename="api-org")
router.register("members", views.MemberViewSet, basename="api-member")
router.register("audit", views.AuditViewSet, basename="api-audit")
router.register("opinions", opinions.OpinionViewSet, basename="api-opinion")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path("docs/", views.DocsView.as_view(), name="api-docs"),
    path("orgs/<str:code>/opinion-statistics/", opinions.OpinionStatisticsView.as_view(),
         name="api-org-opinion-statistics"),
    *router.urls,
]
urlpatterns.append(path("", ("grassroots.api.lifecycle", None, None)))  # = include(): transfers, member lifecycle
