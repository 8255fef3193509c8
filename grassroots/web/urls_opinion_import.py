"""The opinions' Excel import page."""

urlpatterns: list = []
