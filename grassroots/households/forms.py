"""Forms of the households pages. They only check the shape of the input; the rules are the services'. The special
fields are only in a form where the switch is on (`special=True`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.ui.forms import LooseDateField

from . import relations
from .models import DISABILITY_GRADES, SPECIAL_POPULATION_CHOICES

SEX_CHOICES = [("", "—"), ("M", _("Male")), ("F", _("Female"))]


class FilterForm(forms.Form):
    as_of = LooseDateField(label=_("As of"), required=False)
    place = forms.ChoiceField(label=_("Place"), required=False)
    situation = forms.ChoiceField(label=_("Situation"), required=False)
    q = forms.CharField(label=_("Household number or head"), required=False, max_length=50)

    def __init__(self, *args: Any, places: list[tuple[str, str]], kinds: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["place"].choices = [("", _("All places"))] + places  # type: ignore[attr-defined]
        self.fields["situation"].choices = [("", _("Any situation"))] + kinds  # type: ignore[attr-defined]


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("Household number"), max_length=40, required=False,
                           help_text=_("Blank: numbered by the place's code."))
    territory = forms.ChoiceField(label=_("Place"))
    head_name = forms.CharField(label=_("Head of household"), max_length=50)
    sex = forms.ChoiceField(label=_("Head's sex"), choices=SEX_CHOICES, required=False)
    birth_date = LooseDateField(label=_("Head's birth date"), required=False)
    id_number = forms.CharField(label=_("Head's ID number"), max_length=18, required=False)
    building = forms.CharField(label=_("Building"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    flat = forms.CharField(label=_("Flat"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    registered_on = LooseDateField(label=_("Living here since"), required=False,
                                   help_text=_("Blank: since before the records."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["territory"].choices = places  # type: ignore[attr-defined]


class HouseholdEditForm(forms.Form):
    building = forms.CharField(label=_("Building"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    flat = forms.CharField(label=_("Flat"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            help_text=_("Blank keeps the phone recorded."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MoveForm(forms.Form):
    territory = forms.ChoiceField(label=_("New place"))
    on = LooseDateField(label=_("Moved on"))

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["territory"].choices = places  # type: ignore[attr-defined]


class LeaveForm(forms.Form):
    on = LooseDateField(label=_("Left on"))
    reason = forms.CharField(label=_("Why"), max_length=100, required=False)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=relations.VERBOSE, choices=relations.choices())
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    birth_date = LooseDateField(label=_("Birth date"), required=False,
                                help_text=_("Blank: read from the ID number."))
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    joined_on = LooseDateField(label=_("Living in the household since"), required=False,
                               help_text=_("Blank: since before the records."))
    special_population = forms.ChoiceField(label=_("Special population"), required=False,
                                           choices=[("", "—"), *SPECIAL_POPULATION_CHOICES])
    health = forms.CharField(label=_("Health (chronic illness)"), max_length=200, required=False)
    disability_grade = forms.ChoiceField(label=_("Disability grade"), required=False,
                                         choices=[("", "—"), *DISABILITY_GRADES])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, special: bool, editing: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if not special:
            for name in ("special_population", "health", "disability_grade"):
                del self.fields[name]
        if editing:
            for name in ("id_number", "phone", "health"):
                if name in self.fields:
                    self.fields[name].help_text = _("Blank keeps what is recorded.")
        if editing and self.initial.get("relation") == relations.HEAD:
            self.fields["relation"].choices = [(relations.HEAD, f"{relations.HEAD} {relations.name_zh(relations.HEAD)}")]  # type: ignore[attr-defined]


class PersonLeaveForm(forms.Form):
    on = LooseDateField(label=_("Left on"))
    reason = forms.ChoiceField(label=_("Why"), choices=[("迁出", _("Moved out")), ("去世", _("Died")),
                                                        ("其他", _("Other"))])
    new_head = forms.ChoiceField(label=_("New head"), required=False,
                                 help_text=_("When the head leaves: who heads the household from that day."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, heads: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        if heads:
            self.fields["new_head"].choices = [("", "—"), *heads]  # type: ignore[attr-defined]
        else:
            del self.fields["new_head"]


class HeadForm(forms.Form):
    person = forms.ChoiceField(label=_("New head"))
    on = LooseDateField(label=_("From"))
    former_relation = forms.ChoiceField(label=_("The former head's relation to the new head"), required=False,
                                        choices=[("", "—"), *relations.choices()])

    def __init__(self, *args: Any, persons: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["person"].choices = persons  # type: ignore[attr-defined]


class SituationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Situation"))
    person = forms.ChoiceField(label=_("Person"), required=False, help_text=_("Blank: the whole household."))
    started_on = LooseDateField(label=_("From"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], persons: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", "—"), *persons]  # type: ignore[attr-defined]


class SituationEndForm(forms.Form):
    on = LooseDateField(label=_("Until"))
    note = forms.CharField(label=_("Note"), max_length=100, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SpecialFieldsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Record special-population and health fields in this subtree"),
                                 required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
