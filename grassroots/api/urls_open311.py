"""Open311 GeoReport v2, mounted at /open311/v2/."""

urlpatterns: list = []
