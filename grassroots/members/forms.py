"""Forms of the roster's pages: adding a member, recording an event, editing a record, the import, transfers.

They only parse input; the services check every rule. Organizations to choose from are given by the view from
the user's writable scope (`grassroots.orgs.forms.live_writable`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from grassroots.orgs.forms import DATE_HELP, NOTE_MAX, OrgChoiceMixin, choice_list, date_field
from grassroots.ui.forms import IMPORT_SUFFIXES, LooseDateField, check_import_file, import_file_help

from . import transfers as transfer_services
from .models import Education, EventKind, Member, Occupation, Sex, Status

# --- adding, recording events, editing ---------------------------------------------------------------


class MemberAddForm(OrgChoiceMixin, forms.Form):
    org_fields = ("party_group",)
    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"))
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, initial="汉族")
    id_number = forms.CharField(label=_("ID number"), max_length=18, widget=forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}))
    birth_date = date_field(_("Birth date"), required=False, today=False,
                            help_text=_("Leave empty to take it from the ID number."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    education = forms.ChoiceField(label=_("Education"))
    occupation = forms.ChoiceField(label=_("Occupation"))
    joined_on = date_field(_("Joined on"), today=False)
    status = forms.ChoiceField(label=_("Status"))
    converted_on = date_field(_("Converted on"), required=False, today=False,
                              help_text=_("For a full member: the day of conversion."))
    party_group = forms.ChoiceField(label=_("Party group"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = choice_list(Sex.choices, "—")  # type: ignore[attr-defined]
        self.fields["education"].choices = choice_list(Education.choices, "—")  # type: ignore[attr-defined]
        self.fields["occupation"].choices = choice_list(Occupation.choices, "—")  # type: ignore[attr-defined]
        self.fields["status"].choices = choice_list(Status.choices)  # type: ignore[attr-defined]


# Events recorded on the member page; "updated" goes through member_update (education, occupation).
EVENT_KINDS = ("converted", "transferred", "transferred_out", "transferred_in", "mobile_out", "mobile_back",
               "suspended", "restored", "removed", "died", "updated")
EVENT_KINDS_WITH_ORG = ("transferred", "transferred_in")


class MemberEventForm(OrgChoiceMixin, forms.Form):
    org_fields = ("org",)
    conditional_fields = ("org",)  # needed by some kinds only: not marked "optional"
    kind = forms.ChoiceField(label=_("Event"))
    date = date_field(help_text=DATE_HELP)
    org = forms.ChoiceField(label=_("Organization"), required=False,
                            help_text=_("Only for moving to another organization or transferring in."))
    education = forms.ChoiceField(label=_("Education"), required=False)
    occupation = forms.ChoiceField(label=_("Occupation"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           help_text=_("For example where the member transferred to."))
    version = forms.CharField(required=False, widget=forms.HiddenInput)  # of the record the page was opened on

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(EventKind.choices)
        kinds = [(k, labels[k]) for k in EVENT_KINDS]
        kinds[-1] = ("updated", _("Education or occupation changed"))
        self.fields["kind"].choices = choice_list(kinds, "—")  # type: ignore[attr-defined]
        self.fields["education"].choices = choice_list(Education.choices)  # type: ignore[attr-defined]
        self.fields["occupation"].choices = choice_list(Occupation.choices)  # type: ignore[attr-defined]


class BlankTextInput(forms.TextInput):
    """A text input that never shows a value: not the stored one, not even the one typed before an error."""

    def format_value(self, value: Any) -> str | None:
        return None


class MemberEditForm(OrgChoiceMixin, forms.Form):
    """The fixed facts of a record (corrections). The ID number and phone start empty: empty keeps them."""

    org_fields = ("party_group",)
    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"))
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False,
                                help_text=_("Leave empty to keep the current number."),
                                widget=BlankTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    birth_date = date_field(_("Birth date"), required=False, today=False,
                            help_text=_("Leave empty to take it from the ID number."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            help_text=_("Leave empty to keep the current number."),
                            widget=BlankTextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    party_group = forms.ChoiceField(label=_("Party group"), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)  # of the record the page was opened on

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = choice_list(Sex.choices)  # type: ignore[attr-defined]


# --- the import ---------------------------------------------------------------------------------------

class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx, .xls or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))
    default_org = forms.ChoiceField(label=_("Default organization"), required=False,
                                    help_text=_("Used for rows that name no organization."))

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_org"].choices = [("", _("(none)"))] + org_choices  # type: ignore[attr-defined]
        self.fields["file"].help_text = import_file_help()

    def clean_file(self) -> Any:
        return check_import_file(self.cleaned_data["file"])


# --- transfers ----------------------------------------------------------------------------------------

class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.org.name if obj.org else '-'})"


class TransferStartForm(forms.Form):
    member = MemberChoiceField(label=_("Member"), queryset=Member.objects.none())
    to_org = forms.CharField(label=_("To an organization in the platform (code)"), required=False,
                             max_length=32)
    to_outside = forms.CharField(label=_("Or to an organization outside the platform (name)"), required=False,
                                 max_length=200)
    on = LooseDateField(label=_("Date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
    letter_number = forms.CharField(label=_("Introduction letter number"), required=False, max_length=60)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("to_org") or "").strip()
        if code:
            org = transfer_services.receiving_org(code)
            if org is None:
                self.add_error("to_org", _now("No active organization has the code %(code)s.") % {"code": code})
            data["to_org"] = org
        else:
            data["to_org"] = None
        return data


class DecisionForm(forms.Form):
    on = LooseDateField(label=_("Date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
