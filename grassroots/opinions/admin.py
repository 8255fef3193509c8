"""The opinions station's set-up in the admin, view-only: it is kept on the station's set-up pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grassroots.core.readonly_admin import ReadOnlyAdmin

from .models import Category, Department, Outlet

NOTE = _("A station's departments, categories and outlets are set up on its pages: the organization's page, "
         "Opinion station set-up (/orgs/CODE/opinions/setup/), where every change is checked and audited. The "
         "admin only shows them.")


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "org", "contact", "active")
    pages_note = NOTE


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "org", "department", "deadline_workdays", "active")
    pages_note = NOTE


@admin.register(Outlet)
class OutletAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "org", "territory", "active")
    pages_note = NOTE
