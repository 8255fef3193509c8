"""Forms of the server-rendered pages. They only parse input; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField


class AsOfForm(forms.Form):
    as_of = LooseDateField(label=_("As of"), required=False)


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Filter by name")}))


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. member.create")}))
    object = forms.CharField(label=_("Object"), required=False, max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": _("name, id or type")}))
