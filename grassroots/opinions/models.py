"""Residents' opinions: the "people's feelings express station" (民情快递站).

A station is run by an organization (a town or street committee): it has outlets in villages and communities
(`Outlet`), categories that say who handles what and within how many working days (`Category`, routed to a
`Department` of the station or to an organization), and the opinions themselves (`Opinion`). Every change of
state is an `OpinionChange` carrying the written reply in its structured form (background, how it was solved,
what remains, suggested measures, the handler's name and contact); a reply may be drafted first
(`OpinionChange.published_at` is empty) and takes effect when published. Routing is recorded as
`Assignment`s (assign, reassign, escalate). The submitter rates the reply with the private tracking code
(`OpinionRating`); a low rating can reopen the opinion.

The submitter's contact is never shown publicly and only to the handling roles, each reveal logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.core.idnumber import mask_email, mask_phone
from grassroots.core.models import Recorded
from grassroots.orgs.models import Organization, Territory


class Department(models.Model):
    """A functional department of the station's organization (civil affairs office, urban management, ...)."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="departments")
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Raised by every write of the set-up services: an edit made from an older page is refused, not lost.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("department")
        ordering = ["org", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What an opinion is about; also an Open311 service (`code` is its service_code)."""

    org = models.ForeignKey(Organization, verbose_name=_("station"), on_delete=models.PROTECT,
                            related_name="opinion_categories")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="categories")
    # When no department is set, the opinion goes to the branch whose territory holds the place (else the station).
    deadline_workdays = models.PositiveSmallIntegerField(_("deadline in working days"), default=5)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("opinion", "category")
        verbose_name_plural = pgettext_lazy("opinion", "categories")
        ordering = ["org", "code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="category_unique_code")]

    def __str__(self) -> str:
        return self.name


class Outlet(models.Model):
    """A service outlet of the station in a village or community, with its recipients (cadres)."""

    org = models.ForeignKey(Organization, verbose_name=_("station"), on_delete=models.PROTECT,
                            related_name="opinion_outlets")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    territory = models.ForeignKey(Territory, verbose_name=_("place"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=200, blank=True)
    recipients = models.CharField(_("recipients"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("outlet")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="outlet_unique_code")]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", _("Public web form")
    OUTLET = "outlet", _("At an outlet")
    PHONE = "phone", _("Phone line")
    VISIT = "visit", _("Visit or meeting")
    IMPORT = "import", _("Excel import")
    OPEN311 = "open311", _("Open311 client or kiosk")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("Being solved")
    SOLVED = "solved", _("Solved")
    EXPLAINED = "explained", _("Explained")
    CANNOT_SOLVE = "cannot_solve", _("Cannot be solved for now")
    DUPLICATE = "duplicate", _("Duplicate")
    REOPENED = "reopened", _("Reopened")


# Completed: a reply has closed it (duplicates are not counted at all in the statistics).
COMPLETED = (State.SOLVED, State.EXPLAINED, State.CANNOT_SOLVE)
CLOSED = (*COMPLETED, State.DUPLICATE)
OPEN = (State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED)


class Opinion(Recorded):
    station = models.ForeignKey(Organization, verbose_name=_("station"), on_delete=models.PROTECT,
                                related_name="opinions")
    number = models.CharField(_("number"), max_length=20, unique=True)  # public: "HS-2019-0001"
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)  # private, the submitter's
    text = models.TextField(_("opinion"))
    category = models.ForeignKey(Category, verbose_name=pgettext_lazy("opinion", "category"), on_delete=models.PROTECT,
                                 related_name="opinions")
    territory = models.ForeignKey(Territory, verbose_name=_("place"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="opinions")
    submitter_name = models.CharField(_("name"), max_length=50, blank=True)
    submitter_phone = models.CharField(_("phone"), max_length=20, blank=True)
    submitter_email = models.CharField(_("email"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"))
    # Current routing and state (the history is in Assignment and OpinionChange).
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    handler_org = models.ForeignKey(Organization, verbose_name=_("handled by"), on_delete=models.PROTECT,
                                    related_name="handled_opinions")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="opinions")
    deadline = models.DateField(_("reply due"))  # the one in force (set again when reopened)
    first_deadline = models.DateField(_("first reply due"))  # as set at intake: the statistics judge by these
    closed_on = models.DateField(pgettext_lazy("opinion", "closed on"), null=True, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")
    published = models.BooleanField(_("published"), default=False)  # the organization chooses
    state_changed_at = models.DateTimeField(_("updated"), null=True, blank=True)
    visit_ref = models.CharField(_("visit"), max_length=100, blank=True)  # the home visit it came from

    class Meta:
        verbose_name = _("opinion")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["station", "received_on"]),
            models.Index(fields=["handler_org", "state"]),
            models.Index(fields=["state", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.submitter_phone) if self.submitter_phone else ""

    @property
    def email_masked(self) -> str:
        return mask_email(self.submitter_email)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def is_completed(self) -> bool:
        return self.state in COMPLETED


class AssignmentKind(models.TextChoices):
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Reassigned")
    ESCALATE = "escalate", _("Escalated to the level above")


class Assignment(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("kind"), max_length=8, choices=AssignmentKind.choices)
    to_org = models.ForeignKey(Organization, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by_category = models.BooleanField(default=False)  # routed at intake by the category, not by a person
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.opinion} {self.get_kind_display()} {self.to_org}"


class OpinionChange(models.Model):
    """A change of state with its written reply. A draft (published_at empty) has not changed anything yet."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    on = models.DateField(_("date"))
    background = models.TextField(_("background"), blank=True)
    solution = models.TextField(_("how it was solved"), blank=True)
    remaining = models.TextField(_("what remains"), blank=True)
    measures = models.TextField(_("suggested measures"), blank=True)
    reason = models.TextField(_("reason"), blank=True)  # required for "cannot be solved for now" and reopening
    duplicate_of = models.ForeignKey(Opinion, verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    handler_name = models.CharField(_("handler"), max_length=50, blank=True)
    handler_contact = models.CharField(_("handler's contact"), max_length=50, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    deadline = models.DateField(_("reply due"), null=True, blank=True)  # the new deadline a reopening set
    by_rating = models.BooleanField(default=False)  # a reopening by the submitter's low rating; reason "2/5"

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["opinion", "published_at"])]

    def __str__(self) -> str:
        return f"{self.opinion} → {self.get_to_state_display()}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class OpinionRating(models.Model):
    """The submitter's rating (1-5) of the reply in force; only the latest counts."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="ratings")
    change = models.ForeignKey(OpinionChange, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(pgettext_lazy("opinion", "rating"))
    on = models.DateField(_("date"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5"),
            models.UniqueConstraint(fields=["change"], name="one_rating_a_reply"),
        ]

    def __str__(self) -> str:
        return f"{self.opinion} {self.score}"


class OpinionAttachment(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="opinions/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.caption or str(self.file.name)
