"""urls_dashboards"""

urlpatterns: list = []
