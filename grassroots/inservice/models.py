"""In-service members reporting to the community where they live (在职党员到社区报到, 双报到).

One `Report` is one report of a member to a community Party organization: the residence, the skills and the
services the member offers, the contact card's fields (for a mobile member reporting to the community they flowed
into as well). The community accepts or declines it and assigns the member to a grid and a post; it logs the
services done (`Service`: the activity, the hours, an evaluation on the scale of the rules data
`inservice.evaluation_scale`). The home branch reads its members' reports and services (the quarterly feedback
sheet, `selectors.feedback`); the community reads the reports made to it, never the rest of the member's archive.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.grids.models import Grid
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.posts.models import Post


class State(models.TextChoices):
    PENDING = "pending", _("Awaiting the community")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, scope: Any, *, write: bool = False) -> ReportQuerySet:
        """The reports of members the user may read (the home side) and the reports made to organizations the
        user may read (the community's side). `write`: those the community's writers may act on."""
        if scope.unrestricted:
            return self
        if write:
            return self.filter(community_org__in=scope.orgs(write=True))
        return self.filter(Q(member__in=scope.members()) | Q(community_org__in=scope.orgs()))


class Report(Versioned, Recorded):
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="inservice_reports")
    home_org = models.ForeignKey(Organization, verbose_name=_("home organization"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    community_org = models.ForeignKey(Organization, verbose_name=_("community Party organization"),
                                      on_delete=models.PROTECT, related_name="inservice_reports")
    date = models.DateField(_("reported on"))
    first = models.BooleanField(_("first report"), default=False)
    mobile = models.BooleanField(_("mobile member"), default=False)
    address = models.CharField(_("residence address"), max_length=200, blank=True)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    offers = models.CharField(_("services offered"), max_length=300, blank=True)
    activities = models.TextField(_("what was done"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True)
    grid = models.ForeignKey(Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    post = models.ForeignKey(Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("in-service member's report")
        indexes = [models.Index(fields=["community_org", "date"]), models.Index(fields=["member", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(first=True), name="inservice_one_first_report"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.member} → {self.community_org}"


class ServiceQuerySet(models.QuerySet["Service"]):
    def visible_to(self, scope: Any, *, write: bool = False) -> ServiceQuerySet:
        return self.filter(report__in=Report.objects.visible_to(scope, write=write))


class Service(Versioned, Recorded):
    """A service the community logs for a member who reported to it."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="services")
    day = models.DateField(_("day"))
    activity = models.CharField(_("activity"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    evaluation = models.CharField(_("evaluation"), max_length=20, blank=True)
    logged_on = models.DateField(_("logged on"))

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("in-service member's service")
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="inservice_hours_not_negative")]

    def __str__(self) -> str:
        return f"{self.day} {self.activity}"
