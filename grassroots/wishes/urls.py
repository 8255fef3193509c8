"""Micro-wishes, included at the site root: the staff and member pages, the import, and the public pages of an
organization whose wish intake is on (under p/<station>/wishes/, no account needed)."""

from django.urls import include, path

from .views import imports, public, staff

public_patterns = [
    path("", public.wish_form, name="public-wish-form"),
    path("done/", public.wish_done, name="public-wish-done"),
    path("track/", public.wish_track, name="public-wish-track"),
    path("published/", public.wish_published, name="public-wish-published"),
    path("poster/", public.wish_poster, name="public-wish-poster"),
]

urlpatterns = [
    path("orgs/<str:code>/wishes/", staff.wish_list, name="wish-list"),
    path("orgs/<str:code>/wishes/new/", staff.wish_new, name="wish-new"),
    path("orgs/<str:code>/wishes/intake/", staff.wish_intake, name="wish-intake"),
    path("orgs/<str:code>/wishes/import/", imports.wish_import, name="wish-import"),
    path("orgs/<str:code>/wishes/import/template.xlsx", imports.wish_import_template, name="wish-import-template"),
    path("wishes/open/", staff.wish_open, name="wish-open"),
    path("wishes/<int:pk>/", staff.wish_detail, name="wish-detail"),
    path("wishes/<int:pk>/reveal/<str:field>/", staff.wish_reveal, name="wish-reveal"),
    path("wishes/<int:pk>/publish/", staff.wish_publish, name="wish-publish"),
    path("wishes/<int:pk>/decline/", staff.wish_decline, name="wish-decline"),
    path("wishes/<int:pk>/claim/", staff.wish_claim, name="wish-claim"),
    path("wishes/<int:pk>/release/", staff.wish_release, name="wish-release"),
    path("wishes/<int:pk>/fulfil/", staff.wish_fulfil, name="wish-fulfil"),
    path("wishes/<int:pk>/confirm/", staff.wish_confirm, name="wish-confirm"),
    path("members/<int:pk>/wishes/", staff.wish_member, name="wish-member"),
    path("p/<str:station>/wishes/", include(public_patterns)),
]
