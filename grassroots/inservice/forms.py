"""The forms of the in-service members' pages (plain fields; the services check the rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField

from .selectors import evaluation_choices


class ReportForm(forms.Form):
    community_org = forms.CharField(label=_("Code of the community's organization"), max_length=32)
    on = LooseDateField(label=_("Reported on"))
    first = forms.BooleanField(label=_("First report"), required=False)
    address = forms.CharField(label=_("Residence address"), max_length=200, required=False)
    workplace = forms.CharField(label=_("Workplace"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            help_text=_("Blank: the phone of the last report is kept."))
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    offers = forms.CharField(label=_("Services offered"), max_length=300, required=False)


class DecideForm(forms.Form):
    on = LooseDateField(label=_("Decided on"))
    reason = forms.CharField(label=_("Reason (when declined)"), max_length=200, required=False)


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grid = forms.TypedChoiceField(label=_("Grid"), required=False, coerce=int, empty_value=None)
    post = forms.TypedChoiceField(label=_("Post"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, grids: list[tuple[int, str]], posts: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["grid"].choices = [("", "—"), *grids]  # type: ignore[attr-defined]
        self.fields["post"].choices = [("", "—"), *posts]  # type: ignore[attr-defined]


class ServiceForm(forms.Form):
    day = LooseDateField(label=_("Day"))
    activity = forms.CharField(label=_("Activity"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1, min_value=0)
    evaluation = forms.ChoiceField(label=_("Evaluation"), required=False)

    def __init__(self, *args: Any, day: dt.date, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["evaluation"].choices = [("", "—"), *evaluation_choices(day)]  # type: ignore[attr-defined]


class FeedbackForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=[(q, q) for q in range(1, 5)], coerce=int)
    as_of = LooseDateField(label=_("As the records stood on"), required=False)
