"""Proposals of representatives, members and residents' representatives, tracked to done (seed 003's
Qijiashan: each answered "in the form of a motion reply, with the background, the handling, the problems and the
measures, and the name and contact of each handler published").

- `Proposal`: one matter, perhaps part of a practical project (`project`); when not accepted it becomes a
  residents' opinion in one step (`opinion`, which links back through `opinion.from_proposal`).
- `Proposer`: who proposed it (a seat of a deliberative body, a Party member or a name), the first the lead.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.congress.models import PracticalProject
from grassroots.core.models import Recorded, Versioned
from grassroots.deliberation.models import Seat
from grassroots.members.models import Member
from grassroots.opinions.models import Opinion
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class Proposal(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="proposals")
    title = models.CharField(_("matter"), max_length=200)
    received_on = models.DateField(_("received on"))
    project = models.ForeignKey(PracticalProject, verbose_name=_("practical project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="proposals")
    opinion = models.OneToOneField(Opinion, verbose_name=_("turned into opinion"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="from_proposal")

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("proposal")

    def __str__(self) -> str:
        return self.title


class Proposer(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="proposers")
    seat = models.ForeignKey(Seat, verbose_name=_("seat"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="proposals")
    member = models.ForeignKey(Member, verbose_name=_("Party member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="proposals")
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "proposal__org"

    class Meta:
        ordering = ["proposal", "order"]
        verbose_name = _("proposer")

    def __str__(self) -> str:
        return self.name
