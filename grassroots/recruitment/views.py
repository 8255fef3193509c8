"""Recruitment pages: a branch's pipeline board, a candidate's timeline with what is due next, and the
printable public notice and meeting-vote record.

Thin: candidates are read through `Candidate.objects.visible_to(scope_for(request.user))` (out of scope: 404),
every write goes through `grassroots.recruitment.services` (a RuleError goes back onto the form; a
PermissionDeniedError is left to `grassroots.ui.errors.DomainErrorMiddleware`, which answers 403 with its reason),
and what is due comes from the findings engine, never from the page. The forms are in `forms.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.dates import parse_date_or
from grassroots.core.errors import RuleError
from grassroots.core.workdays import workdays_between
from grassroots.members.models import HAN, Member, MemberPeriod
from grassroots.orgs.models import Organization, OrgKind
from grassroots.rules import findings as engine
from grassroots.rules.registry import in_force
from grassroots.ui import xlsx
from grassroots.ui.forms import rule_error_on_form

from . import findings as recruitment_source
from . import selectors as recruitment_selectors
from . import services as recruitment_services
from .forms import FIELD_ALIASES, ApplyForm, AsOfForm, NoticeForm, SponsorForm, StepForm, VoteForm
from .models import BranchVote, Candidate, CandidateStep, ContactRole, Stage, StepKind, VotePurpose

CANDIDATE_ORG_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
BOARD_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_TARGET, Stage.PROBATIONARY)
STATE_CLASSES = {engine.VIOLATED: "danger", engine.OVERDUE: "danger", engine.DUE_SOON: "warn", engine.DONE: "ok"}

# The rule that judges each kind of step (shown beside the step, in the version in force on its date).
STEP_RULES: dict[str, str] = {
    StepKind.APPLIED: "recruitment.min_age",
    StepKind.TALKED: "recruitment.talk_within",
    StepKind.CONTACTS_ASSIGNED: "recruitment.training_contacts",
    StepKind.ASSESSED: "recruitment.activist_assessment",
    StepKind.NOTICE: "recruitment.public_notice",
    StepKind.TARGET_LISTED: "recruitment.activist_min_period",
    StepKind.INTRODUCERS_ASSIGNED: "recruitment.introducers",
    StepKind.POLITICAL_REVIEW: "recruitment.political_review",
    StepKind.TRAINING: "recruitment.training",
    StepKind.ADMISSION_VOTE: "recruitment.vote",
    StepKind.HIGHER_APPROVAL: "recruitment.higher_approval",
    StepKind.CONVERSION_VOTE: "recruitment.vote",
    StepKind.CONVERSION_APPROVED: "recruitment.probation",
    StepKind.PROBATION_EXTENDED: "recruitment.extension",
}
# The steps the "next step" form offers, by stage (notice, sponsors and votes have forms of their own).
NEXT_STEPS: dict[str, list[str]] = {
    Stage.APPLICANT: [StepKind.TALKED, StepKind.RECOMMENDED, StepKind.ACTIVIST_DECIDED, StepKind.WITHDRAWN],
    Stage.ACTIVIST: [StepKind.ASSESSED, StepKind.TARGET_LISTED, StepKind.WITHDRAWN],
    Stage.DEVELOPMENT_TARGET: [StepKind.POLITICAL_REVIEW, StepKind.TRAINING, StepKind.COMMITTEE_REVIEW,
                               StepKind.PRE_REVIEW, StepKind.HIGHER_APPROVAL, StepKind.WITHDRAWN],
    Stage.PROBATIONARY: [StepKind.OATH, StepKind.CONVERSION_APPROVED, StepKind.PROBATION_EXTENDED,
                         StepKind.PROBATION_CANCELLED],
}
ONCE = {StepKind.TALKED, StepKind.RECOMMENDED, StepKind.ACTIVIST_DECIDED, StepKind.TARGET_LISTED,
        StepKind.POLITICAL_REVIEW, StepKind.COMMITTEE_REVIEW, StepKind.PRE_REVIEW, StepKind.HIGHER_APPROVAL,
        StepKind.OATH, StepKind.CONVERSION_APPROVED, StepKind.PROBATION_EXTENDED}
STAGE_OF_KIND = {kind: stage for stage, kinds in NEXT_STEPS.items() for kind in kinds}
WITH_END_DATE = (StepKind.TRAINING,)


# --- reads ---------------------------------------------------------------------------------------

def _findings_available() -> bool:
    return "recruitment" in engine.sources()


def recruitment_findings(org: Organization, day: dt.date) -> list[engine.Finding]:
    """The open recruitment findings of org's subtree on `day` ([] while the source is switched off)."""
    if not _findings_available():
        return []
    return engine.findings_for(org, day, only=["recruitment"])


def candidate_findings(candidate: Candidate, day: dt.date) -> list[engine.Finding]:
    """What is due, overdue or violated for one candidate on `day`, most urgent first."""
    order = {s: i for i, s in enumerate(engine.STATES)}
    found = [f for f in recruitment_source.candidate_findings(candidate, day) if f.state != engine.DONE]
    return sorted(found, key=lambda f: (order[f.state], f.due or dt.date.max))


def _by_candidate(findings: list[engine.Finding]) -> dict[int, list[engine.Finding]]:
    out: dict[int, list[engine.Finding]] = {}
    for f in findings:
        if f.subject_type == "candidate":
            out.setdefault(f.subject_id, []).append(f)
    return out


def _day(request: HttpRequest) -> tuple[AsOfForm, dt.date | None, dt.date]:
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    return form, day, day or timezone.localdate()


def _stage_on(candidate: Candidate, day: dt.date) -> str:
    if candidate.closed_on is not None and candidate.closed_on <= day:
        return Stage.CLOSED
    for stage, since in ((Stage.FULL, candidate.converted_on), (Stage.PROBATIONARY, candidate.admitted_on),
                         (Stage.DEVELOPMENT_TARGET, candidate.target_on), (Stage.ACTIVIST, candidate.activist_on)):
        if since is not None and since <= day:
            return stage
    return Stage.APPLICANT


def _since(candidate: Candidate, stage: str) -> dt.date | None:
    since: dict[str, dt.date | None] = {
        Stage.APPLICANT: candidate.applied_on, Stage.ACTIVIST: candidate.activist_on,
        Stage.DEVELOPMENT_TARGET: candidate.target_on, Stage.PROBATIONARY: candidate.admitted_on}
    return since.get(stage)


@dataclass
class Card:
    candidate: Candidate
    since: dt.date | None
    finding: engine.Finding | None  # the most urgent thing due for this candidate
    more: int  # how many other findings
    probation_end: dt.date | None = None

    @property
    def state_class(self) -> str:
        return STATE_CLASSES.get(self.finding.state, "muted") if self.finding else "muted"

    @property
    def state_label(self) -> str:
        return str(engine.STATE_LABELS.get(self.finding.state, "")) if self.finding else ""


def _board(scope: Scope, org: Organization, day: dt.date, findings: list[engine.Finding]) -> list[dict[str, Any]]:
    stages = recruitment_selectors.pipeline(org, day)
    ids = [c.pk for stage in BOARD_STAGES for c in stages.get(stage, [])]
    allowed = set(Candidate.objects.visible_to(scope).filter(pk__in=ids).values_list("pk", flat=True))
    due = _by_candidate(findings)
    order = {s: i for i, s in enumerate(engine.STATES)}
    columns = []
    for stage in BOARD_STAGES:
        cards = []
        for c in stages.get(stage, []):
            if c.pk not in allowed:
                continue
            mine = due.get(c.pk, [])
            end = recruitment_services.probation_end(c) if stage == Stage.PROBATIONARY else None
            cards.append(Card(c, _since(c, stage), mine[0] if mine else None, max(len(mine) - 1, 0), end))
        # the most urgent first, then by name
        cards.sort(key=lambda k: (order.get(k.finding.state, 9) if k.finding else 9,
                                  (k.finding.due or dt.date.max) if k.finding else dt.date.max, k.candidate.name))
        columns.append({"stage": stage, "label": Stage(stage).label, "cards": cards})
    return columns


def _entitled(org: Organization, day: dt.date) -> QuerySet[Member]:
    """Full members of `org` with voting rights on `day` (not suspended): who should attend the meeting."""
    ids = MemberPeriod.objects.on(day).filter(org=org, status="full", suspended=False).values("member_id")
    return Member.objects.filter(pk__in=ids).order_by("name", "pk")


def _full_members(org: Organization, day: dt.date) -> QuerySet[Member]:
    ids = MemberPeriod.objects.on(day).filter(org=org, status="full").values("member_id")
    return Member.objects.filter(pk__in=ids).order_by("name", "pk")


def _apply_rule_error(form: forms.Form, exc: RuleError) -> None:
    rule_error_on_form(form, exc, FIELD_ALIASES)


# --- the pipeline board --------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def pipeline(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    form, day, on = _day(request)
    if request.method == "GET" and xlsx.wanted(request):
        return _pipeline_xlsx(org, day, on, _board(scope, org, on, recruitment_findings(org, on)))
    branches = (scope.orgs(write=True).filter(path__startswith=org.path, kind__in=CANDIDATE_ORG_KINDS,
                                              revoked_on__isnull=True).order_by("path"))
    can_write = branches.exists()
    apply_form = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("You may not record applications here."))
        apply_form = ApplyForm(request.POST, branches=branches)
        if apply_form.is_valid():
            data = apply_form.cleaned_data
            try:
                candidate = recruitment_services.candidate_apply(
                    name=data["name"].strip(), sex=data["sex"], birth_date=data["birth_date"],
                    id_number=data["id_number"].strip().upper(), education=data["education"],
                    occupation=data["occupation"], org=apply_form.branches[data["org"]],
                    applied_on=data["applied_on"], ethnicity=data["ethnicity"].strip() or HAN,
                    phone=data["phone"].strip())
            except RuleError as exc:
                _apply_rule_error(apply_form, exc)
            else:
                messages.success(request, _("Application of %(name)s recorded.") % {"name": candidate.name})
                return redirect("candidate-detail", pk=candidate.pk)
    elif can_write:
        apply_form = ApplyForm(branches=branches, initial={"applied_on": timezone.localdate().isoformat()})
    findings = recruitment_findings(org, on)
    columns = _board(scope, org, on, findings)
    return render(request, "recruitment/pipeline.html", {
        "org": org, "form": form, "day": day, "on": on, "columns": columns, "apply_form": apply_form,
        "findings_available": _findings_available(),
        "open_findings": sum(1 for f in findings if f.subject_type == "candidate"),
        "export_query": xlsx.export_query(request),
    }, status=400 if apply_form is not None and apply_form.errors else 200)


def _pipeline_xlsx(org: Organization, day: dt.date | None, on: dt.date, columns: list[dict[str, Any]]
                   ) -> HttpResponse:
    """The board as a table: one row per card, column by column, in the board's order."""
    headers = [_("Stage"), _("Name"), _("Organization"), _("Since"), _("Probation ends"), _("State"),
               _("Next step due"), _("Due on"), _("More due")]
    rows = []
    for col in columns:
        for card in col["cards"]:
            c = card.candidate
            rows.append([col["label"], c.name, c.org.name, card.since, card.probation_end, card.state_label,
                         card.finding.message if card.finding else "",
                         card.finding.due if card.finding else None, card.more or None])
    return xlsx.export(_("Recruitment pipeline"), headers, rows[:xlsx.LIMIT],
                       name=xlsx.filename("pipeline", org.code, on), org=org,
                       filters=[(_("As of"), day)], total=len(rows))


# --- one candidate -------------------------------------------------------------------------------

def _candidate(request: HttpRequest, pk: int) -> tuple[Scope, Candidate]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Candidate.objects.visible_to(scope).select_related("org", "member"), pk=pk)


def _next_kinds(candidate: Candidate, steps: list[CandidateStep]) -> list[str]:
    done = {s.kind for s in steps}
    votes = {(v.purpose, v.passed) for v in candidate.votes.all()}
    kinds = []
    for kind in NEXT_STEPS.get(candidate.stage, []):
        if kind in ONCE and kind in done:
            continue
        if kind == StepKind.HIGHER_APPROVAL and (VotePurpose.ADMISSION, True) not in votes:
            continue
        if kind == StepKind.CONVERSION_APPROVED and (VotePurpose.CONVERSION, True) not in votes:
            continue
        kinds.append(kind)
    return kinds


def _detail_labels() -> dict[str, str]:
    """The details of a step worth showing, with their labels (the rest is bookkeeping)."""
    return {
        "due": _("due"), "days": _("days"), "hours": _("class hours"), "names": _("members"),
        "entitled": _("entitled"), "attended": _("attended"), "written": _("written opinions"),
        "yes": pgettext("vote", "yes"), "no": pgettext("vote", "no"), "abstain": _("abstain"), "months": _("months"), "probation_end": _("probation ends"),
        "converted_on": _("converted on"), "vote_date": _("vote of"), "reason": _("reason"),
    }


def _detail_value(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _timeline(steps: list[CandidateStep]) -> list[dict[str, Any]]:
    labels = _detail_labels()
    rows = []
    for step in steps:
        recorded = (step.details or {})
        cite = str(recorded.get("rule", ""))
        if not cite and step.kind in STEP_RULES:
            cite = in_force(STEP_RULES[step.kind], step.date).cite
        details = [(labels[k], _detail_value(v)) for k, v in recorded.items()
                   if k in labels and v not in (None, "", [], {})]
        outcome = ""
        if step.kind in (StepKind.ADMISSION_VOTE, StepKind.CONVERSION_VOTE) and "passed" in recorded:
            outcome = "passed" if recorded["passed"] else ("failed" if recorded.get("quorate") else "no_quorum")
        rows.append({
            "step": step, "rule": cite, "details": details, "late": bool(recorded.get("late")), "outcome": outcome,
            "workdays": workdays_between(step.date, step.end_date) if step.kind == StepKind.NOTICE and step.end_date
            else None,
        })
    return rows


def _write(request: HttpRequest, form: forms.Form, action: Any) -> bool:
    """Run a service for a valid form; a RuleError goes onto the form (a refusal goes on up: a 403 page).
    True when it was written."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except RuleError as exc:
        _apply_rule_error(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, candidate = _candidate(request, pk)
    can_write = Candidate.objects.visible_to(scope, write=True).filter(pk=candidate.pk).exists()
    as_of_form, day, on = _day(request)
    today = timezone.localdate()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not can_write:
        raise PermissionDenied(_("You may not change this candidate."))

    steps = list(candidate.steps.all())
    vote_day = today
    if request.method == "GET" and request.GET.get("vote_on"):
        vote_day = parse_date_or(request.GET["vote_on"], today)
    elif action == "vote":
        vote_day = parse_date_or(request.POST.get("vote-on", ""), today)
    branch_members = _full_members(candidate.org, today)
    step_form = StepForm(prefix="step", kinds=_next_kinds(candidate, steps),
                         initial={"on": today.isoformat()})
    sponsor_form = SponsorForm(prefix="sponsor", members=branch_members, initial={"on": today.isoformat()})
    notice_form = NoticeForm(prefix="notice")
    vote_form = VoteForm(prefix="vote", entitled=_entitled(candidate.org, vote_day),
                         initial={"on": vote_day.isoformat(), "purpose": _vote_purpose(candidate)})
    svc = recruitment_services
    done = ""
    notice_preview = None
    if request.method == "POST":
        if action == "step":
            step_form = StepForm(request.POST, prefix="step", kinds=_next_kinds(candidate, steps))
            if _write(request, step_form, lambda d: svc.candidate_take_step(
                    candidate, kind=d["kind"], on=d["on"], end_date=d.get("end_date"), hours=d.get("hours"),
                    months=d.get("months"), special=bool(d.get("special")), note=d.get("note", ""))):
                done = _("Recorded: %(step)s.") % {"step": StepKind(step_form.cleaned_data["kind"]).label}
        elif action == "sponsor":
            sponsor_form = SponsorForm(request.POST, prefix="sponsor", members=branch_members)
            if _write(request, sponsor_form, lambda d: svc.candidate_assign_sponsors(
                    candidate, role=d["role"], members=list(d["members"]), on=d["on"])):
                done = _("Recorded: %(step)s.") % {"step": ContactRole(sponsor_form.cleaned_data["role"]).label}
        elif action == "notice" and request.POST.get("preview"):
            notice_form = NoticeForm(request.POST, prefix="notice")
            if notice_form.is_valid():
                notice_preview = _notice_preview(notice_form.cleaned_data["start"], notice_form.cleaned_data["end"])
        elif action == "notice":
            notice_form = NoticeForm(request.POST, prefix="notice")
            if _write(request, notice_form, lambda d: svc.candidate_publish_notice(
                    candidate, start=d["start"], end=d["end"], note=d.get("note", "").strip())):
                done = _("Public notice recorded.")
        elif action == "vote":
            vote_form = VoteForm(request.POST, prefix="vote", entitled=_entitled(candidate.org, vote_day))
            if _write(request, vote_form, lambda d: svc.branch_vote_record(
                    candidate, purpose=d["purpose"], on=d["on"], attended=list(d["attended"]),
                    written=list(d["written"]), yes=d["yes"], no=d["no"], abstain=d["abstain"],
                    minutes=d.get("minutes", ""))):
                done = _("Vote recorded.")
        else:
            return HttpResponse(status=400)
        if done:
            messages.success(request, done)
            return redirect("candidate-detail", pk=candidate.pk)
    context = _candidate_context(candidate, steps, on)
    context.update({
        "form": as_of_form, "day": day,
        "can_write": can_write, "step_form": step_form, "sponsor_form": sponsor_form, "notice_form": notice_form,
        "vote_form": vote_form, "vote_day": vote_day, "action": action, "notice_preview": notice_preview,
        "can_read_org": scope.can_read_org(candidate.org),
    })
    failed = bool(action) and notice_preview is None
    return render(request, "recruitment/candidate_detail.html", context, status=400 if failed else 200)


def _notice_preview(start: dt.date, end: dt.date) -> dict[str, Any]:
    rule = in_force("recruitment.public_notice", start)
    count = workdays_between(start, end)
    minimum = int(rule.params.get("working_days", 5))
    return {"start": start, "end": end, "workdays": count, "min": minimum, "enough": count >= minimum}


def _vote_purpose(candidate: Candidate) -> str:
    return VotePurpose.CONVERSION if candidate.stage == Stage.PROBATIONARY else VotePurpose.ADMISSION


def _candidate_context(candidate: Candidate, steps: list[CandidateStep], on: dt.date) -> dict[str, Any]:
    findings = candidate_findings(candidate, on)
    sponsors = list(candidate.sponsors.select_related("member").order_by("role", "since", "member__name"))
    votes = list(candidate.votes.all())
    return {
        "candidate": candidate, "on": on, "timeline": _timeline(steps),
        "findings": [{"f": f, "cls": STATE_CLASSES.get(f.state, "muted"), "label": engine.STATE_LABELS[f.state]}
                     for f in findings],
        "findings_available": _findings_available(),
        "contacts": [s for s in sponsors if s.role == ContactRole.TRAINING_CONTACT],
        "introducers": [s for s in sponsors if s.role == ContactRole.INTRODUCER],
        "votes": votes, "probation_end": recruitment_services.probation_end(candidate),
        "next_steps": recruitment_selectors.due_next(candidate, on),
        "stage_on": Stage(_stage_on(candidate, on)).label,
        "notice": _last_notice(steps),
    }


def _last_notice(steps: list[CandidateStep]) -> dict[str, Any] | None:
    notices = [s for s in steps if s.kind == StepKind.NOTICE]
    if not notices:
        return None
    step = notices[-1]
    end = step.end_date or step.date
    rule = in_force("recruitment.public_notice", step.date)
    count = workdays_between(step.date, end)
    return {"step": step, "start": step.date, "end": end, "workdays": count, "rule": rule,
            "enough": count >= int(rule.params.get("working_days", 5))}


# --- printing ------------------------------------------------------------------------------------

@login_required
@require_GET
def candidate_notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, candidate = _candidate(request, pk)
    steps = list(candidate.steps.all())
    sponsors = candidate.sponsors.select_related("member").filter(role=ContactRole.INTRODUCER).order_by("since")
    return render(request, "recruitment/print_notice.html", {
        "candidate": candidate, "notice": _last_notice(steps), "introducers": list(sponsors),
        "today": timezone.localdate(),
    })


@login_required
@require_GET
def vote_print(request: HttpRequest, pk: int, vote_pk: int) -> HttpResponse:
    _scope, candidate = _candidate(request, pk)
    vote = get_object_or_404(BranchVote.objects.filter(candidate=candidate).select_related("org"), pk=vote_pk)
    entitled = list(vote.entitled.order_by("name", "pk"))
    attended = {m.pk for m in vote.attended.all()}
    written = {m.pk for m in vote.written.all()}
    rows = [{"member": m, "attended": m.pk in attended, "written": m.pk in written} for m in entitled]
    n = len(entitled)
    rule_id, _sep, version = vote.rule.partition("@")
    return render(request, "recruitment/print_vote.html", {
        "candidate": candidate, "vote": vote, "rows": rows, "entitled_count": n,
        "attended_count": len(attended), "written_count": len(written), "half": n / 2,
        "ballots": vote.yes + vote.no + vote.abstain, "rule_id": rule_id, "rule_version": version,
        "detail_url": reverse("candidate-detail", args=[candidate.pk]),
    })
