"""The practical-project pages' forms. They only read what was typed; the rules are the services'
(`congress.services`), whose RuleError the views put back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.deliberation.models import Seat, Vote
from grassroots.meetings.models import Meeting
from grassroots.ui.forms import LooseDateField

from .models import Status, SupervisionKind


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)


class ProjectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Project"), max_length=200)
    code = forms.CharField(label=_("Project no."), max_length=30, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False,
                              help_text=_("Empty: the year of the congress that voted it."))
    weight = forms.IntegerField(label=_("Weight in the parent's progress"), min_value=1, max_value=1000, initial=1)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.CharField(label=_("Lead unit"), max_length=100, required=False)
    handler_name = forms.CharField(label=_("Responsible person (published name)"), max_length=50, required=False)
    handler_phone = forms.CharField(label=_("Office phone (published)"), max_length=30, required=False,
                                    help_text=_("An office phone only: it is shown on the public page."))
    planned_start = LooseDateField(label=_("Planned start"), required=False)
    due_on = LooseDateField(label=_("Due date"), required=False)
    meeting = forms.ModelChoiceField(label=_("Voted at (congress)"), queryset=Meeting.objects.none(), required=False)
    vote = forms.ModelChoiceField(label=_("Vote"), queryset=Vote.objects.none(), required=False)
    published = forms.BooleanField(label=_("Published on the station's public pages"), required=False)
    on = LooseDateField(label=_("Planned on"), required=False,
                        help_text=_("Empty: the day of the congress that voted it (a sub-project: its parent's), "
                                    "else today. A past date is fine."))

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], votes: QuerySet[Vote], sub: bool = False,
                 edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["vote"].queryset = votes  # type: ignore[attr-defined]
        if edit:
            del self.fields["on"]
        if sub or edit:
            del self.fields["year"]
        if sub:
            del self.fields["meeting"], self.fields["vote"], self.fields["published"]
        else:
            self.fields["weight"].help_text = _("Counts only for a sub-project.")


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    on = LooseDateField(label=_("Date"))
    note = forms.CharField(label=_("Reason or note"), max_length=300, required=False,
                           help_text=_("Required when the project is suspended or dropped."))

    def __init__(self, *args: Any, allowed: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(v, label) for v, label in Status.choices  # type: ignore[attr-defined]
                                     if v in allowed]


class ProgressForm(forms.Form):
    on = LooseDateField(label=_("Date"))
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = LooseDateField(label=_("Due date"))
    weight = forms.IntegerField(label=_("Share"), min_value=1, max_value=1000, initial=1)


class DoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = LooseDateField(label=_("Done on"))


class ReportForm(forms.Form):
    on = LooseDateField(label=_("Date"))
    text = forms.CharField(label=_("Report text"), widget=forms.Textarea(attrs={"rows": 4}))


class SupervisionForm(forms.Form):
    on = LooseDateField(label=_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionKind.choices)
    seats = forms.ModelMultipleChoiceField(label=_("Representatives taking part"), queryset=Seat.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    names = forms.CharField(label=_("Others taking part"), max_length=300, required=False,
                            help_text=_("Names, as they are to be shown."))
    findings = forms.CharField(label=_("What they found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, seats: QuerySet[Seat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seats"].queryset = seats  # type: ignore[attr-defined]
