"""Forms of the micro-wishes pages. They only check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.forms import LooseDateField

from .models import Category, Channel, State

HONEYPOT = "website"


class PublicWishForm(forms.Form):
    text = forms.CharField(label=_("Your wish"), max_length=1000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("A small thing you need help with: a school bag for a child, a repair at "
                                       "home, someone to visit an elderly neighbour."))
    category = forms.ChoiceField(label=_("What it is about"), choices=Category.choices, initial=Category.OTHER)
    place = forms.CharField(label=_("Where (community, building)"), max_length=200, required=False)
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Your phone"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    via = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))


class WishEntryForm(forms.Form):
    text = forms.CharField(label=_("Wish"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    resident_name = forms.CharField(label=_("Resident's name"), max_length=50)
    resident_phone = forms.CharField(label=_("Resident's phone"), max_length=20, required=False)
    collected_on = LooseDateField(label=_("Collected on"))
    channel = forms.ChoiceField(label=_("Channel"), choices=[(Channel.STAFF, Channel.STAFF.label),
                                                              (Channel.VISIT, Channel.VISIT.label)])
    visit_ref = forms.CharField(label=_("Visit (household or note)"), max_length=100, required=False)


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DayForm(_Versioned):
    on = LooseDateField(label=_("Date"))


class DeclineForm(DayForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReleaseForm(DayForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ConfirmForm(DayForm):
    note = forms.CharField(label=_("Note (how the resident confirmed)"), max_length=500, required=False)


class FulfilForm(DayForm):
    note = forms.CharField(label=_("What was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo"), required=False,
                            help_text=_("Optional: a photo if you have one; it is never required."))


class ClaimForm(DayForm):
    """A claim entered by staff: for one member, one organization or one outside unit."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none(), required=False)
    claimant_org = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none(),
                                          required=False)
    unit = forms.CharField(label=_("Outside unit"), max_length=100, required=False)

    def __init__(self, *args: Any, members: QuerySet[Member], orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["claimant_org"].queryset = orgs  # type: ignore[attr-defined]


class MemberClaimForm(_Versioned):
    """A member's own claim from the phone: which of their member records claims (one, usually)."""

    member = forms.ModelChoiceField(queryset=Member.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class IntakeForm(_Versioned):
    enabled = forms.BooleanField(label=_("Take wishes on the public form"), required=False)
    intro = forms.CharField(label=_("Words on the public form"), max_length=300, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


OVERDUE_CHOICES = [("", _("Any")), ("1", _("Late only"))]


class WishFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any"))] + list(State.choices))
    overdue = forms.ChoiceField(label=_("Late"), required=False, choices=OVERDUE_CHOICES)
    year = forms.IntegerField(label=_("Collected in"), required=False, min_value=1990, max_value=2100)
    claimed = forms.ChoiceField(label=_("Claimed"), required=False,
                                choices=[("", _("Any")), ("1", _("Claimed, fulfilled or confirmed"))])
    fulfilled_year = forms.IntegerField(label=_("Fulfilled in"), required=False, min_value=1990, max_value=2100)
