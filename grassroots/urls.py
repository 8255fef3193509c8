from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("grassroots.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("grassroots.web.urls")),
]
