"""Household honours, included at the site root: an organization's honours of a year, the local kinds, a
household's honours and the proposal form, one honour with its steps, and the station's public page."""

from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<str:code>/honours/", views.honour_list, name="honours-list"),
    path("orgs/<str:code>/honours/kinds/", views.kinds, name="honours-kinds"),
    path("honours/household/<int:pk>/", views.household_page, name="honours-household"),
    path("honours/<int:pk>/", views.honour_page, name="honours-detail"),
    path("p/<str:station>/honours/", views.public_honours, name="public-honours"),
]
