"""The commitments pages' forms. Every write goes through `services`; a RuleError goes back onto its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.members.models import Member
from grassroots.ui.forms import LooseDateField

from .models import Level, Result, Theme

BLANK = [("", "—")]


class CommitmentForm(forms.Form):
    """A new commitment: the member (a secretary picks whom it is for; a member's own page has only them)."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=1921, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    theme = forms.ChoiceField(label=_("Theme (practical commitments)"), choices=BLANK + list(Theme.choices),
                              required=False)
    text = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    deadline = LooseDateField(label=_("Deadline"))
    made_on = LooseDateField(label=_("Made on"))
    conditional_fields = ("theme",)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members
        if members.count() == 1:
            field.widget = forms.HiddenInput()


class EditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    theme = forms.ChoiceField(label=_("Theme (practical commitments)"), choices=BLANK + list(Theme.choices),
                              required=False)
    text = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    deadline = LooseDateField(label=_("Deadline"))
    conditional_fields = ("theme",)


class ProgressForm(forms.Form):
    date = LooseDateField(label=_("Date"))
    text = forms.CharField(label=_("Progress made"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    photo = forms.FileField(label=_("Photo (optional, never required)"), required=False)


class ResultForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    result = forms.ChoiceField(label=_("Result"), choices=Result.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           help_text=_("Required unless the commitment was kept: what was and was not done."))
    on = LooseDateField(label=_("Reviewed on"))


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=300)
    on = LooseDateField(label=_("Withdrawn on"))


class FilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1921, max_value=2100, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=BLANK + list(Level.choices), required=False)
    result = forms.ChoiceField(label=_("Result"), required=False, choices=BLANK + list(Result.choices) + [
        ("none", _("No result yet")), ("withdrawn", _("Withdrawn before the deadline"))])
