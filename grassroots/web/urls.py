from django.urls import path

urlpatterns: list = [
    path("", lambda r: None, name="home"),
]
