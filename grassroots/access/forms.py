"""Forms of the accounts pages. They only parse input; `access.services` checks every rule (who may give
out which role where, the password's strength). The organizations offered come from where the user gives out
roles, so one outside it can never be chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RoleKind

# The roles given at an organization (a member's role is given from the member's page).
# A grid worker's role is held at a place: the grids pages give it, with the place.
ORG_ROLE_CHOICES = [(k, label) for k, label in RoleKind.choices if k not in (RoleKind.MEMBER, RoleKind.GRID_WORKER)]
PASSWORD_HELP = _("Leave blank and a strong password is made and shown once, to hand over to the user.")


def password_fields() -> tuple[forms.CharField, forms.CharField]:
    widget = {"autocomplete": "new-password"}
    return (forms.CharField(label=_("Password"), required=False, strip=False, help_text=PASSWORD_HELP,
                            widget=forms.PasswordInput(attrs=widget)),
            forms.CharField(label=_("Password again"), required=False, strip=False,
                            widget=forms.PasswordInput(attrs=widget)))


class PasswordMixin:
    """A password typed twice, or none (then one is generated): `chosen_password()`."""

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        if (data.get("password") or "") != (data.get("password_again") or ""):
            self.add_error("password_again", _("The two passwords differ."))  # type: ignore[attr-defined]
        return data

    def chosen_password(self) -> str | None:
        return self.cleaned_data.get("password") or None  # type: ignore[attr-defined]


class RoleAtOrgForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"), choices=ORG_ROLE_CHOICES, initial=RoleKind.SECRETARY,
                             help_text=_("Organizer: reads and changes the subtree and gives out its roles. "
                                         "Secretary: reads and changes the subtree's records. "
                                         "Auditor: reads the subtree."))
    org = forms.ChoiceField(label=_("At"))

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = org_choices  # type: ignore[attr-defined]


class AccountCreateForm(PasswordMixin, RoleAtOrgForm):
    username = forms.CharField(label=_("User name"), max_length=150,
                               help_text=_("What the user types to log in: letters, digits and @ . + - _"),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    password, password_again = password_fields()

    field_order = ["username", "full_name", "kind", "org", "password", "password_again"]


class PasswordForm(PasswordMixin, forms.Form):
    password, password_again = password_fields()


class ConfirmForm(forms.Form):
    """A write with nothing to type: the button is the confirmation."""


class MemberAccountForm(PasswordMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150,
                               help_text=_("A new user name creates the member's account; the user name of an "
                                           "existing account you manage links that account."),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False,
                                help_text=_("For a new account; the member's name when left blank."))
    password, password_again = password_fields()
