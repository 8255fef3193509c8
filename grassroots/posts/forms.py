"""The posts pages' forms. They only read what was typed; the rules are the services' (`posts.services`), whose
RuleError the views put back on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.members.models import Member
from grassroots.orgs.models import Territory
from grassroots.ui.forms import LooseDateField

from .models import ClaimState, PostKind
from .presets import PRESET_LABELS


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PostKind) -> str:
        return obj.label()


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} · {obj.org.name}" if obj.org else obj.name


class PostForm(forms.Form):
    kind = KindChoiceField(label=_("Kind"), queryset=PostKind.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    duties = forms.CharField(label=_("Duties"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=999, initial=1)
    term_start = LooseDateField(label=_("Term starts"))
    term_end = LooseDateField(label=_("Term ends"), required=False)
    territory = forms.ModelChoiceField(label=_("Place (of the territory tree)"), queryset=Territory.objects.none(),
                                       required=False)
    place = forms.CharField(label=_("Place (text)"), max_length=200, required=False,
                            help_text=_("Where the post serves, if not a place of the tree."))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, kinds: QuerySet[PostKind], territories: QuerySet[Territory],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]
        self.fields["territory"].queryset = territories  # type: ignore[attr-defined]


class KindForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label=_("Preset"), choices=list(PRESET_LABELS.items()))


class SettingForm(forms.Form):
    max_active_claims = forms.IntegerField(label=_("Posts a member may hold at once"), min_value=1, max_value=20)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class ClaimForm(forms.Form):
    member = MemberChoiceField(label=_("Member"), queryset=Member.objects.none(),
                               help_text=_("Claimed on the member's behalf: recorded as such."))
    claimed_on = LooseDateField(label=_("Claimed on"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    """Approve, decline, withdraw or end a claim: the date, a reason (declining needs one) and the version read."""

    on = LooseDateField(label=_("Date"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    version = forms.CharField(widget=forms.HiddenInput)


class PostFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year (term overlapping it)"), required=False, min_value=1990, max_value=2100)
    kind = forms.CharField(label=_("Kind"), required=False, max_length=50)


class ClaimFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year (held a seat in it)"), required=False, min_value=1990, max_value=2100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *ClaimState.choices])
