"""Proposals of representatives, members and residents' representatives, tracked to done (seed 003's
Qijiashan: each answered "in the form of a motion reply, with the background, the handling, the problems and the
measures, and the name and contact of each handler published").

- `Proposal`: one matter of an organization, numbered per organization and year ("HS-2019-T001"), with a category,
  a scope (a grid, community or street: `territory`), perhaps part of a practical project (`project`). Reviewed
  once: accepted and assigned to a lead unit with co-handlers; merged into a duplicate (`merged_into`); or not
  accepted and turned into a residents' opinion in one step (`opinion`, which links back through
  `opinion.from_proposal`). An accepted proposal is answered by its deadline in working days (the rules in force on
  the day received, `rule`), extendable once with a reason; the proposer rates the answer; an unsatisfied rating
  may reopen it for a new round of answer with a new deadline.
- `Proposer`: who proposed it (a seat of a deliberative body, a Party member or a name), the first the lead.
- `ProposalAnswer`: every answer, per round, in the seed's parts, with the handler's published name and office
  phone.
- `ProposalAttachment`: files of the proposal (checked by `core.files.check_attachment`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.congress.models import PracticalProject
from grassroots.core.models import Recorded, Versioned
from grassroots.deliberation.models import Seat
from grassroots.members.models import Member
from grassroots.opinions.models import Opinion
from grassroots.orgs.models import Organization, OrgOwnedQuerySet, Territory


class ProposalCategory(models.TextChoices):
    ECONOMY = "economy", _("Economy and industry")
    LIVELIHOOD = "livelihood", _("People's livelihood and social affairs")
    CONSTRUCTION = "construction", _("Construction, roads and water")
    ENVIRONMENT = "environment", _("Environment and sanitation")
    GOVERNANCE = "governance", _("Governance and safety")
    PARTY = "party", _("Party building")
    OTHER = "other", _("Other")


class ProposalState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted and assigned")
    MERGED = "merged", _("Merged")
    CONVERTED = "converted", _("Turned into an opinion")
    ANSWERED = "answered", _("Answered")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Finished")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class ProposerRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Representative")
    MEMBER = "member", _("Party member")
    RESIDENTS_REP = "residents_rep", _("Residents' representative")


class Proposal(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="proposals")
    number = models.CharField(_("number"), max_length=40, unique=True, null=True, blank=True)
    title = models.CharField(_("matter"), max_length=200)
    text = models.TextField(_("details"), max_length=5000, blank=True)
    category = models.CharField(_("kind of matter"), max_length=16, choices=ProposalCategory.choices,
                                default=ProposalCategory.OTHER)
    territory = models.ForeignKey(Territory, verbose_name=_("scope"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("received on"))
    project = models.ForeignKey(PracticalProject, verbose_name=_("practical project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="proposals")
    opinion = models.OneToOneField(Opinion, verbose_name=_("turned into opinion"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="from_proposal")
    state = models.CharField(_("state"), max_length=12, choices=ProposalState.choices,
                             default=ProposalState.RECEIVED)
    rule = models.CharField(_("rule"), max_length=60, blank=True)  # the terms in force on the day received
    review_due = models.DateField(_("review due"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    lead_unit = models.CharField(_("lead unit"), max_length=100, blank=True)
    co_handlers = models.CharField(_("co-handlers"), max_length=300, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")
    round = models.PositiveSmallIntegerField(_("answer round"), default=0)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)  # the one in force
    first_answer_due = models.DateField(_("first answer due"), null=True, blank=True)
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    first_answered_on = models.DateField(_("first answered on"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)
    closed_on = models.DateField(_("finished on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("proposal")
        indexes = [models.Index(fields=["org", "received_on"]), models.Index(fields=["state", "answer_due"])]
        constraints = [
            models.CheckConstraint(condition=Q(merged_into__isnull=True) | ~Q(merged_into=models.F("id")),
                                   name="proposal_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def lead(self) -> Proposer | None:
        return next(iter(self.proposers.all()), None)

    @property
    def can_extend(self) -> bool:
        return self.state == ProposalState.ACCEPTED and self.extended_on is None and self.round == 1


class Proposer(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="proposers")
    seat = models.ForeignKey(Seat, verbose_name=_("seat"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="proposals")
    member = models.ForeignKey(Member, verbose_name=_("Party member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="proposals")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("as"), max_length=16, choices=ProposerRole.choices, default=ProposerRole.REPRESENTATIVE)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "proposal__org"

    class Meta:
        ordering = ["proposal", "order"]
        verbose_name = _("proposer")
        constraints = [models.UniqueConstraint(fields=["proposal", "order"], name="proposer_order_once")]

    def __str__(self) -> str:
        return self.name


class ProposalAnswer(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    round = models.PositiveSmallIntegerField(_("round"))
    background = models.TextField(_("background"), max_length=3000, blank=True)
    handling = models.TextField(_("handling"), max_length=3000)
    problems = models.TextField(_("problems"), max_length=3000, blank=True)
    measures = models.TextField(_("measures"), max_length=3000, blank=True)
    handler_name = models.CharField(_("handler"), max_length=50)
    handler_phone = models.CharField(_("handler's office phone"), max_length=30, blank=True)
    answered_on = models.DateField(_("answered on"))
    due = models.DateField(_("answer due"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "proposal__org"

    class Meta:
        ordering = ["proposal", "round"]
        verbose_name = _("answer to a proposal")
        constraints = [models.UniqueConstraint(fields=["proposal", "round"], name="proposal_answer_once_a_round")]

    def __str__(self) -> str:
        return f"{self.proposal_id} #{self.round}"

    @property
    def on_time(self) -> bool:
        return self.answered_on <= self.due


def _upload_to(instance: ProposalAttachment, filename: str) -> str:
    return f"proposals/{instance.proposal_id}/{filename}"


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_upload_to)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "proposal__org"

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or str(self.file.name or "").rsplit("/", 1)[-1]
