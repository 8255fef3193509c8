"""Residents' opinions, included at the site root: the staff pages, the station's set-up and import, the public
station pages under p/ (no account needed) and Open311 GeoReport v2 under open311/v2/ (`urls_open311`)."""

from django.urls import include, path

from .views import imports, public, setup, staff

public_patterns = [
    path("track/", public.track, name="public-track"),  # before <station>/: "track" is no station code
    path("<str:station>/", public.opinion_form, name="public-opinion-form"),
    path("<str:station>/done/", public.opinion_done, name="public-opinion-done"),
    path("<str:station>/published/", public.published, name="public-published"),
    path("<str:station>/poster/<str:outlet>/", public.poster, name="public-poster"),
]

urlpatterns = [
    path("orgs/<str:code>/opinions/", staff.opinion_list, name="opinion-list"),
    path("orgs/<str:code>/opinions/new/", staff.opinion_new, name="opinion-new"),
    path("orgs/<str:code>/opinions/stats/", staff.opinion_stats, name="opinion-stats"),
    path("orgs/<str:code>/opinions/import/", imports.opinion_import, name="opinion-import"),
    path("orgs/<str:code>/opinions/import/template.xlsx", imports.opinion_import_template,
         name="opinion-import-template"),
    path("orgs/<str:code>/opinions/setup/", setup.station_setup, name="opinion-setup"),
    path("orgs/<str:code>/opinions/setup/departments/new/", setup.department_new, name="opinion-department-new"),
    path("orgs/<str:code>/opinions/setup/categories/new/", setup.category_new, name="opinion-category-new"),
    path("orgs/<str:code>/opinions/setup/outlets/new/", setup.outlet_new, name="opinion-outlet-new"),
    path("opinions/departments/<int:pk>/", setup.department_edit, name="opinion-department-edit"),
    path("opinions/departments/<int:pk>/active/", setup.department_active, name="opinion-department-active"),
    path("opinions/departments/<int:pk>/delete/", setup.department_delete, name="opinion-department-delete"),
    path("opinions/categories/<int:pk>/", setup.category_edit, name="opinion-category-edit"),
    path("opinions/categories/<int:pk>/active/", setup.category_active, name="opinion-category-active"),
    path("opinions/categories/<int:pk>/delete/", setup.category_delete, name="opinion-category-delete"),
    path("opinions/outlets/<int:pk>/", setup.outlet_edit, name="opinion-outlet-edit"),
    path("opinions/outlets/<int:pk>/active/", setup.outlet_active, name="opinion-outlet-active"),
    path("opinions/outlets/<int:pk>/delete/", setup.outlet_delete, name="opinion-outlet-delete"),
    path("opinions/<int:pk>/", staff.opinion_detail, name="opinion-detail"),
    path("opinions/<int:pk>/reveal/<str:field>/", staff.opinion_reveal, name="opinion-reveal"),
    path("opinions/<int:pk>/assign/", staff.opinion_assign, name="opinion-assign"),
    path("opinions/<int:pk>/escalate/", staff.opinion_escalate, name="opinion-escalate"),
    path("opinions/<int:pk>/reply/", staff.opinion_reply, name="opinion-reply"),
    path("opinions/<int:pk>/replies/<int:change>/publish/", staff.opinion_reply_publish,
         name="opinion-reply-publish"),
    path("opinions/<int:pk>/replies/<int:change>/discard/", staff.opinion_reply_discard,
         name="opinion-reply-discard"),
    path("opinions/<int:pk>/rating/", staff.opinion_rate, name="opinion-rate"),
    path("opinions/<int:pk>/published/", staff.opinion_set_published, name="opinion-set-published"),
    path("opinions/<int:pk>/attachments/", staff.opinion_attach, name="opinion-attach"),
    path("opinions/<int:pk>/attachments/<int:attachment>/", staff.opinion_attachment, name="opinion-attachment"),
    path("p/", include(public_patterns)),
    path("open311/v2/", include("grassroots.opinions.urls_open311")),
]
