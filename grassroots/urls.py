from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("grassroots.api.urls")),
    path("open311/v2/", include("grassroots.api.urls_open311")),
    path("admin/", admin.site.urls),
    path("", include("grassroots.web.urls")),
]
