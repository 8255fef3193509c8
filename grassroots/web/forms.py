"""Forms of the server-rendered pages. They only parse input; services check the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.members.models import Education, EventKind, Occupation, Sex, Status
from grassroots.ui.forms import IMPORT_SUFFIXES, LooseDateField


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


# --- write forms (organization changes, members) ---------------------------------------------------
# Choices of organizations are built by the view from the user's writable scope, so an organization outside
# it can never be chosen; the services check every rule again.

NOTE_MAX = 300
UPGRADE_ORDER = ("party_group", "branch", "general_branch", "committee")


def _today() -> dt.date:
    return timezone.localdate()


def _date_field(label: Any = None, *, required: bool = True, today: bool = True, **kw: Any) -> LooseDateField:
    return LooseDateField(label=label or _("Date"), required=required, initial=_today if today else None, **kw)


def _note_field() -> forms.CharField:
    return forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           help_text=_("For example the decision that approved the change."))


DATE_HELP = _("Meetings and changes can be entered after the day: use the date of the decision.")


class _OrgChoiceMixin:
    """A form with ChoiceFields of organizations given as (code, label) lists."""

    org_fields: tuple[str, ...] = ()

    def set_org_choices(self, choices: dict[str, list[tuple[str, str]]], blank: str | None = None) -> None:
        for name in self.org_fields:
            field = self.fields[name]  # type: ignore[attr-defined]
            options: list[tuple[str, Any]] = list(choices.get(name, []))
            if blank is not None or not field.required:
                options = [("", blank or _("(none)"))] + options
            field.choices = options


class OrgCreateChildForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"))
    founded_on = _date_field(_("Founded on"), help_text=DATE_HELP)
    note = _note_field()

    def __init__(self, *args: Any, kind_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices  # type: ignore[attr-defined]


class OrgRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=100)
    date = _date_field(help_text=DATE_HELP)
    note = _note_field()


class OrgMoveForm(_OrgChoiceMixin, forms.Form):
    org_fields = ("parent",)
    parent = forms.ChoiceField(label=_("Move under"))
    date = _date_field(help_text=DATE_HELP)
    note = _note_field()


class OrgUpgradeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Upgrade to"))
    date = _date_field(help_text=DATE_HELP)
    note = _note_field()

    def __init__(self, *args: Any, kind_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices  # type: ignore[attr-defined]


class OrgMergeForm(_OrgChoiceMixin, forms.Form):
    org_fields = ("into",)
    into = forms.ChoiceField(label=_("Merge into"),
                             help_text=_("Its sub-organizations and members move there; it is then revoked."))
    date = _date_field(help_text=DATE_HELP)
    note = _note_field()


class OrgRevokeForm(_OrgChoiceMixin, forms.Form):
    org_fields = ("members_to",)
    members_to = forms.ChoiceField(label=_("Members move to"), required=False,
                                   help_text=_("Required when it still has members on the date."))
    date = _date_field(help_text=DATE_HELP)
    note = _note_field()


def _choice(choices: Any, blank: Any = None) -> list[tuple[str, Any]]:
    return ([("", blank)] if blank is not None else []) + [(str(v), label) for v, label in choices]


class MemberAddForm(_OrgChoiceMixin, forms.Form):
    org_fields = ("party_group",)
    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"))
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, initial="汉族")
    id_number = forms.CharField(label=_("ID number"), max_length=18, widget=forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}))
    birth_date = _date_field(_("Birth date"), required=False, today=False,
                             help_text=_("Leave empty to take it from the ID number."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    education = forms.ChoiceField(label=_("Education"))
    occupation = forms.ChoiceField(label=_("Occupation"))
    joined_on = _date_field(_("Joined on"), today=False)
    status = forms.ChoiceField(label=_("Status"))
    converted_on = _date_field(_("Converted on"), required=False, today=False,
                               help_text=_("For a full member: the day of conversion."))
    party_group = forms.ChoiceField(label=_("Party group"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = _choice(Sex.choices, "—")  # type: ignore[attr-defined]
        self.fields["education"].choices = _choice(Education.choices, "—")  # type: ignore[attr-defined]
        self.fields["occupation"].choices = _choice(Occupation.choices, "—")  # type: ignore[attr-defined]
        self.fields["status"].choices = _choice(Status.choices)  # type: ignore[attr-defined]


# Events recorded on the member page; "updated" goes through member_update (education, occupation).
EVENT_KINDS = ("converted", "transferred", "transferred_out", "transferred_in", "mobile_out", "mobile_back",
               "suspended", "restored", "removed", "died", "updated")
EVENT_KINDS_WITH_ORG = ("transferred", "transferred_in")


class MemberEventForm(_OrgChoiceMixin, forms.Form):
    org_fields = ("org",)
    conditional_fields = ("org",)  # needed by some kinds only: not marked "optional"
    kind = forms.ChoiceField(label=_("Event"))
    date = _date_field(help_text=DATE_HELP)
    org = forms.ChoiceField(label=_("Organization"), required=False,
                            help_text=_("Only for moving to another organization or transferring in."))
    education = forms.ChoiceField(label=_("Education"), required=False)
    occupation = forms.ChoiceField(label=_("Occupation"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           help_text=_("For example where the member transferred to."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(EventKind.choices)
        kinds = [(k, labels[k]) for k in EVENT_KINDS]
        kinds[-1] = ("updated", _("Education or occupation changed"))
        self.fields["kind"].choices = _choice(kinds, "—")  # type: ignore[attr-defined]
        self.fields["education"].choices = _choice(Education.choices)  # type: ignore[attr-defined]
        self.fields["occupation"].choices = _choice(Occupation.choices)  # type: ignore[attr-defined]


class BlankTextInput(forms.TextInput):
    """A text input that never shows a value: not the stored one, not even the one typed before an error."""

    def format_value(self, value: Any) -> str | None:
        return None


class MemberEditForm(_OrgChoiceMixin, forms.Form):
    """The fixed facts of a record (corrections). The ID number and phone start empty: empty keeps them."""

    org_fields = ("party_group",)
    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"))
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False,
                                help_text=_("Leave empty to keep the current number."),
                                widget=BlankTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    birth_date = _date_field(_("Birth date"), required=False, today=False,
                             help_text=_("Leave empty to take it from the ID number."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            help_text=_("Leave empty to keep the current number."),
                            widget=BlankTextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    party_group = forms.ChoiceField(label=_("Party group"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = _choice(Sex.choices)  # type: ignore[attr-defined]
