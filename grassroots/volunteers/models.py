"""Volunteer service (志愿服务): teams, volunteers (members or residents), activities with sign-up and attendance,
hours confirmed by the organizer, self-reported hours, the record of Order 67 (training, commendations,
evaluations), certificates and corrections.

Every record points at the organization that owns it (`org`), so the scope finds it (`OrgOwnedQuerySet`).
Hours count only once confirmed: a participation with `confirmed_on`, a self-report approved.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.idnumber import mask, mask_phone
from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class VolunteerTeam(Versioned, Recorded):
    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="volunteer_teams")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    captain = models.CharField(_("captain"), max_length=50, blank=True)
    tenet = models.TextField(_("tenet"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["org__path", "code"]
        verbose_name = _("volunteer team")
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="volunteer_team_code_per_org")]

    def __str__(self) -> str:
        return self.name


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other document")


class Volunteer(Versioned, Recorded):
    """A registered volunteer: a Party member (name, ID number and phone read from the roster) or a resident."""

    org = models.ForeignKey(Organization, verbose_name=_("registered with"), on_delete=models.PROTECT,
                            related_name="volunteers")
    member = models.ForeignKey(Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="volunteer_records")
    name = models.CharField(_("name"), max_length=50, blank=True)
    id_type = models.CharField(_("document type"), max_length=16, choices=IdType.choices,
                               default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("document number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"))
    number = models.CharField(_("volunteer number"), max_length=40)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("volunteer")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="volunteer_number_per_issuer"),
            models.UniqueConstraint(fields=["org", "member"], condition=Q(member__isnull=False),
                                    name="member_volunteer_once_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.number})"

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id and self.member else self.name

    @property
    def document_number(self) -> str:
        return self.member.id_number if self.member_id and self.member else self.id_number

    @property
    def document_type(self) -> str:
        return str(IdType.RESIDENT_ID.label if self.member_id else self.get_id_type_display())

    @property
    def contact(self) -> str:
        return self.member.phone if self.member_id and self.member else self.phone

    @property
    def id_number_masked(self) -> str:
        return mask(self.document_number) if self.document_number else ""

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.contact) if self.contact else ""

    @property
    def kind_label(self) -> str:
        return str(_("Member") if self.member_id else _("Resident"))


class TeamMembership(Recorded):
    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    org_field = "team__org"
    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["joined_on", "pk"]
        verbose_name = _("team membership")

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


class ActivitySeries(Versioned, Recorded):
    """A recurring activity: an iCalendar RRULE expanded into `Activity` occurrences (one per start)."""

    team = models.ForeignKey(VolunteerTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="series")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    content = models.TextField(_("content"), blank=True)
    place = models.CharField(_("place"), max_length=150, blank=True)
    organizer = models.CharField(_("organizer"), max_length=50, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    starts_at = models.DateTimeField(_("first start"))
    minutes = models.PositiveIntegerField(_("duration, minutes"))
    rrule = models.CharField(_("recurrence rule (RRULE)"), max_length=300)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recurring activity")

    def __str__(self) -> str:
        return self.title


class Activity(Versioned, Recorded):
    team = models.ForeignKey(VolunteerTeam, verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="activities")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(ActivitySeries, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="activities")
    title = models.CharField(_("title"), max_length=150)
    content = models.TextField(_("content"), blank=True)
    place = models.CharField(_("place"), max_length=150, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    organizer = models.CharField(_("organizer"), max_length=50, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("volunteer activity")
        indexes = [models.Index(fields=["org", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["series", "starts_at"], condition=Q(series__isnull=False),
                                    name="one_occurrence_per_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class Participation(Versioned, Recorded):
    """A volunteer at an activity: signed up (or added by staff), then marked present or absent by the organizer;
    hours computed from the actual times, counted once the organizer confirms them."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="participations")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="participations")
    state = models.CharField(_("attendance"), max_length=12, choices=Attendance.choices,
                             default=Attendance.SIGNED_UP)
    on_behalf = models.BooleanField(_("signed up by staff"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    org_field = "activity__org"
    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["activity__starts_at", "pk"]
        verbose_name = _("participation")
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="one_participation")]

    def __str__(self) -> str:
        return f"{self.volunteer.display_name} @ {self.activity}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class SelfReport(Versioned, Recorded):
    """Service a volunteer did outside an activity, reported by them (or by staff for them), counted once
    approved."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="reports")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    content = models.CharField(_("content"), max_length=300)
    place = models.CharField(_("place"), max_length=150, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("self-reported service")

    def __str__(self) -> str:
        return f"{self.volunteer.display_name} {self.day} {self.hours}"


class NoteKind(models.TextChoices):
    TRAINING = "training", _("Training")
    COMMENDATION = "commendation", _("Commendation")
    EVALUATION = "evaluation", _("Evaluation")


class RecordNote(Recorded):
    """The rest of the record of Order 67: training received, commendations, evaluations."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="notes")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices)
    day = models.DateField(_("day"))
    title = models.CharField(_("title"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("record entry")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day} {self.title}"


class Certificate(Recorded):
    """A volunteer-service certificate (志愿服务记录证明) as issued: its figures are kept as they stood."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    org = models.ForeignKey(Organization, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField()
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    period_start = models.DateField(_("service from"))
    period_end = models.DateField(_("service to"))
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1)
    content = models.JSONField(_("service content"), default=list)  # [[day, title, hours], ...]
    person_in_charge = models.CharField(_("person in charge"), max_length=50)
    handler = models.CharField(_("handled by"), max_length=50)
    contact = models.CharField(_("contact"), max_length=50)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("volunteer-service certificate")
        constraints = [models.UniqueConstraint(fields=["org", "year", "seq"], name="certificate_seq_per_year")]

    def __str__(self) -> str:
        return self.number


class Correction(Versioned, Recorded):
    """A volunteer's request to correct their record (a participation's or a self-report's hours), answered by the
    organizer; the record changes only through an approved request."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="corrections")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    participation = models.ForeignKey(Participation, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="corrections")
    report = models.ForeignKey(SelfReport, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="corrections")
    hours = models.DecimalField(_("hours asked for"), max_digits=6, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300)
    requested_on = models.DateField(_("requested on"))
    state = models.CharField(_("state"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=300, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = _("correction request")

    def __str__(self) -> str:
        return f"{self.volunteer.display_name} {self.requested_on}"

    @property
    def current_hours(self) -> Decimal | None:
        target = self.participation or self.report
        return target.hours if target is not None else None
