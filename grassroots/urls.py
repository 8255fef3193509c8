"""The root URLconf: Django's own pages, the API, every registered module's pages, then the shell."""

from django.contrib import admin
from django.urls import include, path

from grassroots.core.modules import modules

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("grassroots.api.urls")),
    path("admin/", admin.site.urls),
]
urlpatterns += [path("", include(m.urls)) for m in modules() if m.urls]
urlpatterns += [path("", include("grassroots.ui.urls"))]  # the import jobs' pages, every import's
urlpatterns += [path("", include("grassroots.web.urls"))]

handler400 = "grassroots.ui.errors.bad_request"
handler403 = "grassroots.ui.errors.permission_denied"
handler404 = "grassroots.ui.errors.page_not_found"
handler500 = "grassroots.ui.errors.server_error"
