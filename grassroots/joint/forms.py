"""The joint-meeting pages' forms. They only read what was typed; the rules are the services' (`joint.services`),
whose RuleError the views put back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.cobuild.models import ResidentUnit
from grassroots.ui.forms import LooseDateField

from .models import JointMembership, UnitPresence


class BodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    set_up_on = LooseDateField(label=_("Set up on"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    on = LooseDateField(label=_("Ended on"), help_text=_("The first day it no longer holds."))


class MembershipForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResidentUnit.objects.none())
    joined_on = LooseDateField(label=_("Joined on"))
    representative = forms.CharField(label=_("Representative"), max_length=50, required=False)

    def __init__(self, *args: Any, units: QuerySet[ResidentUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    date = LooseDateField(label=_("Date"),
                          help_text=_("A past date is fine: the meeting is marked as entered late."))
    topic = forms.CharField(label=_("Topic or agenda"), max_length=300)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    host = forms.CharField(label=_("Host"), max_length=50, required=False)
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("One decision a line, in order."))
    attachment = forms.FileField(label=_("Attachment (a photo of the paper sign-in sheet)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, members: list[JointMembership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"unit_{m.unit_id}"] = forms.ChoiceField(
                label=m.unit.name, choices=[("", "—"), *UnitPresence.choices], required=False)
            self.fields[f"who_{m.unit_id}"] = forms.CharField(
                label=_("Who came for %(unit)s") % {"unit": m.unit.name}, max_length=100, required=False,
                initial=m.representative)

    def attendance_rows(self) -> list[dict[str, Any]]:
        return [{"membership": m, "presence": self[f"unit_{m.unit_id}"], "who": self[f"who_{m.unit_id}"]}
                for m in self.members]

    def main_fields(self) -> list[Any]:
        return [self[n] for n in ("date", "topic", "place", "host", "minutes", "decisions", "attachment", "caption")]

    def attendance(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {m.unit_id: (d[f"unit_{m.unit_id}"], d.get(f"who_{m.unit_id}") or "") for m in self.members
                if d.get(f"unit_{m.unit_id}")}


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class OwnedForm(forms.Form):
    """A project or a task from a decision: owned by a member unit and/or a named person, by a deadline."""

    title = forms.CharField(label=_("Title"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResidentUnit.objects.none(), required=False)
    owner = forms.CharField(label=_("Person in charge"), max_length=50, required=False)
    due_on = LooseDateField(label=_("Deadline"))

    def __init__(self, *args: Any, units: QuerySet[ResidentUnit], due_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["due_on"].required = due_required


class TaskForm(OwnedForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = LooseDateField(label=_("Done on"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TaskFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Tasks"), required=False,
                              choices=[("", _("All")), ("open", _("Open")), ("done", _("Done"))])
