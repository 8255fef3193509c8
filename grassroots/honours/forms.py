"""Forms of the honours pages: shapes only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField


class ProposeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    kind = forms.ChoiceField(label=_("Kind"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    on = LooseDateField(label=_("Proposed on"))

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[("approve", "approve"), ("publish", "publish"), ("decline", "decline")],
                             widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = LooseDateField(label=_("Date"))
    reason = forms.CharField(label=_("Reason for declining"), max_length=300, required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "—"), *states]  # type: ignore[attr-defined]


class KindForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
