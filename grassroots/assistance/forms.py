"""Forms of the assistance pages. They check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField

from .models import Form, Source


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EntryForm(_Versioned):
    kind = forms.ChoiceField(label=_("Kind"))
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices, initial=Form.CASH)
    amount = forms.DecimalField(label=_("Amount (yuan)"), required=False, max_digits=12, decimal_places=2)
    goods = forms.CharField(label=_("Goods"), max_length=200, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=12, decimal_places=2)
    given_on = LooseDateField(label=_("Date"))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.GOVERNMENT)
    source_name = forms.CharField(label=_("Source's name"), max_length=100, required=False)
    persons_count = forms.IntegerField(label=_("Persons helped"), required=False, min_value=1, max_value=50,
                                       help_text=_("Or choose the persons below."))
    persons = forms.MultipleChoiceField(label=_("Persons helped (chosen)"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], persons: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["persons"].choices = persons  # type: ignore[attr-defined]


class FilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    place = forms.ChoiceField(label=_("Place"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", "—"), *Source.choices])

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], places: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *kinds]  # type: ignore[attr-defined]
        self.fields["place"].choices = [("", "—"), *places]  # type: ignore[attr-defined]


class KindForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)


class DonationForm(forms.Form):
    donor = forms.CharField(label=_("Donor"), max_length=100)
    donor_is_unit = forms.BooleanField(label=_("The donor is a unit"), required=False)
    received_on = LooseDateField(label=_("Received on"))
    item = forms.CharField(label=_("Item"), max_length=60, required=False, help_text=_("Leave empty for cash."))
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=12, decimal_places=2)
    value = forms.DecimalField(label=_("Value or cash (yuan)"), required=False, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100, help_text=_("For example: 2024年第一季度爱心物资发放"))
    held_on = LooseDateField(label=_("Distributed on"))
    kind = forms.ChoiceField(label=_("Kind"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class LineForm(forms.Form):
    household = forms.ChoiceField(label=_("Household"))
    item = forms.ChoiceField(label=_("Item"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, min_value=0)
    persons_count = forms.IntegerField(label=_("Persons helped"), required=False, min_value=1, max_value=50)

    def __init__(self, *args: Any, households: list[tuple[int, str]], items: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = households  # type: ignore[attr-defined]
        self.fields["item"].choices = items  # type: ignore[attr-defined]


class SignForm(_Versioned):
    signed_on = LooseDateField(label=_("Signed for on"))
    photo = forms.FileField(label=_("Photo of the signed sheet"), required=False,
                            help_text=_("Optional: the signed paper is enough."))
