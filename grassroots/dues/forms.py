"""The dues pages' forms: assess a member's year, record a payment (the months it covers), record a remittance.

They only read what was typed; the rules are the services' (`grassroots.dues.services`), whose RuleError the
views put back on the form (`grassroots.ui.forms.rule_error_on_form`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from grassroots.dues.models import Channel, DuesCategory, PaymentKind
from grassroots.members.models import Member
from grassroots.ui.forms import LooseDateField


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.name


class AssessForm(forms.Form):
    member = MemberChoiceField(label=gettext_lazy("Member"), queryset=Member.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=DuesCategory.choices)
    base = forms.DecimalField(label=gettext_lazy("Monthly base (after tax), yuan"), required=False, min_value=0,
                              max_digits=12, decimal_places=2)
    amount = forms.DecimalField(label=gettext_lazy("Monthly amount, yuan"), required=False, min_value=0,
                                max_digits=10, decimal_places=2,
                                help_text=gettext_lazy("Only for a farmer, a hardship or a fixed amount; otherwise "
                                                       "the rules compute it from the base."))
    approval = forms.CharField(label=gettext_lazy("Approval (hardship or fixed amount)"), max_length=200,
                               required=False)
    # of the assessment the form was opened on; blank: it showed none (a change made since is refused)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class PaymentForm(forms.Form):
    member = MemberChoiceField(label=gettext_lazy("Member"), queryset=Member.objects.none())
    paid_on = LooseDateField(label=gettext_lazy("Paid on"))
    months = forms.MultipleChoiceField(label=gettext_lazy("Months covered"), widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=gettext_lazy("Amount, yuan"), required=False, min_value=Decimal("0.01"),
                                max_digits=12, decimal_places=2,
                                help_text=gettext_lazy("Filled in with the assessed amounts of the months ticked."))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"),
                             choices=[(PaymentKind.REGULAR, PaymentKind.REGULAR.label),
                                      (PaymentKind.BACK, PaymentKind.BACK.label)])
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    paid_by = forms.CharField(label=gettext_lazy("Paid on the member's behalf by"), max_length=50, required=False)
    receipt = forms.CharField(label=gettext_lazy("Receipt number"), max_length=60, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, members: QuerySet[Member], months: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["months"].choices = [(m.isoformat(), f"{m:%Y-%m}") for m in months]  # type: ignore[attr-defined]

    def clean_months(self) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(v) for v in self.cleaned_data["months"])


class RemittanceForm(forms.Form):
    remitted_on = LooseDateField(label=gettext_lazy("Remitted on"))
    period_start = LooseDateField(label=gettext_lazy("Period from"))
    period_end = LooseDateField(label=gettext_lazy("Period to"))
    amount = forms.DecimalField(label=gettext_lazy("Amount, yuan"), min_value=Decimal("0.01"), max_digits=14,
                                decimal_places=2)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
