"""The shell's pages: home, login, the tree, the organization page and dashboard frames, the audit log.

Every domain's pages come from its own app's URLconf, included by the root URLconf through the module registry.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_dashboards, views_findings

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", views.org_tree, name="org-tree"),
    path("orgs/<str:code>/", views.org_detail, name="org-detail"),
    path("orgs/<str:code>/dashboard/", views_dashboards.dashboard, name="dashboard"),
    path("orgs/<str:code>/todo/", views_findings.org_findings, name="org-findings"),
    path("audit/", views.audit_log, name="audit-log"),
]
