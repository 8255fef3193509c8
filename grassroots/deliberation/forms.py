"""The deliberation pages' forms. They only read what was typed; the rules are the services'
(`deliberation.services`), whose RuleError the views put back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.meetings.models import MeetingKind
from grassroots.ui.forms import LooseDateField

from .models import BodyKind, PartyKind, PathStepKind

SEAT_KINDS = [(k, MeetingKind(k).label) for k in ("congress", "two_committees", "reps_meeting",
                                                     "villagers_meeting", "briefing", "hearing")]


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    set_up_on = LooseDateField(label=_("Set up on"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SeatForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    office = forms.CharField(label=_("Office or work unit"), max_length=100, required=False)
    from_on = LooseDateField(label=_("From"))


class SeatEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_on = LooseDateField(label=_("Ended on"), help_text=_("The first day it no longer holds."))


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SEAT_KINDS)
    date = LooseDateField(label=_("Date"), help_text=_("A meeting may be entered after the day."))
    topic = forms.CharField(label=_("Topic"), max_length=300)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    host = forms.CharField(label=_("Host"), max_length=50, required=False)
    present = forms.MultipleChoiceField(label=_("Seats present"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    excused = forms.MultipleChoiceField(label=_("Seats excused"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    parties = forms.CharField(label=_("Invited parties"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Briefings and hearings: one party a line, as “name | kind | opinion”; "
                                          "kind one of: %(kinds)s") % {"kinds": ", ".join(PartyKind.values)})

    def __init__(self, *args: Any, seats: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = seats  # type: ignore[attr-defined]
        self.fields["excused"].choices = seats  # type: ignore[attr-defined]


class VoteForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    secret = forms.BooleanField(label=_("Secret ballot (counts only)"), required=False)
    yes = forms.IntegerField(label=_("Yes"), min_value=0)
    no = forms.IntegerField(label=_("No"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0)
    issued = forms.IntegerField(label=_("Ballots issued"), min_value=0, required=False)
    returned = forms.IntegerField(label=_("Ballots returned"), min_value=0, required=False)
    void = forms.IntegerField(label=_("Void ballots"), min_value=0, required=False)


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    opens_on = LooseDateField(label=_("Opens on"))
    closes_on = LooseDateField(label=_("Closes on"))
    public = forms.BooleanField(label=_("Shown on the public station pages"), required=False, initial=True)


class OpinionForm(forms.Form):
    received_on = LooseDateField(label=_("Received on"))
    author = forms.CharField(label=_("Name (not shown publicly)"), max_length=50, required=False)
    text = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}))


class PublicOpinionForm(forms.Form):
    text = forms.CharField(label=_("Your opinion"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    author = forms.CharField(label=_("Your name (optional, never shown publicly)"), max_length=50, required=False)


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Matter"), max_length=200)
    opened_on = LooseDateField(label=_("Opened on"))


class StepForm(forms.Form):
    step = forms.TypedChoiceField(label=_("Step"), choices=PathStepKind.choices, coerce=int)
    meeting = forms.IntegerField(label=_("Meeting number (steps 1-3)"), required=False, min_value=1)
    vote = forms.IntegerField(label=_("Vote number (step 4)"), required=False, min_value=1)
    on = LooseDateField(label=_("Date (steps 5-6)"), required=False)
    where = forms.CharField(label=_("Where published"), max_length=200, required=False)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
