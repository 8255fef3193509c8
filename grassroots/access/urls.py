"""The accounts pages (an organization's accounts, one account, a member's own account)."""

from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<str:code>/accounts/", views.org_accounts, name="org-accounts"),
    path("orgs/<str:code>/accounts/add/", views.account_create, name="account-create"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/grant/", views.account_grant, name="account-grant"),
    path("accounts/<int:pk>/roles/<int:role>/withdraw/", views.role_withdraw, name="role-withdraw"),
    path("accounts/<int:pk>/password/", views.account_password, name="account-password"),
    path("accounts/<int:pk>/deactivate/", views.account_deactivate, name="account-deactivate"),
    path("members/<int:pk>/account/", views.member_account, name="member-account"),
]
