"""Forms of the server-rendered pages. They only parse input; services check the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.core.dates import DateError, parse_date

IMPORT_SUFFIXES = (".xlsx", ".csv")


class LooseDateField(forms.CharField):
    """A date typed as people type it (2019-12-31, 2019/12/31, 2019年12月31日), read by `parse_date`."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_date(text)
        except DateError as exc:
            raise forms.ValidationError(_("Enter a date such as 2019-12-31."), code="invalid") from exc


class AsOfForm(forms.Form):
    as_of = LooseDateField(label=_("As of"), required=False)


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Filter by name")}))


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. member.create")}))
    object = forms.CharField(label=_("Object"), required=False, max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": _("name, id or type")}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))
    default_org = forms.ChoiceField(label=_("Default organization"), required=False,
                                    help_text=_("Used for rows that name no organization."))

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_org"].choices = [("", _("(none)"))] + org_choices  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx or a .csv file."), code="suffix")
        return upload
