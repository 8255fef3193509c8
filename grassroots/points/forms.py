"""The points pages' forms. They only read what was typed; the rules are the services' (`points.services`),
whose RuleError the views put back on the form (`ui.forms.write_on_form`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from grassroots.members.models import Member
from grassroots.ui.forms import LooseDateField

from .models import ExemptionReason
from .schemes import EVIDENCE_ITEMS, EXEMPT_KINDS, Scheme


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.name


class GiveForm(forms.Form):
    """A manual entry: a manual item of the scheme (e.g. 先锋模范) or a deduction, always with a reason."""

    member = MemberChoiceField(label=gettext_lazy("Member"), queryset=Member.objects.none())
    item = forms.ChoiceField(label=gettext_lazy("Item"))
    day = LooseDateField(label=gettext_lazy("Date"))
    points = forms.CharField(label=gettext_lazy("Points"), required=False, max_length=12,
                             help_text=gettext_lazy("Blank: the item's points in the scheme. For a deduction, how "
                                                    "many points are taken."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: QuerySet[Member], items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["item"].choices = items  # type: ignore[attr-defined]


class ExemptionForm(forms.Form):
    member = MemberChoiceField(label=gettext_lazy("Member"), queryset=Member.objects.none())
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=ExemptionReason.choices)
    start = LooseDateField(label=gettext_lazy("From"))
    end = LooseDateField(label=gettext_lazy("To"), required=False,
                         help_text=gettext_lazy("Blank: until the branch ends it."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class SchemeForm(forms.Form):
    """An organization's scheme from a date: base, floor, who is exempt, and per item the points and the cap;
    manual items one per line as `code, name, points, cap`."""

    effective_from = LooseDateField(label=gettext_lazy("In force from"))
    base = forms.CharField(label=gettext_lazy("Base"), max_length=12)
    floor = forms.CharField(label=gettext_lazy("Floor"), max_length=12)
    exempt = forms.MultipleChoiceField(label=gettext_lazy("Exempt"), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       choices=[("retired", gettext_lazy("Retired")),
                                                ("mobile", gettext_lazy("Mobile")),
                                                ("sick", gettext_lazy("Sick"))])
    manual = forms.CharField(label=gettext_lazy("Manual items"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=gettext_lazy("One a line: code, name, points, cap (blank: none). The code "
                                                  "deduction is the deduction, its points below zero."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in EVIDENCE_ITEMS.items():
            key = code.replace(".", "__")
            self.fields[f"{key}__points"] = forms.CharField(label=label, required=False, max_length=12,
                                                            help_text=gettext_lazy("Points per unit"))
            self.fields[f"{key}__cap"] = forms.CharField(label=gettext_lazy("Yearly cap"), required=False,
                                                         max_length=12)

    @staticmethod
    def initial_from(scheme: Scheme) -> dict[str, Any]:
        initial: dict[str, Any] = {"base": scheme.base, "floor": scheme.floor, "exempt": list(scheme.exempt)}
        lines = []
        for code, item in scheme.items.items():
            if item.manual:
                cap = "" if item.cap is None else item.cap
                lines.append(f"{code[7:]}, {item.label_zh or item.label_en}, {item.points}, {cap}")
            else:
                key = code.replace(".", "__")
                initial[f"{key}__points"] = item.points
                initial[f"{key}__cap"] = "" if item.cap is None else item.cap
        initial["manual"] = "\n".join(lines)
        return initial

    def params(self) -> dict[str, Any]:
        """The scheme's params as the service checks them (it names the field of what is wrong)."""
        d = self.cleaned_data
        items: dict[str, Any] = {}
        for code in EVIDENCE_ITEMS:
            key = code.replace(".", "__")
            points = (d.get(f"{key}__points") or "").strip()
            if points:
                items[code] = {"points": points, "cap": (d.get(f"{key}__cap") or "").strip() or None}
        for line in (d.get("manual") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if not any(parts):
                continue
            parts += [""] * (4 - len(parts))
            items[f"manual.{parts[0]}"] = {"points": parts[2], "cap": parts[3] or None, "label_zh": parts[1]}
        return {"base": d.get("base", ""), "floor": d.get("floor", ""),
                "exempt": [e for e in d.get("exempt", []) if e in EXEMPT_KINDS], "items": items}


class RankingForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Turn the ranking page on (only members who opt in appear)"),
                                 required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class DecideForm(forms.Form):
    """The proposals queue's bulk decision: approve or decline (with one reason) the ticked proposals."""

    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("Approve")),
                                          ("decline", gettext_lazy("Decline"))])
    reason = forms.CharField(label=gettext_lazy("Reason for declining"), max_length=300, required=False)
