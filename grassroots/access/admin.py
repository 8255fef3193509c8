"""Roles and accounts in the admin, view-only. Roles are granted and withdrawn, accounts created, given a password
and deactivated through `access.services` (the site's account pages and the `grassroots user` command), which check
that nobody grants more than they hold and write the audit log; the admin would write past both (and deleting an
account there would take its roles with it, unrecorded). Groups and Django's own permissions are not used by the
platform: the admin shows them and changes none."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from grassroots.core.readonly_admin import ReadOnlyAdmin

from .models import Role


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "org", "member")
    list_filter = ("kind",)
    search_fields = ("user__username", "org__name", "org__code", "member__name")
    pages_note = _("Roles are granted and withdrawn by the organizers on the site's own pages (and by the site "
                   "administrator with the grassroots command), where every change is checked and audited. The "
                   "admin only shows them.")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(ReadOnlyAdmin, UserAdmin):
    """The account, never its password hash (the read-only page would print it)."""

    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    pages_note = _("Accounts are created, given roles and passwords, and deactivated on the site's own pages (an "
                   "organization's Accounts page) and with the grassroots user command, where every change is "
                   "checked and audited. The admin only shows them; an account is deactivated, never deleted, so "
                   "that its roles and its place in the audit log stay.")


@admin.register(Group)
class GroupReadOnlyAdmin(ReadOnlyAdmin, GroupAdmin):
    pages_note = _("The platform does not use groups: what an account may do comes from its roles, kept on the "
                   "site's own pages. The admin only shows them.")
