"""What the democratic appraisal sheet (meetings) reads about a member's commitments of a year."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from grassroots.core.modules import AppraisalNote

from . import selectors


def notes(member_ids: list[int], year: int) -> dict[int, list[AppraisalNote]]:
    """One note per member who made commitments that year: "3 made: 2 kept, 1 partly kept, 0 not kept" (and how
    many still await their result). Members who made none get no note. One query."""
    out: dict[int, list[AppraisalNote]] = {}
    for member_id, counts in selectors.member_counts(member_ids, year).items():
        text = _("%(made)s made: %(kept)s kept, %(partly)s partly kept, %(not)s not kept") % {
            "made": counts["made"], "kept": counts["kept"], "partly": counts["partly"], "not": counts["not_kept"]}
        if counts["open"]:
            text += _("; %(n)s awaiting the result") % {"n": counts["open"]}
        url = reverse("member-commitments", args=[member_id]) + f"?year={year}"
        out[member_id] = [AppraisalNote(label=_lazy("Commitments"), text=text, url=url)]
    return out
