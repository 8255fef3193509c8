"""Public commitments (承诺践诺): what a member promised for a year, in one of four levels, with progress entries
and a year-end result the branch sets after review.

A commitment belongs to the member's branch (`org`), the organization whose secretary reviews it; the scope finds
it through that field. It is entered by the member (their own account) or by a secretary on their behalf
(`on_behalf`, with `recorded_by` naming who typed it). A progress entry may carry a photo: never required.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class Level(models.TextChoices):
    COMMON = "common", _("Common commitment")
    POST = "post", _("Post commitment")
    PRACTICAL = "practical", _("Practical commitment")
    SELF_DISCIPLINE = "self_discipline", _("Self-discipline commitment")


class Theme(models.TextChoices):
    COMMUNITY = "community", _("Community building")
    CULTURE = "culture", _("Culture")
    POLICING = "policing", _("Policing and security")
    ENVIRONMENT = "environment", _("Environment")
    OTHER = "other", _("Other")


class Result(models.TextChoices):
    KEPT = "kept", _("Kept")
    PARTLY = "partly", _("Partly kept")
    NOT_KEPT = "not_kept", _("Not kept")


class CommitmentQuerySet(OrgOwnedQuerySet["Commitment"]):
    def standing(self) -> CommitmentQuerySet:
        """Not withdrawn: what the public list, the counts and the findings read."""
        return self.filter(withdrawn_on__isnull=True)


class Commitment(Versioned, Recorded):
    """One public commitment of a member for a year."""

    org_field = "org"

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="commitments")
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="commitments")
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    text = models.TextField(_("commitment"))
    deadline = models.DateField(_("deadline"))
    made_on = models.DateField(_("made on"))
    on_behalf = models.BooleanField(_("entered on the member's behalf"), default=False)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices, blank=True)
    result_note = models.CharField(_("result note"), max_length=500, blank=True)
    result_on = models.DateField(_("result set on"), null=True, blank=True)
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("result set by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["year", "org__path", "member__name", "id"]
        verbose_name = _("commitment")
        indexes = [models.Index(fields=["org", "year"]), models.Index(fields=["member", "year"]),
                   models.Index(fields=["year", "level"])]

    def __str__(self) -> str:
        return f"{self.year} {self.member} {self.get_level_display()}"

    @property
    def state(self) -> str:
        if self.withdrawn_on is not None:
            return "withdrawn"
        return self.result or "open"


class Progress(Recorded):
    """A progress entry: what was done on a day. A photo may be added; it is never asked for."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="progress")
    date = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    photo = models.FileField(_("photo (optional)"), upload_to="commitments/%Y/%m/", blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("progress entry")

    def __str__(self) -> str:
        return f"{self.date} {self.text[:30]}"
