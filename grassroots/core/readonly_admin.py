"""The Django admin as a window only: every domain model it lists is shown, never added, changed or deleted there.

Domain records are written by their app's services (validated, permission-checked, audited); the admin would write
past all three. A domain app registers its models with `ReadOnlyAdmin` (or a subclass), saying in `pages_note` where
the records are really kept; the list and the record pages show that note. `core/tests/test_readonly_admin.py`
checks every registered domain model as a superuser.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete, for anyone (the superuser included), and no bulk actions."""

    change_list_template = "core/admin_readonly_change_list.html"
    change_form_template = "core/admin_readonly_change_form.html"
    pages_note: Any = _("These records are kept on the site's own pages, where every change is checked and written "
                        "to the audit log. The admin only shows them.")
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(request, {**(extra_context or {}), "pages_note": self.pages_note})

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> Any:
        return super().changeform_view(request, object_id, form_url,
                                       {**(extra_context or {}), "pages_note": self.pages_note})
