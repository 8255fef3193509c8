"""Organizational life: meetings ("three meetings and one lesson", theme Party days, ...), attendance,
minutes and attachments; branch committee seats (for the committee meeting's quorum); democratic appraisal.

A meeting may be entered after the day (villages are often offline): it is marked as entered late, with who
entered it and when, and counts all the same.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("Branch general meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme Party day")
    LIFE_MEETING = "life_meeting", _("Organizational life meeting")
    APPRAISAL = "appraisal", _("Democratic appraisal of members")
    TALK = "talk", _("Heart-to-heart talk")
    STUDY = "study", _("Study session")
    # A joint meeting (联席会议) of a community's or street's Party organization with the Party organizations of
    # the units in its area: recorded by the `joint` app (its attendance is by unit, not by member); no duty, not
    # organizational life of the members.
    JOINT_MEETING = "joint_meeting", _("Joint meeting with resident units")
    # Meetings of self-government and deliberation, led by the Party organization (`org`) but attended by people
    # who need not be its members: their attendance is kept by seat in the `deliberation` app (`Seat`), and their
    # votes are counted there by the rules in force. No duty, not organizational life of the members.
    CONGRESS = "congress", _("Party representatives' congress")
    TWO_COMMITTEES = "two_committees", _("Joint meeting of the two committees")
    REPS_MEETING = "reps_meeting", _("Villagers' or residents' representatives' meeting")
    VILLAGERS_MEETING = "villagers_meeting", _("Villagers' or residents' meeting")
    BRIEFING = "briefing", _("Briefing")
    HEARING = "hearing", _("Hearing")


# Kinds that are no organizational life of the branch at all: they break no silence, owe no duty and are not
# the demo's organizational life (a joint meeting with the resident units, `joint`).
NOT_LIFE_KINDS = (MeetingKind.JOINT_MEETING, MeetingKind.CONGRESS, MeetingKind.TWO_COMMITTEES,
                  MeetingKind.REPS_MEETING, MeetingKind.VILLAGERS_MEETING, MeetingKind.BRIEFING, MeetingKind.HEARING)
# Kinds whose attendance another app keeps ({kind: the app}): recorded through that app's page, never with the
# members' attendance of this one (`record_meeting(..., elsewhere=True)`).
ATTENDANCE_ELSEWHERE = {
    MeetingKind.JOINT_MEETING: "joint",
    MeetingKind.CONGRESS: "deliberation", MeetingKind.TWO_COMMITTEES: "deliberation",
    MeetingKind.REPS_MEETING: "deliberation", MeetingKind.VILLAGERS_MEETING: "deliberation",
    MeetingKind.BRIEFING: "deliberation", MeetingKind.HEARING: "deliberation",
}


class Meeting(Versioned, Recorded):
    """A meeting held. `version` (Versioned) goes up with every change, so an update from an older read is refused."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    host = models.CharField(_("host"), max_length=50, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    study_hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=1, default=0)
    entered_late = models.BooleanField(_("entered after the day"), default=False)
    # Computed by the service from the attendance when the kind needs a quorum; None when it does not.
    quorate = models.BooleanField(_("quorum reached"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        indexes = [models.Index(fields=["org", "kind", "date"]), models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.topic}"

    @classmethod
    def change_label(cls, key: str) -> str | None:
        """The label of a key of an audit entry's changes that is not a field: the attendance counts."""
        return str(Presence(key).label) if key in Presence.values else None


class Presence(models.TextChoices):
    PRESENT = "present", _("Present")
    REMOTE = "remote", _("Remote")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    presence = models.CharField(_("attendance"), max_length=8, choices=Presence.choices)
    reason = models.CharField(_("reason for leave"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_a_member")]
        indexes = [models.Index(fields=["member", "presence"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_presence_display()}"


class Attachment(models.Model):
    """A photo of the paper sign-in sheet, the minutes as scanned: enough as evidence, never required."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.caption or str(self.file.name)


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    MEMBER = "member", _("Committee member")


class CommitteeSeat(models.Model):
    """A seat on a branch (or general branch, committee) committee, dated: who is on it on a date."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="committee_seats")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="committee_seats")
    role = models.CharField(_("role"), max_length=12, choices=SeatRole.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee seat")
        indexes = [models.Index(fields=["org", "since"])]

    def __str__(self) -> str:
        return f"{self.org} {self.get_role_display()} {self.member}"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class Appraisal(models.Model):
    """The democratic appraisal of one member for one year."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="appraisals")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="appraisals")

    class Meta:
        verbose_name = _("appraisal")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_appraisal_a_year")]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.get_rating_display()}"
