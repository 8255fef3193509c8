from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", views.org_tree, name="org-tree"),
    path("orgs/<str:code>/", views.org_detail, name="org-detail"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member-reveal"),
    path("import/members/", views.member_import, name="member-import"),
    path("import/members/template.xlsx", views.member_import_template, name="member-import-template"),
    path("audit/", views.audit_log, name="audit-log"),
]
