"""The volunteer pages' forms. They only read what was typed; the rules are the services', whose RuleError the
views put back on the field it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.members.models import Member
from grassroots.ui.forms import LooseDateField

from .models import IdType, NoteKind, Volunteer


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"]


class TeamForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    captain = forms.CharField(label=_("Captain"), max_length=50, required=False)
    tenet = forms.CharField(label=_("Tenet"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    founded_on = LooseDateField(label=_("Founded on"), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.name


class VolunteerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Volunteer) -> str:
        return f"{obj.display_name} ({obj.number})"


class RegisterForm(forms.Form):
    member = MemberChoice(label=_("Member (leave empty for a resident)"), queryset=Member.objects.none(),
                          required=False)
    name = forms.CharField(label=_("Resident's name"), max_length=50, required=False)
    id_type = forms.ChoiceField(label=_("Document type"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("Document number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=200, required=False)
    registered_on = LooseDateField(label=_("Registered on"))
    number = forms.CharField(label=_("Volunteer number (empty: the next one)"), max_length=40, required=False)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class VolunteerEditForm(forms.Form):
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=200, required=False)
    left_on = LooseDateField(label=_("Left on"), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class JoinForm(forms.Form):
    volunteer = VolunteerChoice(label=_("Volunteer"), queryset=Volunteer.objects.none())
    joined_on = LooseDateField(label=_("Joined on"))

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Place"), max_length=150, required=False)
    starts_at = DateTimeLocalField(label=_("Starts at"))
    ends_at = DateTimeLocalField(label=_("Ends at"), help_text=_("An end after midnight is on the next day."))
    organizer = forms.CharField(label=_("Organizer"), max_length=50, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Place"), max_length=150, required=False)
    starts_at = DateTimeLocalField(label=_("First start"))
    minutes = forms.IntegerField(label=_("Duration, minutes"), min_value=1, max_value=1440)
    rrule = forms.CharField(label=_("Recurrence rule (RRULE)"), max_length=300,
                            help_text=_("For example FREQ=MONTHLY;BYMONTHDAY=5;COUNT=12 (COUNT or UNTIL required)."))
    organizer = forms.CharField(label=_("Organizer"), max_length=50, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)


class SignUpForm(forms.Form):
    volunteer = VolunteerChoice(label=_("Volunteer"), queryset=Volunteer.objects.none())

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    day = LooseDateField(label=_("Day of service"))
    hours = forms.CharField(label=_("Hours"), max_length=10, help_text=_("In half-hour units: 0.5, 1, 1.5 ..."))
    content = forms.CharField(label=_("What was done"), max_length=300)
    place = forms.CharField(label=_("Place"), max_length=150, required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    day = LooseDateField(label=_("Day"))
    title = forms.CharField(label=_("What"), max_length=200)
    hours = forms.CharField(label=_("Hours (training)"), max_length=10, required=False)


class CertificateForm(forms.Form):
    period_start = LooseDateField(label=_("Service from"))
    period_end = LooseDateField(label=_("Service to"))
    person_in_charge = forms.CharField(label=_("Person in charge"), max_length=50)
    handler = forms.CharField(label=_("Handled by"), max_length=50)
    contact = forms.CharField(label=_("Contact"), max_length=50)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class CorrectionForm(forms.Form):
    record = forms.ChoiceField(label=_("Record to correct"), choices=())
    hours = forms.CharField(label=_("Hours asked for"), max_length=10)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, records: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = records  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", _("Approve")), ("0", _("Decline"))])
    answer = forms.CharField(label=_("Answer"), max_length=300, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


def local_dt(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value
