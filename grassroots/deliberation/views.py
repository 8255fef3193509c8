"""Deliberation pages: an organization's hub (bodies, meetings, topics, path cases, votes), a body's page with its
seats on a date (printable), recording a meeting with attendance by seat, a meeting's page with its attendance,
invited parties and votes (recording a vote), topics with their written opinions, the four-discussions path
cases with their steps, the lists of votes and cases (print, .xlsx), and the public station pages of topics
(no login; opinions may be left there; no personal data shown).

Thin: everything is read through `scope_for(request.user)` (out of scope: 404); every write goes through
`deliberation.services`, a RuleError goes back onto the form's field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.dates import parse_date_or
from grassroots.core.errors import RuleError
from grassroots.meetings.models import Meeting
from grassroots.orgs.models import Organization
from grassroots.ui.forms import write_form_page, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import (
    BodyForm,
    CaseForm,
    MeetingForm,
    OpinionForm,
    PublicOpinionForm,
    SeatEndForm,
    SeatForm,
    StepForm,
    TopicForm,
    VoteForm,
)
from .models import Body, BodyMeeting, InvitedParty, PathCase, Seat, SeatAttendance, Topic, Vote


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _require_write(scope: Scope, org: Organization) -> None:
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change the deliberation records of %(org)s.") % {"org": org})


def _result(v: Vote) -> str:
    if not v.quorate:
        return _("no quorum: nothing decided")
    return _("passed") if v.passed else _("not passed")


BODIES = ListSpec(
    title=gettext_lazy("Deliberative bodies"),
    columns=(
        Column("name", gettext_lazy("Body"), lambda b: b.name, link=lambda b: reverse("deliberation-body", args=[b.pk])),
        Column("kind", gettext_lazy("Kind"), lambda b: b.get_kind_display()),
        Column("org", gettext_lazy("Leading organization"), lambda b: b.org.name),
        Column("set_up_on", gettext_lazy("Set up on"), lambda b: b.set_up_on, css="num"),
        Column("seats", gettext_lazy("Seats today"), lambda b: b.n_seats, css="num"),
        Column("held", gettext_lazy("Meetings held"), lambda b: b.held, css="num"),
    ),
    export_name="deliberation-bodies", table_id="deliberation-bodies", export_link=True,
    empty=gettext_lazy("No deliberative body has been set up here yet."),
)

VOTES = ListSpec(
    title=gettext_lazy("Votes"),
    columns=(
        Column("date", gettext_lazy("Date"), lambda v: v.meeting.date, css="num",
               link=lambda v: reverse("deliberation-meeting", args=[v.meeting_id])),
        Column("meeting", gettext_lazy("Meeting"), lambda v: v.meeting.get_kind_display()),
        Column("org", gettext_lazy("Organization"), lambda v: v.meeting.org.name),
        Column("question", gettext_lazy("Question"), lambda v: v.question),
        Column("entitled", gettext_lazy("Entitled"), lambda v: v.entitled, css="num"),
        Column("present", gettext_lazy("Present"), lambda v: v.present, css="num"),
        Column("yes", gettext_lazy("Yes"), lambda v: v.yes, css="num"),
        Column("no", gettext_lazy("No"), lambda v: v.no, css="num"),
        Column("abstain", gettext_lazy("Abstain"), lambda v: v.abstain, css="num"),
        Column("result", gettext_lazy("Result"), _result),
        Column("rule", gettext_lazy("Rule applied"), lambda v: v.rule),
    ),
    export_name="deliberation-votes", table_id="deliberation-votes", export_link=True,
    empty=gettext_lazy("No vote has been recorded here yet."),
)


def _case_state(c: PathCase) -> str:
    st = selectors.case_state(c)
    if st["done"]:
        return _("result published")
    if st["published"]:
        return _("decision published")
    if st["decided"]:
        return _("decided, not yet published")
    return _("at step %(n)s of 6") % {"n": st["last"]}


CASES = ListSpec(
    title=gettext_lazy("Four discussions and two openings"),
    columns=(
        Column("opened_on", gettext_lazy("Opened on"), lambda c: c.opened_on, css="num",
               link=lambda c: reverse("deliberation-case", args=[c.pk])),
        Column("title", gettext_lazy("Matter"), lambda c: c.title),
        Column("org", gettext_lazy("Organization"), lambda c: c.org.name),
        Column("state", gettext_lazy("State"), _case_state),
    ),
    export_name="deliberation-cases", table_id="deliberation-cases", export_link=True,
    empty=gettext_lazy("No matter has been taken through the path here yet."),
)

TOPICS = ListSpec(
    title=gettext_lazy("Deliberation topics"),
    columns=(
        Column("title", gettext_lazy("Topic"), lambda t: t.title, link=lambda t: reverse("deliberation-topic",
                                                                                         args=[t.pk])),
        Column("org", gettext_lazy("Organization"), lambda t: t.org.name),
        Column("opens_on", gettext_lazy("Opens on"), lambda t: t.opens_on, css="num"),
        Column("closes_on", gettext_lazy("Closes on"), lambda t: t.closes_on, css="num"),
        Column("opinions", gettext_lazy("Written opinions"), lambda t: t.n_opinions, css="num"),
        Column("meetings", gettext_lazy("Briefings and hearings"), lambda t: t.n_meetings, css="num"),
    ),
    export_name="deliberation-topics", table_id="deliberation-topics", export_link=True,
    empty=gettext_lazy("No topic has been set here yet."),
)


# --- the hub and the lists ------------------------------------------------------------------------------------

@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    day = timezone.localdate()
    meetings = list(selectors.meetings_of(org)[:20])
    return BODIES.respond(request, selectors.bodies_of(org, day), template="deliberation/home.html", org=org,
                          context={"can_write": scope.can_write_org(org), "meetings": meetings})


@login_required
@require_GET
def votes(request: HttpRequest, code: str) -> HttpResponse:
    _scope, org = _org(request, code)
    return VOTES.respond(request, selectors.votes_of(org), template="deliberation/list.html", org=org,
                         context={"heading": _("Votes")})


@login_required
@require_GET
def cases(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    return CASES.respond(request, selectors.cases_of(org), template="deliberation/list.html", org=org,
                         context={"heading": _("Four discussions and two openings"),
                                  "new_url": reverse("deliberation-case-new", args=[org.code])
                                  if scope.can_write_org(org) else ""})


@login_required
@require_GET
def topics(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    return TOPICS.respond(request, selectors.topics_of(org), template="deliberation/list.html", org=org,
                          context={"heading": _("Deliberation topics"),
                                   "new_url": reverse("deliberation-topic-new", args=[org.code])
                                   if scope.can_write_org(org) else ""})


@login_required
@require_http_methods(["GET", "POST"])
def body_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    form = BodyForm(request.POST or None, initial={"set_up_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        body = write_on_form(form, lambda: services.body_create(org=org, **form.cleaned_data))
        if body is not None:
            messages.success(request, _("Body %(name)s set up.") % {"name": body.name})
            return redirect("deliberation-body", pk=body.pk)
    return write_form_page(request, org, form, _("Set up a deliberative body"), _("Set up"),
                           reverse("deliberation-home", args=[org.code]))


# --- a body ---------------------------------------------------------------------------------------------------

def _body(request: HttpRequest, pk: int) -> tuple[Scope, Body]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Body.objects.visible_to(scope).select_related("org"), pk=pk)


@login_required
@require_GET
def body(request: HttpRequest, pk: int) -> HttpResponse:
    """The body's seats held on `as_of` (today by default), printable, and its meetings."""
    scope, b = _body(request, pk)
    as_of = parse_date_or(request.GET.get("as_of"), timezone.localdate())
    seats = services.seats_on(b, as_of)
    meetings = list(b.meetings.select_related("meeting").order_by("-meeting__date"))
    return render(request, "deliberation/body.html", {
        "org": b.org, "body": b, "seats": seats, "as_of": as_of, "meetings": meetings,
        "all_seats": list(b.seats.order_by("name", "-from_on")), "can_write": scope.can_write_org(b.org)})


@login_required
@require_http_methods(["GET", "POST"])
def seat_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, b = _body(request, pk)
    _require_write(scope, b.org)
    form = SeatForm(request.POST or None, initial={"from_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        seat = write_on_form(form, lambda: services.seat_add(body=b, **form.cleaned_data))
        if seat is not None:
            messages.success(request, _("Seat of %(name)s added.") % {"name": seat.name})
            return redirect("deliberation-body", pk=b.pk)
    return write_form_page(request, b.org, form, _("Add a seat"), _("Add"), reverse("deliberation-body", args=[b.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def seat_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    seat = get_object_or_404(Seat.objects.visible_to(scope).select_related("body__org"), pk=pk)
    _require_write(scope, seat.body.org)
    form = SeatEndForm(request.POST or None, initial={"version": seat.version,
                                                      "to_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.seat_end(seat=seat, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("Seat of %(name)s ended.") % {"name": seat.name})
            return redirect("deliberation-body", pk=seat.body_id)
    return write_form_page(request, seat.body.org, form, _("End the seat of %(name)s") % {"name": seat.name},
                           _("End"), reverse("deliberation-body", args=[seat.body_id]))


def _parties(raw: str) -> list[tuple[str, str, str]]:
    rows = []
    for line in (raw or "").splitlines():
        if line.strip():
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            rows.append((parts[0], parts[1], parts[2]))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a meeting of the body: the seats checked present or excused; the other seats held on the date absent."""
    scope, b = _body(request, pk)
    _require_write(scope, b.org)
    choices = [(str(s.pk), s.name) for s in b.seats.order_by("name", "pk")]
    form = MeetingForm(request.POST or None, seats=choices, initial={"date": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        present, excused = set(data["present"]), set(data["excused"]) - set(data["present"])

        def write() -> BodyMeeting:
            held = [s.pk for s in services.seats_on(b, data["date"])] if data["date"] else []
            attendance = {sid: "absent" for sid in held}
            attendance.update({int(sid): "excused" for sid in excused})
            attendance.update({int(sid): "present" for sid in present})
            return services.meeting_record(org=b.org, kind=data["kind"], date=data["date"], topic=data["topic"],
                                           body=b, place=data["place"], host=data["host"], attendance=attendance,
                                           parties=_parties(data["parties"]))
        bm = write_on_form(form, write)
        if bm is not None:
            messages.success(request, _("Meeting recorded."))
            return redirect("deliberation-meeting", pk=bm.meeting_id)
    return write_form_page(request, b.org, form, _("Record a meeting of %(body)s") % {"body": b.name}, _("Record"),
                           reverse("deliberation-body", args=[b.pk]))


# --- a meeting ------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting kept by seat (or a Party members' meeting with votes): attendance, parties, votes; POST a vote."""
    scope = scope_for(request.user)
    m = get_object_or_404(scope.by_org(Meeting.objects.all()).select_related("org"), pk=pk)
    bm = BodyMeeting.objects.filter(meeting=m).select_related("body", "topic").first()
    can_write = scope.can_write_org(m.org) and m.kind in services.RULE_OF_KIND
    form = VoteForm(request.POST or None) if can_write else None
    if request.method == "POST":
        _require_write(scope, m.org)
        assert form is not None
        if form.is_valid() and write_on_form(
                form, lambda: services.vote_record(meeting=m, **form.cleaned_data)) is not None:
            messages.success(request, _("Vote recorded."))
            return redirect("deliberation-meeting", pk=m.pk)
    attendance = list(SeatAttendance.objects.filter(meeting=m).select_related("seat").order_by("seat__name"))
    parties = list(InvitedParty.objects.filter(meeting=m))
    votes = list(m.deliberation_votes.order_by("pk"))
    for v in votes:
        v.result = _result(v)  # type: ignore[attr-defined]
    return render(request, "deliberation/meeting.html", {
        "org": m.org, "meeting": m, "bm": bm, "attendance": attendance, "parties": parties, "votes": votes,
        "can_write": can_write, "form": form}, status=400 if request.method == "POST" else 200)


# --- topics ---------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        t = write_on_form(form, lambda: services.topic_create(org=org, **form.cleaned_data))
        if t is not None:
            messages.success(request, _("Topic set."))
            return redirect("deliberation-topic", pk=t.pk)
    return write_form_page(request, org, form, _("Set a deliberation topic"), _("Set"),
                           reverse("deliberation-topics", args=[org.code]))


@login_required
@require_http_methods(["GET", "POST"])
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    """A topic with its written opinions (the names for the staff only) and its briefings and hearings; POST a
    paper opinion entered by the staff."""
    scope = scope_for(request.user)
    t = get_object_or_404(Topic.objects.visible_to(scope).select_related("org"), pk=pk)
    can_write = scope.can_write_org(t.org)
    form = OpinionForm(request.POST or None) if can_write else None
    if request.method == "POST":
        _require_write(scope, t.org)
        assert form is not None
        if form.is_valid() and write_on_form(
                form, lambda: services.opinion_enter(topic=t, **form.cleaned_data)) is not None:
            messages.success(request, _("Opinion recorded."))
            return redirect("deliberation-topic", pk=t.pk)
    return render(request, "deliberation/topic.html", {
        "org": t.org, "topic": t, "opinions": list(t.opinions.all()),
        "meetings": list(t.meetings.select_related("meeting").order_by("meeting__date")), "can_write": can_write,
        "form": form}, status=400 if request.method == "POST" else 200)


# --- path cases -----------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    form = CaseForm(request.POST or None, initial={"opened_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        c = write_on_form(form, lambda: services.case_create(org=org, **form.cleaned_data))
        if c is not None:
            return redirect("deliberation-case", pk=c.pk)
    return write_form_page(request, org, form, _("Take a matter through the path"), _("Open the matter"),
                           reverse("deliberation-cases", args=[org.code]))


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter's steps in order; POST records the next step (a meeting's or vote's number, or a publication)."""
    scope = scope_for(request.user)
    c = get_object_or_404(PathCase.objects.visible_to(scope).select_related("org"), pk=pk)
    can_write = scope.can_write_org(c.org)
    form = StepForm(request.POST or None) if can_write else None
    if request.method == "POST":
        _require_write(scope, c.org)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data

            def write() -> Any:
                m = scope.by_org(Meeting.objects.all()).filter(pk=data["meeting"]).first() if data["meeting"] else None
                v = Vote.objects.visible_to(scope).filter(pk=data["vote"]).first() if data["vote"] else None
                if data["meeting"] and m is None:
                    raise RuleError(_("no such meeting"), field="meeting")
                if data["vote"] and v is None:
                    raise RuleError(_("no such vote"), field="vote")
                return services.step_record(case=c, step=data["step"], meeting=m, vote=v, on=data["on"],
                                            where=data["where"], text=data["text"])
            if write_on_form(form, write) is not None:
                messages.success(request, _("Step recorded."))
                return redirect("deliberation-case", pk=c.pk)
    state = selectors.case_state(c)
    steps = [(n, label, state["steps"].get(n)) for n, label in services.PathStepKind.choices]
    return render(request, "deliberation/case.html", {"org": c.org, "case": c, "steps": steps, "state": state,
                                                      "can_write": can_write, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- public station pages -------------------------------------------------------------------------------------

def _station(code: str) -> Organization:
    org = Organization.objects.filter(code=code).first()
    if org is None or not selectors.has_public(org):
        raise Http404(_("No such station."))
    return org


@require_GET
def public_topics(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    return render(request, "deliberation/public_topics.html", {
        "station": org, "topics": list(selectors.public_topics(org)[:50]), "today": timezone.localdate()})


@require_http_methods(["GET", "POST"])
def public_topic(request: HttpRequest, station: str, pk: int) -> HttpResponse:
    """A topic on the station's pages: its text and period, how many opinions came; a form while it is open. No
    name, no contact is ever shown."""
    org = _station(station)
    t = get_object_or_404(selectors.public_topics(org), pk=pk)
    form = PublicOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if write_on_form(form, lambda: services.opinion_submit(topic=t, **form.cleaned_data)) is not None:
            messages.success(request, _("Thank you: your opinion has been received."))
            return redirect("public-topic", station=org.code, pk=t.pk)
    return render(request, "deliberation/public_topic.html", {
        "station": org, "topic": t, "form": form, "is_open": t.open_on(timezone.localdate()),
        "n_opinions": t.opinions.count(),
        "meetings": list(t.meetings.select_related("meeting").order_by("meeting__date"))},
        status=400 if request.method == "POST" else 200)
