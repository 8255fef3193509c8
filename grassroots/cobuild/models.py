"""Co-construction (共建): the units that sit in a community's area but belong elsewhere, the agreements the
community's Party organization signs with them, the community's needs and the units' resources, the projects
agreed and tracked to done, and the contributions raised through them (seed 000's Wulan: 27 units, more than a
million yuan; Heshun: two linked county departments; seed 002's Yaozhou: 105 unit organizations allotted to
communities; seed 004's Liubeqiao: the "four links").

- `ResidentUnit` (驻区单位): a unit in the area of the organization that keeps its record (`org`, the community's
  or street's Party organization), its type, industry and contact; whether it has a Party organization, how many
  members, and that organization when it is in the platform (`party_org`). Left (`left_on`), never deleted.
- `UnitReport`: a unit's Party organization reports to the community (单位党组织到社区报到), accepted by it.
- `Agreement` (共建协议): the community's Party organization (`org`) and a unit, signed on a date, in force over
  a term (`starts_on` .. `ends_on`); `renews` names the agreement it follows. `AgreementFile`: the signed scan.
- `Need` (需求清单) and `Resource` (资源清单): the community's needs and a unit's resources, each possibly listed in
  an agreement; a unit claims a need (`Need.claimed_by`), which makes a project.
- `Project` (项目清单): a practical project, from an agreement, a claimed need, or a joint meeting's decision, with an
  owner and a deadline, tracked to done with evidence (`ProjectEvidence`).
- `Contribution`: money (yuan) or goods in kind (described, with an estimated value) a unit gave, under an agreement
  or a project, on a date.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.orgs.models import Organization, OrgOwnedQuerySet, Territory


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Party or government agency")
    INSTITUTION = "institution", _("Public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OTHER = "other", _("Other")


class ResidentUnit(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="resident_units")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=24, choices=UnitKind.choices)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    territory = models.ForeignKey(Territory, verbose_name=_("place"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=20, blank=True)
    has_party_org = models.BooleanField(_("has a Party organization"), default=False)
    party_members = models.PositiveIntegerField(_("Party members"), default=0)
    party_org = models.ForeignKey(Organization, verbose_name=_("its Party organization in the platform"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="units_kept_as_resident")
    joined_on = models.DateField(_("recorded from"), null=True, blank=True)  # NULL: before the records
    left_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["org__path", "name"]
        verbose_name = _("resident unit")
        verbose_name_plural = _("resident units")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="resident_unit_name_once")]

    def __str__(self) -> str:
        return self.name

    def present_on(self, day: dt.date) -> bool:
        return (self.joined_on is None or self.joined_on <= day) and (self.left_on is None or day < self.left_on)


class UnitReport(Versioned, Recorded):
    """A unit's Party organization reports to the community's (报到); the community accepts it."""

    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    offers = models.TextField(_("what the unit offers"), max_length=2000, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "unit__org"

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("unit report")

    def __str__(self) -> str:
        return f"{self.reported_on} {self.unit_id}"


class Agreement(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="cobuild_agreements")
    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="agreements")
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)  # NULL: no end set
    renews = models.ForeignKey("self", verbose_name=_("renews"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="renewals")
    terms = models.TextField(_("terms"), max_length=5000, blank=True)
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("co-construction agreement")
        verbose_name_plural = _("co-construction agreements")
        indexes = [models.Index(fields=["org", "ends_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="agreement_term_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day: dt.date) -> bool:
        last = min(d for d in (self.ends_on, self.ended_on) if d is not None) if (self.ends_on or self.ended_on) \
            else None
        return self.starts_on <= day and (last is None or day <= last)


class AgreementFile(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="cobuild/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "agreement__org"

    def __str__(self) -> str:
        return self.caption or str(self.file.name or "")


class Need(Versioned, Recorded):
    """A need of the community (需求清单), listed by its Party organization, perhaps in an agreement; a unit claims
    it (认领), which makes a project."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="cobuild_needs")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("need"), max_length=200)
    detail = models.TextField(_("detail"), max_length=2000, blank=True)
    listed_on = models.DateField(_("listed on"))
    claimed_by = models.ForeignKey(ResidentUnit, verbose_name=_("claimed by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="needs_claimed")
    claimed_on = models.DateField(_("claimed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("need")

    def __str__(self) -> str:
        return self.title


class Resource(Versioned, Recorded):
    """A unit's resource offered to the community (资源清单): a hall, vehicles, expertise, money."""

    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="resources")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="resources")
    title = models.CharField(_("resource"), max_length=200)
    detail = models.TextField(_("detail"), max_length=2000, blank=True)
    listed_on = models.DateField(_("listed on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "unit__org"

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("resource")

    def __str__(self) -> str:
        return self.title


class ProjectState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_PROJECT_STATES = (ProjectState.PLANNED, ProjectState.UNDER_WAY)


class ProjectSource(models.TextChoices):
    AGREEMENT = "agreement", _("Agreed in an agreement")
    NEED = "need", _("A need claimed by a unit")
    DECISION = "decision", _("Decided by a joint meeting")
    OTHER = "other", _("Other")


class Project(Versioned, Recorded):
    """A practical project (项目清单) of the community's Party organization with a unit, tracked to done: who owns
    it (a unit and/or a named person), by when, and the evidence of what was done."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="cobuild_projects")
    title = models.CharField(_("project"), max_length=200)
    detail = models.TextField(_("detail"), max_length=2000, blank=True)
    source = models.CharField(_("from"), max_length=12, choices=ProjectSource.choices, default=ProjectSource.OTHER)
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="projects")
    need = models.OneToOneField(Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="project")
    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="projects")
    owner = models.CharField(_("owner"), max_length=50, blank=True)
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ProjectState.choices, default=ProjectState.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), max_length=2000, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("co-construction project")
        verbose_name_plural = _("co-construction projects")
        indexes = [models.Index(fields=["org", "state", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(state="done", done_on__isnull=False) | ~Q(state="done"),
                                   name="project_done_dated"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectEvidence(models.Model):
    """A photo or a document showing a project's work (a photo of a paper sheet is enough)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="cobuild/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "project__org"

    def __str__(self) -> str:
        return self.caption or str(self.file.name or "")


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Money")
    IN_KIND = "in_kind", _("In kind")


class Contribution(Versioned, Recorded):
    """Money or goods a unit gave. A figure typed wrong is corrected (`contribution_update`, the old one kept in the
    audit log), never deleted."""

    unit = models.ForeignKey(ResidentUnit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="contributions")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="contributions")
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="contributions")
    kind = models.CharField(_("kind"), max_length=8, choices=ContributionKind.choices)
    given_on = models.DateField(_("given on"))
    amount = models.DecimalField(_("amount or estimated value (yuan)"), max_digits=12, decimal_places=2)
    goods = models.CharField(_("goods"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "unit__org"

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("contribution")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_not_negative")]

    def __str__(self) -> str:
        return f"{self.given_on} {self.amount}"
