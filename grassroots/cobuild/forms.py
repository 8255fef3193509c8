"""The co-construction pages' forms. They only read what was typed; the rules are the services'
(`cobuild.services`), whose RuleError the views put back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.orgs.models import Organization, Territory
from grassroots.ui.forms import LooseDateField

from .models import Agreement, ContributionKind, ProjectState, ResidentUnit, UnitKind


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=UnitKind.choices)
    industry = forms.CharField(label=_("Industry"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    territory = forms.ModelChoiceField(label=_("Place"), queryset=Territory.objects.none(), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact's phone"), max_length=20, required=False)
    has_party_org = forms.BooleanField(label=_("Has a Party organization"), required=False)
    party_members = forms.IntegerField(label=_("Party members"), min_value=0, max_value=100000, required=False)
    party_org = forms.ModelChoiceField(label=_("Its Party organization in the platform"),
                                       queryset=Organization.objects.none(), required=False)
    joined_on = LooseDateField(label=_("Recorded from"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, territories: QuerySet[Territory], orgs: QuerySet[Organization],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories  # type: ignore[attr-defined]
        self.fields["party_org"].queryset = orgs  # type: ignore[attr-defined]


class AgreementForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResidentUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    signed_on = LooseDateField(label=_("Signed on"))
    starts_on = LooseDateField(label=_("In force from"), required=False,
                               help_text=_("The signing day when left empty."))
    ends_on = LooseDateField(label=_("In force until"), required=False)
    terms = forms.CharField(label=_("Terms"), max_length=5000, required=False, widget=_area(4))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet[ResidentUnit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RenewForm(forms.Form):
    signed_on = LooseDateField(label=_("Signed on"))
    starts_on = LooseDateField(label=_("In force from"), required=False,
                               help_text=_("The day after the old term when left empty."))
    ends_on = LooseDateField(label=_("In force until"))
    version = forms.CharField(widget=forms.HiddenInput)


class EndForm(forms.Form):
    on = LooseDateField(label=_("Ended on"))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.CharField(widget=forms.HiddenInput)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class NeedForm(forms.Form):
    title = forms.CharField(label=_("Need"), max_length=200)
    detail = forms.CharField(label=_("Detail"), max_length=2000, required=False, widget=_area())
    listed_on = LooseDateField(label=_("Listed on"))
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.none(), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)  # a correction's

    def __init__(self, *args: Any, agreements: QuerySet[Agreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class ClaimForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResidentUnit.objects.none())
    on = LooseDateField(label=_("Claimed on"), required=False)
    due_on = LooseDateField(label=_("Deadline"), required=False)
    owner = forms.CharField(label=_("Owner"), max_length=50, required=False)
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet[ResidentUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class DayForm(forms.Form):
    """Withdraw a need or a resource, accept a report, a unit left: the date and the version read."""

    on = LooseDateField(label=_("Date"), required=False)
    version = forms.CharField(widget=forms.HiddenInput)


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Resource"), max_length=200)
    detail = forms.CharField(label=_("Detail"), max_length=2000, required=False, widget=_area())
    listed_on = LooseDateField(label=_("Listed on"))
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.none(), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)  # a correction's

    def __init__(self, *args: Any, agreements: QuerySet[Agreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    reported_on = LooseDateField(label=_("Reported on"))
    offers = forms.CharField(label=_("What the unit offers"), max_length=2000, required=False, widget=_area())


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    given_on = LooseDateField(label=_("Given on"))
    amount = forms.DecimalField(label=_("Amount or estimated value (yuan)"), min_value=0, max_digits=12,
                                decimal_places=2)
    goods = forms.CharField(label=_("Goods"), max_length=300, required=False)
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.none(), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)  # a correction's

    def __init__(self, *args: Any, agreements: QuerySet[Agreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Project"), max_length=200)
    detail = forms.CharField(label=_("Detail"), max_length=2000, required=False, widget=_area())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResidentUnit.objects.none(), required=False)
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.none(), required=False)
    owner = forms.CharField(label=_("Owner"), max_length=50, required=False)
    started_on = LooseDateField(label=_("Started on"))
    due_on = LooseDateField(label=_("Deadline"), required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet[ResidentUnit], agreements: QuerySet[Agreement] | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if agreements is None:  # an edit: the source stays
            del self.fields["agreement"]
            del self.fields["started_on"]
        else:
            self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class DoneForm(forms.Form):
    on = LooseDateField(label=_("Done on"), required=False)
    outcome = forms.CharField(label=_("What was done"), max_length=2000, widget=_area())
    evidence = forms.FileField(label=_("Evidence (a photo of the sheet is enough)"), required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    version = forms.CharField(widget=forms.HiddenInput)


class DropForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    version = forms.CharField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)


class AgreementFilterForm(forms.Form):
    in_force = forms.BooleanField(label=_("In force today"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=100)


class ProjectFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *ProjectState.choices])
    year = forms.IntegerField(label=_("Year (started in it)"), required=False, min_value=1990, max_value=2100)


class UnitFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "—"), *UnitKind.choices])
    left = forms.BooleanField(label=_("Include units that left"), required=False)


class YearFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)


class NeedFilterForm(forms.Form):
    open = forms.BooleanField(label=_("Open needs only"), required=False)
