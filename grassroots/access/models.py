"""Roles, held at a node of the organization tree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.orgs.models import Organization


class RoleKind(models.TextChoices):
    ORGANIZER = "organizer", _("Committee organizer")  # read and write the subtree
    SECRETARY = "secretary", _("Branch secretary")  # read and write their own branch (and its party groups)
    AUDITOR = "auditor", _("Auditor")  # read-only subtree
    MEMBER = "member", _("Member")  # own record
    # The households of a place (a grid, a villager group) and nothing else: held at `territory`, given by the
    # organization in `org` (whose organizers manage the account). No organization, no member is read through it.
    GRID_WORKER = "grid_worker", _("Grid worker")


class Role(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=16, choices=RoleKind.choices)
    org = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                            on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="roles")
    territory = models.ForeignKey("orgs.Territory", verbose_name=_("place"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="roles")

    class Meta:
        verbose_name = _("role")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="member", member__isnull=False) | (~models.Q(kind="member") & models.Q(org__isnull=False))),
                name="role_has_its_anchor",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="grid_worker", territory__isnull=False)
                | (~models.Q(kind="grid_worker") & models.Q(territory__isnull=True)),
                name="role_grid_worker_has_its_place",
            ),
        ]

    def __str__(self) -> str:
        where = (self.member if self.kind == RoleKind.MEMBER
                 else self.territory if self.kind == RoleKind.GRID_WORKER else self.org)
        return f"{self.user} · {self.get_kind_display()} · {where}"
