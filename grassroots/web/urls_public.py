"""The public pages of the people's feelings express station (民情快递站), under p/; no account needed."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("track/", views_public.track, name="public-track"),  # before <station>/: "track" is no station code
    path("<str:station>/", views_public.opinion_form, name="public-opinion-form"),
    path("<str:station>/done/", views_public.opinion_done, name="public-opinion-done"),
    path("<str:station>/published/", views_public.published, name="public-published"),
    path("<str:station>/poster/<str:outlet>/", views_public.poster, name="public-poster"),
]
