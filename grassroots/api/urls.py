"""The API's routes, mounted under /api/ by grassroots/urls.py: the schema, the docs, the audit log, and every
registered module's endpoints (its `api` module's ROUTES for the router and its `urlpatterns`)."""

from django.urls import include, path
from django.utils.module_loading import import_module
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from grassroots.core.modules import modules

from . import views

router = SimpleRouter()
router.register("audit", views.AuditViewSet, basename="api-audit")
extra: list = []
for _module in modules():
    if not _module.api:
        continue
    _api = import_module(_module.api)
    for prefix, viewset, basename in getattr(_api, "ROUTES", ()):
        router.register(prefix, viewset, basename=basename)
    if getattr(_api, "urlpatterns", None):
        extra.append(path("", include(_module.api)))


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path("docs/", views.DocsView.as_view(), name="api-docs"),
    *extra,
    *router.urls,
]
