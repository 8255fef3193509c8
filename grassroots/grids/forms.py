"""The forms of the grid pages: set up a grid on a place, draw a new grid, edit one (with its version), name its
Party group, appoint and end a worker, assign households, and the day a grid's page is read as of."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField

from .models import GridWorker

KIND_CHOICES = (("grid", _("Grid")), ("villager_group", _("Villager group")))


class _Choice(forms.ModelChoiceField):
    def __init__(self, queryset: QuerySet[Any], label: Any, *, required: bool = True, text: Any = None) -> None:
        super().__init__(queryset=queryset, label=label, required=required)
        if text is not None:
            self.label_from_instance = text  # type: ignore[method-assign]


def _place_text(t: Any) -> str:
    return f"{t.code} {t.name}"


def _member_text(m: Any) -> str:
    return f"{m.name} ({m.org.name})" if m.org is not None else m.name


class HeadFields(forms.Form):
    head_name = forms.CharField(label=_("Grid head"), max_length=50, required=False,
                                help_text=_("Leave empty to take the member's name."))
    head_phone = forms.CharField(label=_("Grid head's phone"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head_member"] = _Choice(members.select_related("org"), _("Grid head (member)"),
                                             required=False, text=_member_text)
        self.order_fields(["head_name", "head_member", "head_phone", "note"])


class GridSetUpForm(HeadFields):
    field_order = ["territory", "set_up_on", "head_name", "head_member", "head_phone", "note"]
    set_up_on = LooseDateField(label=_("Set up on"), required=False,
                               help_text=_("Leave empty for a grid there before the records."))

    def __init__(self, *args: Any, places: QuerySet[Any], members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, members=members, **kwargs)
        self.fields["territory"] = _Choice(places, _("Place (grid or villager group)"), text=_place_text)
        self.order_fields(self.field_order)


class GridNewForm(HeadFields):
    field_order = ["parent", "code", "name", "kind", "on", "head_name", "head_member", "head_phone", "note"]
    code = forms.CharField(label=_("Grid code"), max_length=32)
    name = forms.CharField(label=_("Grid name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial="grid")
    on = LooseDateField(label=_("Set up on"), required=False,
                        help_text=_("Leave empty for a grid there before the records."))

    def __init__(self, *args: Any, parents: QuerySet[Any], members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, members=members, **kwargs)
        self.fields["parent"] = _Choice(parents, _("Community or village"), text=_place_text)
        self.order_fields(self.field_order)


class GridEditForm(HeadFields):
    set_up_on = LooseDateField(label=_("Set up on"), required=False)
    clear_phone = forms.BooleanField(label=_("Remove the grid head's phone"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, masked_phone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head_phone"].help_text = (
            _("Now %(phone)s. Leave empty to keep it; type a new number to change it.") % {"phone": masked_phone}
            if masked_phone else "")

    def phone(self) -> str | None:
        """What the service is given: None keeps the phone, "" removes it, digits replace it."""
        if self.cleaned_data.get("clear_phone"):
            return ""
        return self.cleaned_data.get("head_phone") or None


class PartyGroupForm(forms.Form):
    on = LooseDateField(label=_("From"))

    def __init__(self, *args: Any, groups: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = _Choice(groups, _("Grid Party group"), required=False,
                                     text=lambda o: f"{o.name} ({o.code})")
        self.fields["org"].help_text = _("Leave empty: the grid has no Party group from that day.")
        self.order_fields(["org", "on"])


class AppointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False,
                           help_text=_("Leave empty to take the member's name."))
    username = forms.CharField(label=_("User name"), max_length=150,
                               help_text=_("An existing account, or a new one: its password is shown once."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    started_on = LooseDateField(label=_("From"))

    def __init__(self, *args: Any, members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = _Choice(members.select_related("org"), _("Party member"), required=False,
                                        text=_member_text)
        self.order_fields(["name", "member", "username", "phone", "started_on"])


class EndWorkerForm(forms.Form):
    on = LooseDateField(label=_("Until"))
    reason = forms.CharField(label=_("Why it ended"), max_length=100, required=False)

    def __init__(self, *args: Any, workers: QuerySet[GridWorker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"] = _Choice(workers, _("Grid worker"),
                                        text=lambda w: f"{w.name} ({w.user.username}, {w.started_on:%Y-%m-%d})")
        self.order_fields(["worker", "on", "reason"])


class AssignForm(forms.Form):
    on = LooseDateField(label=_("From"))

    def __init__(self, *args: Any, households: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["households"] = forms.ModelMultipleChoiceField(
            queryset=households, label=_("Households"), widget=forms.CheckboxSelectMultiple)
        self.fields["households"].label_from_instance = (  # type: ignore[attr-defined]
            lambda h: f"{h.code} {h.head_name} · {h.territory.name} {h.address_text}")
        self.order_fields(["households", "on"])


class AsOfForm(forms.Form):
    as_of = LooseDateField(label=_("As of"), required=False)
