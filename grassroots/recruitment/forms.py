"""Recruitment's forms: the application, a step of the procedure, training contacts and introducers, the public
notice and the branch meeting's vote, and the date a page answers for. Each names its fields as the service it
feeds does, but where `FIELD_ALIASES` says otherwise, so a service's RuleError lands on the right field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from grassroots.members.models import HAN, Education, Member, Occupation, Sex
from grassroots.orgs.models import Organization
from grassroots.ui.forms import LooseDateField

from .models import ContactRole, StepKind, VotePurpose

# Service argument names that a form calls otherwise.
FIELD_ALIASES = {"reason": "note", "details": "hours", "training": "on", "birth": "birth_date"}


class AsOfForm(forms.Form):
    as_of = LooseDateField(label=gettext_lazy("As of"), required=False)


class ApplyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices)
    birth_date = LooseDateField(label=gettext_lazy("Birth date"))
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    ethnicity = forms.CharField(label=gettext_lazy("Ethnicity"), max_length=20, initial=HAN)
    education = forms.ChoiceField(label=gettext_lazy("Education"), choices=Education.choices)
    occupation = forms.ChoiceField(label=gettext_lazy("Occupation"), choices=Occupation.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    org = forms.ChoiceField(label=gettext_lazy("Branch"))
    applied_on = LooseDateField(label=gettext_lazy("Application received on"))

    def __init__(self, *args: Any, branches: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.branches = {o.code: o for o in branches}
        self.fields["org"].choices = [(o.code, o.name) for o in self.branches.values()]  # type: ignore[attr-defined]


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Step"))
    on = LooseDateField(label=gettext_lazy("Date"))
    end_date = LooseDateField(label=gettext_lazy("End date"), required=False,
                              help_text=gettext_lazy("For concentrated training: its last day."))
    hours = forms.IntegerField(label=gettext_lazy("Class hours"), required=False, min_value=0, max_value=1000,
                               help_text=gettext_lazy("For concentrated training."))
    months = forms.IntegerField(label=gettext_lazy("Months"), required=False, min_value=1, max_value=24,
                                help_text=gettext_lazy("For an extension of the probation."))
    special = forms.BooleanField(label=gettext_lazy("Special case (approval within 6 months)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note or reason"), max_length=300, required=False)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, StepKind(k).label) for k in kinds]  # type: ignore[attr-defined]


class SponsorForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ContactRole.choices)
    members = forms.ModelMultipleChoiceField(label=gettext_lazy("Full members"), queryset=Member.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    on = LooseDateField(label=gettext_lazy("Date"))

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members  # type: ignore[attr-defined]


class NoticeForm(forms.Form):
    start = LooseDateField(label=gettext_lazy("First day"))
    end = LooseDateField(label=gettext_lazy("Last day"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class VoteForm(forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=VotePurpose.choices)
    on = LooseDateField(label=gettext_lazy("Meeting date"))
    attended = forms.ModelMultipleChoiceField(label=gettext_lazy("Attended"), queryset=Member.objects.none(),
                                              widget=forms.CheckboxSelectMultiple, required=False)
    written = forms.ModelMultipleChoiceField(label=gettext_lazy("Written opinions of absent members"),
                                             queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple,
                                             required=False)
    yes = forms.IntegerField(label=gettext_lazy("Yes"), min_value=0)
    no = forms.IntegerField(label=gettext_lazy("No"), min_value=0)
    abstain = forms.IntegerField(label=gettext_lazy("Abstain"), min_value=0)
    minutes = forms.CharField(label=gettext_lazy("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, entitled: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = entitled  # type: ignore[attr-defined]
        self.fields["written"].queryset = entitled  # type: ignore[attr-defined]
