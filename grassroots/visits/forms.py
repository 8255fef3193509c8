"""The forms of the visits pages (the services check every rule again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField

from .models import FindingType, LinkKind, Purpose

LATE_CHOICES = (("", _("All")), ("1", _("Entered late")), ("0", _("Entered on the day")))


class VisitFilterForm(forms.Form):
    place = forms.CharField(label=_("Place (code)"), required=False, max_length=60)
    start = LooseDateField(label=_("From"), required=False)
    end = LooseDateField(label=_("To"), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=[("", _("All")), *Purpose.choices])
    finding = forms.ChoiceField(label=_("Finding"), required=False, choices=[("", _("All")), *FindingType.choices])
    late = forms.ChoiceField(label=_("Entered late"), required=False, choices=LATE_CHOICES)


class VisitForm(forms.Form):
    """The visit form without JavaScript (the page's script sends the same fields as JSON to `visit-sync`)."""

    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    household = forms.CharField(label=_("Household number"), max_length=40,
                                widget=forms.TextInput(attrs={"list": "households", "autocomplete": "off"}))
    day = LooseDateField(label=_("Day of the visit"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, initial=Purpose.ROUTINE)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    finding_type = forms.ChoiceField(label=_("What was found"), required=False,
                                     choices=[("", _("Nothing to follow up")), *FindingType.choices])
    finding_text = forms.CharField(label=_("Finding"), required=False, max_length=1000,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class FindingForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=FindingType.choices)
    text = forms.CharField(label=_("What was found"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class HandledForm(forms.Form):
    note = forms.CharField(label=_("How it was handled"), max_length=300)


class LinkForm(forms.Form):
    household = forms.CharField(label=_("Household number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    member = forms.IntegerField(label=_("Party member (number in the roster)"), required=False,
                                widget=forms.HiddenInput)
    person_name = forms.CharField(label=_("Name (a cadre or a unit)"), required=False, max_length=100)
    valid_from = LooseDateField(label=_("Linked from"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"] = forms.ModelChoiceField(label=_("Party member"), queryset=members,
                                                           required=False)


class EndForm(forms.Form):
    on = LooseDateField(label=_("Linked until"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TargetForm(forms.Form):
    place = forms.CharField(label=_("Place (code)"), max_length=60)
    person_name = forms.CharField(label=_("Linked person or unit (as on the links page)"), max_length=100)
    households = forms.IntegerField(label=_("Households to link"), min_value=0, max_value=200)
    note = forms.CharField(label=_("Why"), required=False, max_length=300)


class RatesForm(forms.Form):
    place = forms.CharField(label=_("Place (code)"), required=False, max_length=60)
    start = LooseDateField(label=_("From"), required=False)
    end = LooseDateField(label=_("To"), required=False)
    as_of = LooseDateField(label=_("Households as of"), required=False)
