"""Responsibility posts pages: an organization's posts (seats filled and free), a post with its claims and the
claim, approve, decline, withdraw and end forms, the kinds set-up with the presets button and the organization's
setting, the claims list, the printable notice board (公示栏), a member's posts, and the public station page.

Thin: organizations, posts and members are read through `scope_for(request.user)` (out of scope: 404); every
write goes through `posts.services`, a RuleError goes back onto the form's field, a refusal
(PermissionDeniedError) is left to the middleware (403 with its reason).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.members.models import Member, Standing
from grassroots.orgs.models import Organization
from grassroots.ui.forms import write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import (
    ClaimFilterForm,
    ClaimForm,
    DecisionForm,
    KindForm,
    PostFilterForm,
    PostForm,
    PresetForm,
    SettingForm,
)
from .models import ClaimState, Post, PostClaim, PostKind, PostSetting
from .presets import PRESET_LABELS


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _term(post: Post) -> str:
    return f"{post.term_start:%Y-%m-%d} – {post.term_end:%Y-%m-%d}" if post.term_end else \
        f"{post.term_start:%Y-%m-%d} –"


# --- the posts list -------------------------------------------------------------------------------------------

POSTS = ListSpec(
    title=gettext_lazy("Responsibility posts"),
    columns=(
        Column("title", gettext_lazy("Post"), lambda p: p.title, link=lambda p: reverse("post-detail", args=[p.pk])),
        Column("kind", gettext_lazy("Kind"), lambda p: p.kind.label()),
        Column("org", gettext_lazy("Organization"), lambda p: p.org.name),
        Column("term", gettext_lazy("Term"), _term, css="num"),
        Column("place", gettext_lazy("Place"), lambda p: p.place_text()),
        Column("seats", gettext_lazy("Seats"), lambda p: p.seats, css="num"),
        Column("filled", gettext_lazy("Filled"), lambda p: p.filled, css="num"),
        Column("free", gettext_lazy("Free"), lambda p: max(p.seats - p.filled, 0), css="num"),
        Column("waiting", gettext_lazy("Awaiting approval"), lambda p: p.waiting, css="num"),
    ),
    sheet_columns=(Column("duties", gettext_lazy("Duties"), lambda p: p.duties),),
    export_name="posts", table_id="posts", export_link=True,
    empty=gettext_lazy("No post has been set up here yet."),
)


def filtered_posts(org: Organization, form: PostFilterForm) -> QuerySet[Post]:
    """The posts of the list page (and the figure the annual summary is checked against)."""
    posts = selectors.posts_of(org)
    if form.is_valid():
        if form.cleaned_data.get("year"):
            posts = selectors.posts_in_period(posts, *selectors.year_span(form.cleaned_data["year"]))
        if form.cleaned_data.get("kind"):
            posts = posts.filter(kind__name=form.cleaned_data["kind"])
    return selectors.with_seat_counts(posts).select_related("kind", "org", "territory").order_by(
        "-term_start", "org__path", "title", "pk")


@login_required
@require_GET
def post_list(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = PostFilterForm(request.GET or None)
    posts = filtered_posts(org, form)
    return POSTS.respond(request, posts, template="posts/post_list.html", form=form, org=org, context={
        "filter_form": form, "count": posts.count(), "can_write": scope.can_write_org(org)})


# --- a post ---------------------------------------------------------------------------------------------------

def _post(request: HttpRequest, pk: int) -> tuple[Scope, Post]:
    scope = scope_for(request.user)
    post = get_object_or_404(Post.objects.visible_to(scope).select_related("org", "kind", "territory"), pk=pk)
    return scope, post


def _post_form(scope: Scope, org: Organization, *args: Any, **kwargs: Any) -> PostForm:
    return PostForm(*args, kinds=services.usable_kinds(org), territories=scope.territories().order_by("path"),
                    **kwargs)


def _post_args(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.get(k) for k in ("kind", "title", "duties", "seats", "term_start", "term_end", "territory",
                                  "place")}


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not set up posts here."))
    form = _post_form(scope, org, request.POST or None, initial={"term_start": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        post = write_on_form(form, lambda: services.post_create(org=org, **_post_args(form.cleaned_data)))
        if post is not None:
            messages.success(request, _("Post %(title)s set up.") % {"title": post.title})
            return redirect("post-detail", pk=post.pk)
    return render(request, "ui/write_form.html", {
        "org": org, "form": form, "heading": _("Set up a post"), "submit": _("Set up"),
        "back": reverse("post-list", args=[org.code]), "action": ""}, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, post = _post(request, pk)
    if not scope.can_write_org(post.org):
        raise PermissionDenied(_("You may not change this post."))
    initial = {"kind": post.kind_id, "title": post.title, "duties": post.duties, "seats": post.seats,
               "term_start": post.term_start.isoformat(), "term_end": post.term_end.isoformat() if post.term_end else "",
               "territory": post.territory_id, "place": post.place, "version": post.version}
    form = _post_form(scope, post.org, request.POST or None, initial=initial)
    if post.kind.pk not in {k.pk for k in form.fields["kind"].queryset}:  # type: ignore[attr-defined]
        form.fields["kind"].queryset = PostKind.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=services.usable_kinds(post.org).values("pk")) | Q(pk=post.kind.pk))
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.post_update(post, version=form.cleaned_data.get("version"),
                                                                **_post_args(form.cleaned_data)))
        if done is not None:
            messages.success(request, _("Post %(title)s changed.") % {"title": done.title})
            return redirect("post-detail", pk=post.pk)
    return render(request, "ui/write_form.html", {
        "org": post.org, "form": form, "heading": _("Change the post"), "submit": _("Save"),
        "back": reverse("post-detail", args=[post.pk]), "action": ""},
        status=400 if request.method == "POST" else 200)


def _claim_members(scope: Scope, post: Post) -> QuerySet[Member]:
    """The members the user may claim this post for: written by the user, on the roster of the post's subtree."""
    return (scope.members(write=True).filter(org__path__startswith=post.org.path, standing=Standing.ACTIVE)
            .select_related("org").order_by("name", "pk"))


def _detail(request: HttpRequest, scope: Scope, post: Post, claim_form: ClaimForm | None = None,
            status: int = 200, errors: dict[int, DecisionForm] | None = None) -> HttpResponse:
    claims = list(post.claims.select_related("member", "recorded_by").order_by("-claimed_on", "-pk"))
    can_write = scope.can_write_org(post.org)
    own = set(scope.own_member_ids)
    members = _claim_members(scope, post)
    if claim_form is None and members.exists():
        claim_form = ClaimForm(members=members, prefix="claim")
    own_member = Member.objects.filter(pk__in=own, org__path__startswith=post.org.path).first() if own else None
    rows = [{"claim": c, "own": c.member_id in own,
             "can_withdraw": c.state in (ClaimState.PENDING, ClaimState.APPROVED) and (
                 c.member_id in own or scope.can_write_member(c.member)),
             "form": (errors or {}).get(c.pk)} for c in claims]
    filled = sum(1 for c in claims if c.state == ClaimState.APPROVED)
    return render(request, "posts/post_detail.html", {
        "post": post, "org": post.org, "rows": rows, "can_write": can_write, "claim_form": claim_form,
        "own_member": own_member, "own_open": any(r["own"] and r["can_withdraw"] for r in rows),
        "filled": filled, "free": max(post.seats - filled, 0), "today": timezone.localdate()}, status=status)


@login_required
@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, post = _post(request, pk)
    return _detail(request, scope, post)


@login_required
@require_POST
def post_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim: the member's own ("self" posted) or on a member's behalf (the claim form)."""
    scope = scope_for(request.user)
    post = Post.objects.select_related("org", "kind", "territory").filter(pk=pk).first()
    if post is None:
        raise Http404
    if request.POST.get("self"):
        member = Member.objects.filter(pk__in=scope.own_member_ids).select_related("org").first()
        if member is None or member.org is None or not member.org.path.startswith(post.org.path):
            raise Http404
        try:
            services.claim_post(post=post, member=member)
        except PermissionDeniedError:
            raise
        except RuleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You claimed %(title)s: the branch will approve it.") % {"title": post.title})
        return redirect("member-posts", pk=member.pk)
    # on a member's behalf: from the post's page (a reader of the post), or from the member's page (the secretary
    # of a branch below the post's organization, who may not read the post's page)
    members = _claim_members(scope, post)
    reader = scope.can_read_org(post.org)
    if not reader and not members.exists():
        raise Http404
    form = ClaimForm(request.POST, members=members, prefix="claim")
    if form.is_valid():
        d = form.cleaned_data
        claim = write_on_form(form, lambda: services.claim_post(post=post, member=d["member"],
                                                                claimed_on=d.get("claimed_on"), note=d.get("note")),
                              {"claimed_on": "claimed_on", "post": "member"})
        if claim is not None:
            messages.success(request, _("%(name)s's claim of %(title)s recorded.") % {
                "name": claim.member.name, "title": post.title})
            return redirect("post-detail", pk=post.pk) if reader else redirect("member-posts", pk=claim.member_id)
    if not reader:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        member_id = request.POST.get("claim-member", "")
        return redirect("member-posts", pk=int(member_id)) if member_id.isdigit() and members.filter(
            pk=int(member_id)).exists() else redirect("home")
    return _detail(request, scope, post, claim_form=form, status=400)


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = scope_for(request.user)
    own = Q(member_id__in=scope.own_member_ids) if scope.own_member_ids else Q(pk__in=[])
    visible = PostClaim.objects.filter(Q(pk__in=PostClaim.objects.visible_to(scope).values("pk")) | own)
    claim = get_object_or_404(visible.select_related("post__org", "member__org"), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        version = d["version"]

        def write() -> PostClaim:
            if action == "approve":
                return services.claim_approve(claim, version=version, on=d.get("on"))
            if action == "decline":
                return services.claim_decline(claim, version=version, reason=d.get("reason"), on=d.get("on"))
            if action == "withdraw":
                return services.claim_withdraw(claim, version=version, on=d.get("on"), reason=d.get("reason"))
            return services.claim_end(claim, version=version, on=d.get("on") or timezone.localdate(),
                                      reason=d.get("reason"))

        done = write_on_form(form, write, {"ended_on": "on", "state": "on", "post": "on"})
        if done is not None:
            messages.success(request, {
                "approve": _("Claim approved."), "decline": _("Claim declined."),
                "withdraw": _("Claim withdrawn."), "end": _("Claim ended.")}[action])
            if request.POST.get("next") == "member":
                return redirect("member-posts", pk=claim.member_id)
            return redirect("post-detail", pk=claim.post_id)
    if not scope.can_read_org(claim.post.org):  # the member's own page
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("member-posts", pk=claim.member_id)
    return _detail(request, scope, claim.post, status=400, errors={claim.pk: form})


@login_required
@require_POST
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def claim_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "decline")


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "withdraw")


@login_required
@require_POST
def claim_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "end")


# --- the claims list ------------------------------------------------------------------------------------------

CLAIMS = ListSpec(
    title=gettext_lazy("Claims of responsibility posts"),
    columns=(
        Column("member", gettext_lazy("Member"), lambda c: c.member.name),
        Column("post", gettext_lazy("Post"), lambda c: c.post.title, link=lambda c: reverse("post-detail",
                                                                                          args=[c.post_id])),
        Column("kind", gettext_lazy("Kind"), lambda c: c.post.kind.label()),
        Column("org", gettext_lazy("Organization"), lambda c: c.post.org.name),
        Column("state", gettext_lazy("State"), lambda c: c.get_state_display()),
        Column("claimed_on", gettext_lazy("Claimed on"), lambda c: c.claimed_on, css="num"),
        Column("on_behalf", gettext_lazy("On the member's behalf"), lambda c: _("yes") if c.on_behalf else ""),
        Column("approved_on", gettext_lazy("Approved on"), lambda c: c.approved_on, css="num"),
        Column("ended_on", gettext_lazy("Ended on"), lambda c: c.ended_on, css="num"),
        Column("reason", gettext_lazy("Reason"), lambda c: c.reason),
    ),
    export_name="post-claims", table_id="claims", export_link=True,
    empty=gettext_lazy("No claim here yet."),
)


def filtered_claims(org: Organization, form: ClaimFilterForm) -> QuerySet[PostClaim]:
    claims = selectors.claims_of(org)
    if form.is_valid():
        if form.cleaned_data.get("year"):
            claims = selectors.held_in_period(claims, *selectors.year_span(form.cleaned_data["year"]))
        if form.cleaned_data.get("state"):
            claims = claims.filter(state=form.cleaned_data["state"])
    return claims.select_related("member", "post__kind", "post__org").order_by("-claimed_on", "-pk")


@login_required
@require_GET
def claim_list(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = ClaimFilterForm(request.GET or None)
    claims = filtered_claims(org, form)
    return CLAIMS.respond(request, claims, template="posts/claim_list.html", form=form, org=org, context={
        "filter_form": form, "count": claims.count(),
        "members": claims.values("member_id").distinct().count()})


# --- kinds and the setting ------------------------------------------------------------------------------------

KINDS = ListSpec(
    title=gettext_lazy("Kinds of post"),
    columns=(
        Column("name", gettext_lazy("Name"), lambda k: k.name,
               link=lambda k: reverse("post-kind-edit", args=[k.pk]) if k.writable else ""),
        Column("name_en", gettext_lazy("English name"), lambda k: k.name_en),
        Column("description", gettext_lazy("Description"), lambda k: k.description),
        Column("org", gettext_lazy("Set up by"), lambda k: k.org.name),
        Column("active", gettext_lazy("Active"), lambda k: _("yes") if k.active else _("no")),
    ),
    export_name="post-kinds", table_id="kinds", export_link=True,
    empty=gettext_lazy("No kind of post yet: load a preset or add one."),
)


@login_required
@require_http_methods(["GET", "POST"])
def kinds(request: HttpRequest, code: str) -> HttpResponse:
    """The kinds an organization may use (its own and those above it), the presets button, a new kind, and the
    organization's setting."""
    scope, org = _org(request, code)
    can_write = scope.can_write_org(org)
    setting = PostSetting.objects.filter(org=org).first()
    kind_form = KindForm(prefix="kind")
    preset_form = PresetForm(prefix="preset")
    setting_form = SettingForm(prefix="setting", initial={
        "max_active_claims": services.claims_limit(org, timezone.localdate()),
        "version": setting.version if setting else ""})
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("You may not set up posts here."))
        action = request.POST.get("action")
        if action == "preset":
            preset_form = PresetForm(request.POST, prefix="preset")
            if preset_form.is_valid():
                added = write_on_form(preset_form, lambda: services.kinds_load_presets(
                    org=org, preset=preset_form.cleaned_data["preset"]))
                if added is not None:
                    messages.success(request, _("%(n)d kinds added.") % {"n": len(added)})
                    return redirect("post-kinds", code=org.code)
        elif action == "kind":
            kind_form = KindForm(request.POST, prefix="kind")
            if kind_form.is_valid():
                d = kind_form.cleaned_data
                kind = write_on_form(kind_form, lambda: services.kind_create(
                    org=org, name=d["name"], name_en=d.get("name_en"), description=d.get("description")))
                if kind is not None:
                    messages.success(request, _("Kind %(name)s added.") % {"name": kind.name})
                    return redirect("post-kinds", code=org.code)
        elif action == "setting":
            setting_form = SettingForm(request.POST, prefix="setting")
            if setting_form.is_valid():
                d = setting_form.cleaned_data
                saved = write_on_form(setting_form, lambda: services.setting_save(
                    org=org, max_active_claims=d["max_active_claims"], version=d.get("version", "")))
                if saved is not None:
                    messages.success(request, _("Setting saved."))
                    return redirect("post-kinds", code=org.code)
        status = 400
    rows = list(PostKind.objects.filter(org__in=[*org.get_ancestors(), org]).select_related("org")
                .order_by("org__path", "name"))
    for k in rows:
        k.writable = scope.can_write_org(k.org)  # type: ignore[attr-defined]  # for the list's link
    response = KINDS.respond(request, rows, template="posts/kinds.html", org=org, context={
        "can_write": can_write, "kind_form": kind_form, "preset_form": preset_form,
        "setting_form": setting_form, "presets": PRESET_LABELS})
    response.status_code = status
    return response


def _kind(request: HttpRequest, pk: int) -> PostKind:
    scope = scope_for(request.user)
    kind = get_object_or_404(PostKind.objects.visible_to(scope).select_related("org"), pk=pk)
    if not scope.can_write_org(kind.org):
        raise PermissionDenied(_("You may not change this kind."))
    return kind


@login_required
@require_http_methods(["GET", "POST"])
def kind_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kind = _kind(request, pk)
    form = KindForm(request.POST or None, initial={"name": kind.name, "name_en": kind.name_en,
                                                   "description": kind.description, "version": kind.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.kind_update(kind, version=d.get("version"), name=d["name"],
                                                                name_en=d.get("name_en"),
                                                                description=d.get("description")))
        if done is not None:
            messages.success(request, _("Kind %(name)s changed.") % {"name": done.name})
            return redirect("post-kinds", code=kind.org.code)
    return render(request, "posts/kind_edit.html", {"kind": kind, "org": kind.org, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def kind_active(request: HttpRequest, pk: int) -> HttpResponse:
    kind = _kind(request, pk)
    try:
        done = services.kind_set_active(kind, active=request.POST.get("active") == "1",
                                        version=request.POST.get("version"))
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        messages.error(request, exc.message)
        return redirect("post-kind-edit", pk=kind.pk)
    messages.success(request, _("Kind %(name)s is active again.") % {"name": done.name} if done.active else
                     _("Kind %(name)s deactivated: no new post takes it.") % {"name": done.name})
    return redirect("post-kinds", code=kind.org.code)


# --- the notice board, the member's posts, the public page -----------------------------------------------------

@login_required
@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    """The printable notice board (公示栏): post, member name, duties and term; no phone, no ID number."""
    _scope, org = _org(request, code)
    day = timezone.localdate()
    return render(request, "posts/board.html", {"org": org, "claims": selectors.published_claims(org, day),
                                                 "day": day})


@login_required
@require_GET
def member_posts(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's claims (with withdraw for the member or the secretary) and the posts open to them."""
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    own = member.pk in scope.own_member_ids
    may_act = own or scope.can_write_member(member)
    day = timezone.localdate()
    claims = list(selectors.member_claims(member.pk))
    taken = {c.post_id for c in claims if c.state in (ClaimState.PENDING, ClaimState.APPROVED)}
    open_posts: list[Post] = []
    if may_act and member.standing == Standing.ACTIVE:
        open_posts = [p for p in selectors.claimable_posts(member, day)
                      if p.pk not in taken and p.filled < p.seats]  # type: ignore[attr-defined]  # with_seat_counts
    return render(request, "posts/member_posts.html", {
        "member": member, "claims": claims, "own": own, "may_act": may_act, "open_posts": open_posts,
        "limit": services.claims_limit(member.org, day) if member.org else 0,
        "open_count": services.open_claims(member, day).count()})


@require_GET
def public_posts(request: HttpRequest, station: str) -> HttpResponse:
    """The public station page: the posts held today in the station's organization's subtree, members' names only."""
    org = Organization.objects.filter(code=station, revoked_on__isnull=True).first()
    if org is None:
        raise Http404
    day = timezone.localdate()
    return render(request, "posts/public_posts.html", {"station": org, "claims": selectors.published_claims(org, day),
                                                       "day": day})
