"""Roles in the admin, view-only: they are granted and withdrawn through `access.services` (the web pages and the
`grassroots` command), which check that nobody grants more than they hold and write the audit log."""

from django.contrib import admin
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
