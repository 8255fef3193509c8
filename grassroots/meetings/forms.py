"""The forms of the organizational-life pages: the meetings list's filter, recording a meeting (with its
attendance rows, one per expected attendee), and adding an attachment to a recorded meeting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from grassroots.members.models import Member
from grassroots.ui.forms import LooseDateField

from .models import ATTENDANCE_ELSEWHERE, MeetingKind, Presence

PRESENCE_CHOICES = list(Presence.choices)


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All kinds")), *MeetingKind.choices])
    start = LooseDateField(label=pgettext_lazy("date range", "From"), required=False)
    end = LooseDateField(label=pgettext_lazy("date range", "To"), required=False)


class MeetingForm(forms.Form):
    # A joint meeting is recorded from its body's page (joint), with its attendance by unit; the kinds of
    # ATTENDANCE_ELSEWHERE from the deliberation pages, with attendance by seat.
    kind = forms.ChoiceField(label=gettext_lazy("Kind"),
                             choices=[c for c in MeetingKind.choices if c[0] not in ATTENDANCE_ELSEWHERE])
    date = LooseDateField(label=gettext_lazy("Date"),
                          help_text=gettext_lazy("A past date is fine: the meeting is marked as entered late."))
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=300)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    host = forms.CharField(label=gettext_lazy("Host"), max_length=50, required=False)
    study_hours = forms.DecimalField(label=gettext_lazy("Class hours"), min_value=Decimal(0), max_value=Decimal(99),
                                     decimal_places=1, required=False, initial=0)
    minutes = forms.CharField(label=gettext_lazy("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=gettext_lazy("Attachment (a photo of the paper sign-in sheet)"),
                                 required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)


def attendance_rows(members: list[Member], data: Any = None,
                    initial: dict[int, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """One row per expected attendee with the presence and reason as posted (or as recorded)."""
    rows = []
    for m in members:
        presence, reason = (initial or {}).get(m.pk, ("", ""))
        if data is not None:
            presence = data.get(f"att-{m.pk}", "")
            reason = data.get(f"reason-{m.pk}", "").strip()
        rows.append({"member": m, "presence": presence, "reason": reason,
                     "choices": [(v, label, v == presence) for v, label in PRESENCE_CHOICES]})
    return rows


def attendance_of(rows: list[dict[str, Any]]) -> tuple[dict[int, tuple[str, str]], list[str]]:
    """The attendance the rows give ({member id: (presence, reason)}), and one error per unmarked member."""
    valid = {v for v, _label in PRESENCE_CHOICES}
    attendance, errors = {}, []
    for row in rows:
        if row["presence"] not in valid:
            errors.append(_("Mark the attendance of %(name)s.") % {"name": row["member"].name})
            continue
        attendance[row["member"].pk] = (row["presence"], row["reason"][:200])
    return attendance, errors
