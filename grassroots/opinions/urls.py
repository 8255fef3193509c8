"""Residents' opinions: the staff pages, the import, the public station pages (p/) and Open311."""

from django.urls import include, path

urlpatterns = [
    path("", include("grassroots.web.urls_opinions")),
    path("", include("grassroots.web.urls_opinion_import")),
    path("p/", include("grassroots.web.urls_public")),
    path("open311/v2/", include("grassroots.api.urls_open311")),
]
