"""Practical projects voted by a Party representatives' congress and tracked to done (seed 003's Qijiashan: "55
delegates voted democratically 10 key practical projects … tracked dynamically").

- `PracticalProject`: a project of an organization, perhaps voted at a congress (`meeting`, `vote`), perhaps a
  sub-project of another (`parent`, with its `weight` in the parent's roll-up of progress).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.deliberation.models import Vote
from grassroots.meetings.models import Meeting
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class PracticalProject(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="practical_projects")
    parent = models.ForeignKey("self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    title = models.CharField(_("project"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    meeting = models.ForeignKey(Meeting, verbose_name=_("voted at"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="practical_projects")
    vote = models.ForeignKey(Vote, verbose_name=_("vote"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="practical_projects")

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["org__path", "id"]
        verbose_name = _("practical project")

    def __str__(self) -> str:
        return self.title
