"""Forms of the organization tree's write pages, and the organization choices other apps' forms reuse.

They only parse input; the services check every rule. Choices of organizations are built by the view from the
user's writable scope (`live_writable`), so an organization outside it can never be chosen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.access.scope import Scope
from grassroots.ui.forms import LooseDateField

from .models import Organization, OrgKind, TerritoryKind

NOTE_MAX = 300
UPGRADE_ORDER = ("party_group", "branch", "general_branch", "committee")
DATE_HELP = _("Meetings and changes can be entered after the day: use the date of the decision.")


# --- organizations to choose from ------------------------------------------------------------------

def live_writable(scope: Scope) -> QuerySet[Organization]:
    """The live organizations the user may write, in tree order."""
    return scope.orgs(write=True).filter(revoked_on__isnull=True).order_by("path")


def org_choices(qs: QuerySet[Organization]) -> list[tuple[str, str]]:
    return [(o.code, f"{o.name} ({o.code})") for o in qs]


def chosen_org(scope: Scope, code: str | None) -> Organization | None:
    """The organization a valid form chose, if any (its choices came from `live_writable`, so it is there)."""
    return live_writable(scope).get(code=code) if code else None


def kind_choices(kinds: list[str]) -> list[tuple[str, str]]:
    return [(k, str(OrgKind(k).label)) for k in kinds]


def choice_list(choices: Any, blank: Any = None) -> list[tuple[str, Any]]:
    """A model's choices as a ChoiceField's, with a blank first when `blank` is given."""
    return ([("", blank)] if blank is not None else []) + [(str(v), label) for v, label in choices]


# --- fields ----------------------------------------------------------------------------------------

def _today() -> dt.date:
    return timezone.localdate()


def date_field(label: Any = None, *, required: bool = True, today: bool = True, **kw: Any) -> LooseDateField:
    """A date typed as people type it; today by default."""
    return LooseDateField(label=label or _("Date"), required=required, initial=_today if today else None, **kw)


def note_field() -> forms.CharField:
    return forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           help_text=_("For example the decision that approved the change."))


class OrgChoiceMixin:
    """A form with ChoiceFields of organizations given as (code, label) lists."""

    org_fields: tuple[str, ...] = ()

    def set_org_choices(self, choices: dict[str, list[tuple[str, str]]], blank: str | None = None) -> None:
        for name in self.org_fields:
            field = self.fields[name]  # type: ignore[attr-defined]
            options: list[tuple[str, Any]] = list(choices.get(name, []))
            if blank is not None or not field.required:
                options = [("", blank or _("(none)"))] + options
            field.choices = options


# --- the organization changes ----------------------------------------------------------------------

class OrgCreateChildForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"))
    founded_on = date_field(_("Founded on"), help_text=DATE_HELP)
    territory = forms.ChoiceField(label=_("Its place"), required=False,
                                  help_text=_("A place of the parent's territory that no organization holds yet "
                                              "(a community for its branch); it holds it from its founding."))
    note = note_field()

    def __init__(self, *args: Any, kind_choices: list[tuple[str, str]],
                 place_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices  # type: ignore[attr-defined]
        if place_choices:
            self.fields["territory"].choices = [("", _("(none)")), *place_choices]  # type: ignore[attr-defined]
        else:
            del self.fields["territory"]


def place_choices(places: Any) -> list[tuple[str, str]]:
    """Places as (code, label) choices, indented by their depth under the first."""
    places = list(places)
    top = min((p.depth for p in places), default=1)
    return [(p.code, f"{'　' * (p.depth - top)}{p.name} ({p.get_kind_display()}, {p.code})") for p in places]


class PlaceAddForm(forms.Form):
    parent = forms.ChoiceField(label=_("Under"))
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name of the place"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TerritoryKind.choices)
    since = LooseDateField(label=_("Set up on"), required=False,
                           help_text=_("May be blank: the place was there before the records."))
    note = note_field()

    def __init__(self, *args: Any, parent_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parent_choices  # type: ignore[attr-defined]


class OrgRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=100)
    date = date_field(help_text=DATE_HELP)
    note = note_field()


class OrgMoveForm(OrgChoiceMixin, forms.Form):
    org_fields = ("parent",)
    parent = forms.ChoiceField(label=_("Move under"))
    date = date_field(help_text=DATE_HELP)
    note = note_field()


class OrgUpgradeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Upgrade to"))
    date = date_field(help_text=DATE_HELP)
    note = note_field()

    def __init__(self, *args: Any, kind_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices  # type: ignore[attr-defined]


class OrgMergeForm(OrgChoiceMixin, forms.Form):
    org_fields = ("into",)
    into = forms.ChoiceField(label=_("Merge into"),
                             help_text=_("Its sub-organizations and members move there; it is then revoked."))
    date = date_field(help_text=DATE_HELP)
    note = note_field()


class OrgRevokeForm(OrgChoiceMixin, forms.Form):
    org_fields = ("members_to",)
    members_to = forms.ChoiceField(label=_("Members move to"), required=False,
                                   help_text=_("Required when it still has members on the date."))
    date = date_field(help_text=DATE_HELP)
    note = note_field()


# --- the first run ---------------------------------------------------------------------------------

ROOT_KINDS = ("working_committee", "committee", "general_branch", "branch")
FOUNDED_WARNING = _("The statistics for any date before it will show no members: if you will import history, "
                    "enter the real founding date, not today's.")


class OrgSetupForm(forms.Form):
    """The top organization of an empty site and its own place (the place is optional)."""

    code = forms.CharField(label=_("Code"), max_length=32, help_text=_("A short code, for example HS."))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, OrgKind(k).label) for k in ROOT_KINDS])
    founded_on = date_field(_("Founded on"), today=False, help_text=FOUNDED_WARNING)
    territory_code = forms.CharField(label=_("Code of its place"), max_length=32, required=False)
    territory_name = forms.CharField(label=_("Name of its place"), max_length=100, required=False,
                                     help_text=_("The street or town it works in; the communities and villages "
                                                 "below come later."))
    territory_kind = forms.ChoiceField(label=_("Kind of place"), required=False,
                                       choices=choice_list(TerritoryKind.choices, blank="—"))
    note = note_field()

class PlaceHoldForm(OrgChoiceMixin, forms.Form):
    org_fields = ("holder",)
    place = forms.ChoiceField(label=_("Place"))
    holder = forms.ChoiceField(label=_("Give it to"), required=False,
                               help_text=_("Blank: take it back; it is then held through the organizations whose "
                                           "own place it is, or the one above."))
    date = date_field(help_text=DATE_HELP)
    note = note_field()

    def __init__(self, *args: Any, place_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = place_choices  # type: ignore[attr-defined]
