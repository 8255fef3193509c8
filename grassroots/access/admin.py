"""The site administrator grants roles here; grants and withdrawals go through the services (and the audit log)."""

from typing import Any

from django.contrib import admin

from .models import Role
from .services import role_grant, role_withdraw


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "org", "member")
    list_filter = ("kind",)
    search_fields = ("user__username", "org__name", "org__code", "member__name")
    raw_id_fields = ("org", "member")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # withdraw and grant again: a role is a fact with a history, not a form to edit

    def save_model(self, request: Any, obj: Role, form: Any, change: bool) -> None:
        saved = role_grant(user=obj.user, kind=obj.kind, org=obj.org, member=obj.member)
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Role) -> None:
        role_withdraw(obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for role in queryset:
            role_withdraw(role)
