"""Links and visits, included at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path("visits/", views.visit_list, name="visit-list"),
    path("orgs/<str:code>/visits/", views.visit_list, name="visit-org-list"),
    path("visits/new/", views.visit_new, name="visit-new"),
    path("visits/sync/", views.visit_sync, name="visit-sync"),
    path("visits/links/", views.link_list, name="visit-links"),
    path("visits/links/new/", views.link_new, name="visit-link-new"),
    path("visits/targets/new/", views.target_new, name="visit-target-new"),
    path("visits/rates/", views.rates, name="visit-rates"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/findings/", views.visit_finding_add, name="visit-finding-add"),
    path("visit-findings/<int:pk>/opinion/", views.finding_opinion, name="visit-finding-opinion"),
    path("visit-findings/<int:pk>/wish/", views.finding_wish, name="visit-finding-wish"),
    path("visit-findings/<int:pk>/handled/", views.finding_handled, name="visit-finding-handled"),
    path("visit-links/<int:pk>/end/", views.link_end, name="visit-link-end"),
    path("households/<int:pk>/visits/", views.household_visits, name="visit-household"),
]
