"""Responsibility posts (党员责任岗, 设岗定责): kinds of post an organization sets up, posts with seats, a term and a
place, and members' claims of them (认领), approved by the branch and published.

- `PostKind`: a kind of post, owned by an organization and usable in its whole subtree (seed 004's eight and Wulan
  Street's ten are presets, `presets.py`); deactivated, never deleted.
- `PostSetting`: an organization's choices (how many posts a member may hold at once; the nearest setting up the
  tree applies, else the rule `posts.claims_per_member`).
- `Post`: organization, kind, title, duties, seats, term and place (a place of the territory tree or a text).
- `PostClaim`: a member's claim of a post, made by the member or by the secretary on their behalf (`on_behalf`),
  pending until the branch approves or declines it with a reason; an approved claim holds a seat until the member
  withdraws it or the branch ends it (`ended_on`).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgOwnedQuerySet, Territory


class PostKind(Versioned, Recorded):
    """A kind of post (治安巡逻岗 ...), the organization's own data, usable by the organizations under it."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="post_kinds")
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    preset = models.CharField(_("preset"), max_length=20, blank=True)  # the preset it came from, if any
    active = models.BooleanField(_("active"), default=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["org__path", "name"]
        verbose_name = _("post kind")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="post_kind_name_once")]

    def __str__(self) -> str:
        return self.label()

    def label(self) -> str:
        """The kind's name in the reader's language (the Chinese name when no English one is given)."""
        if self.name_en and not (get_language() or "zh").startswith("zh"):
            return self.name_en
        return self.name


class PostSetting(Versioned, models.Model):
    """What an organization chose for the posts of its subtree."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="post_setting")
    max_active_claims = models.PositiveSmallIntegerField(_("posts a member may hold at once"), default=1)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        verbose_name = _("posts setting")

    def __str__(self) -> str:
        return f"{self.org}: {self.max_active_claims}"


class Post(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="posts")
    kind = models.ForeignKey(PostKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(_("title"), max_length=100)
    duties = models.TextField(_("duties"), max_length=2000, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    territory = models.ForeignKey(Territory, verbose_name=_("place"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place (text)"), max_length=200, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "org"

    class Meta:
        ordering = ["-term_start", "title", "id"]
        verbose_name = _("responsibility post")
        indexes = [models.Index(fields=["org", "term_start"])]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="post_has_a_seat"),
            models.CheckConstraint(condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                                   name="post_term_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def place_text(self) -> str:
        return self.territory.name if self.territory_id and self.territory else self.place

    def open_on(self, day: dt.date) -> bool:
        """Whether the term covers `day`."""
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class ClaimState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", _("Ended")


ACTIVE_STATES = (ClaimState.PENDING, ClaimState.APPROVED)


class PostClaim(Versioned, Recorded):
    """A member's claim of a post. `approved_on` .. `ended_on` is when it held a seat (the post's term bounds it
    too); a claim withdrawn before approval never held one."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="post_claims")
    state = models.CharField(_("state"), max_length=12, choices=ClaimState.choices, default=ClaimState.PENDING)
    claimed_on = models.DateField(_("claimed on"))
    on_behalf = models.BooleanField(_("claimed on the member's behalf"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()
    org_field = "post__org"

    class Meta:
        ordering = ["-claimed_on", "-id"]
        verbose_name = _("post claim")
        indexes = [models.Index(fields=["state", "claimed_on"]), models.Index(fields=["member", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], condition=Q(state__in=["pending", "approved"]),
                                    name="one_open_claim_of_a_post"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.post.title}"

    def held_until(self) -> dt.date | None:
        """The last day the claim holds its seat (None: open)."""
        ends = [d for d in (self.ended_on, self.post.term_end) if d is not None]
        return min(ends) if ends else None
