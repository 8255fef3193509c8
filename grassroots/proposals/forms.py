"""The proposal pages' forms. They only read what was typed; the rules are the services' (`proposals.services`),
whose RuleError the views put back on the field it names."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.congress.models import PracticalProject
from grassroots.opinions.models import Category
from grassroots.orgs.models import Territory
from grassroots.ui.forms import LooseDateField

from .models import Proposal, ProposalCategory, ProposalState, Satisfaction


def split_names(text: str) -> list[str]:
    """Names typed one a line (or separated by commas or 、)."""
    return [n.strip() for n in re.split(r"[\n,，、;；]+", text or "") if n.strip()]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Matter"), max_length=200)
    text = forms.CharField(label=_("Details"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Kind of matter"), choices=ProposalCategory.choices)
    received_on = LooseDateField(label=_("Received on"),
                                 help_text=_("A past date is fine: a secretary may enter it for the proposer."))
    proposers = forms.CharField(label=_("Proposers"), widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One name a line, the lead first. A representative holding a seat or a "
                                            "Party member of the area is recognised by the name; anyone else is "
                                            "recorded as a residents' representative."))
    territory = forms.ModelChoiceField(label=_("Scope (grid, community or street)"), queryset=Territory.objects.none(),
                                       required=False)
    project = forms.ModelChoiceField(label=_("Practical project"), queryset=PracticalProject.objects.none(),
                                     required=False)
    attachment = forms.FileField(label=_("Attachment (the paper proposal)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, territories: QuerySet[Any], projects: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories  # type: ignore[attr-defined]
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(Versioned):
    on = LooseDateField(label=_("Accepted on"))
    lead_unit = forms.CharField(label=_("Lead unit"), max_length=100)
    co_handlers = forms.CharField(label=_("Co-handlers"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MergeForm(Versioned):
    on = LooseDateField(label=_("Merged on"))
    into = forms.ModelChoiceField(label=_("Duplicate of"), queryset=Proposal.objects.none())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, others: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = others  # type: ignore[attr-defined]


class ConvertForm(Versioned):
    on = LooseDateField(label=_("Decided on"))
    category = forms.ModelChoiceField(label=_("Category of the opinion"), queryset=Category.objects.none())
    note = forms.CharField(label=_("Why it is not accepted"), max_length=300, required=False)

    def __init__(self, *args: Any, categories: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class ExtendForm(Versioned):
    on = LooseDateField(label=_("Extended on"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AnswerForm(Versioned):
    answered_on = LooseDateField(label=_("Answered on"))
    background = forms.CharField(label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    handling = forms.CharField(label=_("Handling"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    handler_name = forms.CharField(label=_("Handler"), max_length=50)
    handler_phone = forms.CharField(label=_("Handler's office phone (published)"), max_length=30, required=False)


class RateForm(Versioned):
    satisfaction = forms.ChoiceField(label=_("The proposer's satisfaction"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    on = LooseDateField(label=_("Rated on"))
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class ReasonForm(Versioned):
    on = LooseDateField(label=_("Date"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CloseForm(Versioned):
    on = LooseDateField(label=_("Finished on"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ProjectForm(Versioned):
    project = forms.ModelChoiceField(label=_("Practical project"), queryset=PracticalProject.objects.none(),
                                     required=False)

    def __init__(self, *args: Any, projects: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class FilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *ProposalState.choices])
