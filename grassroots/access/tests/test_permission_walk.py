"""Walk every URL of the project as every role of the cast.

The walk reads the URL patterns themselves (`get_resolver().url_patterns`, recursively), so a page or an
endpoint added anywhere is tried without anyone listing it here. Each path parameter is filled with an
object of the cast: one inside the role's scope and one outside it. A parameter the walk cannot fill
fails `test_every_url_parameter_can_be_filled`: teach `_object_kind` (or `VALUE_PARAMS`) about it.

For each role: a GET of anything outside the scope answers 403/404 (405 for a POST-only URL; anonymous:
401/403 or a redirect to the login page), no GET ever shows the name or ID number of a member outside the
scope, and POST/PATCH/PUT/DELETE on objects outside the scope change nothing (every project table and the
audit log are compared before and after).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from grassroots.core.models import AuditEntry

# URL prefixes the walk leaves alone: Django's own admin (walked by test_the_admin_walk_writes_nothing below, and
# checked by core/tests/test_readonly_admin.py: every model
# it lists, users included, refuses add/change/delete to the superuser), the language switch, static and uploaded files.
SKIP_PREFIXES = ("admin/", "i18n/", "static/", "media/")
# Named pages that are public on purpose, and why.
PUBLIC_URL_NAMES = {
    "login": "the login page must be reachable without logging in",
    "logout": "ends the session; it holds no data (walking it would log the walker out)",
    # The express station's public side: no account by design. `test_public_pages_show_no_contact` below
    # checks that none of them shows a submitter's name, phone or email, or an unpublished opinion.
    "public-opinion-form": "residents send opinions without an account",
    "public-opinion-done": "shows the sender their own number and code, from their session",
    "public-track": "the tracking code is the key; a wrong one reveals nothing",
    "public-published": "only what the station chose to publish",
    "public-poster": "the outlet's poster: a QR code and the outlet's address",
    "open311-services": "Open311 GeoReport v2: the station's categories",
    "open311-service": "Open311 GeoReport v2: one category's definition",
    "open311-requests": "Open311 GeoReport v2: submit, and list what is public of requests",
    "open311-request": "Open311 GeoReport v2: what is public of one request",
}
# Path parameters that name no object: the value to use.
VALUE_PARAMS = {"field": "id_number", "format": "json", "lang": "en", "language": "en"}
# The word before a generic parameter (".../members/<pk>/") says what it names.
COLLECTIONS = {
    "members": "member", "member": "member",
    "orgs": "org", "org": "org", "organizations": "org", "organization": "org",
    "audit": "audit", "audit-log": "audit", "entries": "audit",
    "candidates": "candidate", "candidate": "candidate", "votes": "vote", "vote": "vote",
    "transfers": "transfer", "transfer": "transfer",
    "meetings": "meeting", "meeting": "meeting",
    "opinions": "opinion", "opinion": "opinion",
    "assessments": "dues_assessment", "payments": "dues_payment",
    "departments": "opinion_department", "categories": "opinion_category", "outlets": "opinion_outlet",
    "accounts": "account",
}
ROLES = ["admin", "street_admin", "secretary", "auditor", "member", "outsider", "grid_worker", "anonymous"]


def walk_contributions() -> list[Any]:
    """Each app's `tests/walk.py`, where a module teaches the walk about its own pages, so that adding a module
    never means editing this file. A `walk.py` may define:

    - `COLLECTIONS` ({word before "<pk>": kind}) and `PUBLIC_URL_NAMES` ({url name: why it is public});
    - `objects(cast) -> {"a": {kind: object}, "c": {kind: object}}`: an object of each kind inside branch A (and
      the street S) and one inside branch C (and the other street X), made once per cast through the services;
    - `forbidden(cast) -> list[str]`: text no GET may show to anyone (a resident's phone, say);
    - `PLACE_KINDS` (a set of kinds): the kinds scoped by place (a household, a visit): their "a" object lies in
      the grid worker's grid (`conftest.cast_places(cast).grid_a`), their "c" object in branch C's place; the grid
      worker sees those and nothing else.
    """
    import importlib
    import importlib.util

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("grassroots."):
            continue
        name = f"{config.name}.tests.walk"
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found.append(importlib.import_module(name))
    return found


PLACE_KINDS: set[str] = set()
for _contribution in walk_contributions():
    COLLECTIONS.update(getattr(_contribution, "COLLECTIONS", {}))
    PUBLIC_URL_NAMES.update(getattr(_contribution, "PUBLIC_URL_NAMES", {}))
    PLACE_KINDS.update(getattr(_contribution, "PLACE_KINDS", set()))


def contributed_objects(cast: Any) -> list[dict[str, dict[str, Any]]]:
    made = getattr(cast, "_walk_contributed", None)
    if made is None:
        from grassroots.core.context import acting

        with acting(None, "system"):
            made = [c.objects(cast) for c in walk_contributions() if hasattr(c, "objects")]
        cast._walk_contributed = made
    return made
UNSAFE = ("post", "patch", "put", "delete")


@dataclass(frozen=True)
class Route:
    template: str  # "orgs/%(code)s/stats/"
    params: tuple[str, ...]
    callback: Any
    name: str | None

    def __str__(self) -> str:
        return f"/{self.template} ({self.name or 'unnamed'})"


def _collect(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any, str | None]]:
    for entry in patterns:
        regex = entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from _collect(entry.url_patterns, prefix + regex.removesuffix("$").removesuffix(r"\Z"))
        elif isinstance(entry, URLPattern):
            yield prefix + regex, entry.callback, entry.name


def all_routes() -> list[Route]:
    """Every URL pattern of the project but the skipped and public ones, as a fill-in template."""
    routes = []
    for regex, callback, name in _collect(get_resolver().url_patterns):
        template, params = normalize(regex)[0]
        if template.startswith(SKIP_PREFIXES) or name in PUBLIC_URL_NAMES:
            continue
        routes.append(Route(template, tuple(params), callback, name))
    return routes


def _object_kind(route: Route, param: str) -> str | None:
    """'org', 'member', 'audit', 'candidate' or 'vote' for a parameter naming an object of the cast; None if
    unknown."""
    p = param.lower()
    if route.template.startswith(("opinions/", "api/opinions/")):
        if p == "change":
            return "opinion_change"
        if p == "attachment":
            return "opinion_attachment"
    for word, kind in (("member", "member"), ("org", "org"), ("audit", "audit"), ("entry", "audit"),
                       ("candidate", "candidate"), ("vote", "vote"), ("attachment", "attachment")):
        if word in p:
            return kind
    if p == "code":
        return "org"
    if p == "token":
        return "calendar_token"
    if p == "role":
        return "role"
    if p == "job":
        return "import_job"
    if p in ("pk", "id"):
        before = route.template.split(f"%({param})s")[0].rstrip("/").rsplit("/", 1)[-1]
        return COLLECTIONS.get(before.lower())
    return None


def _candidates(kind: str, obj: Any) -> list[str]:
    if kind == "org":
        return [obj.code, str(obj.pk)]
    if kind == "calendar_token":
        return [obj]
    return [str(obj.pk)]


def fill(route: Route, objects: dict[str, Any]) -> str | None:
    """The URL of `route` with its parameters naming `objects` ({kind: object}); None when a kind has no
    object for this role and side. Only a URL that resolves back to the same view counts."""
    options: list[list[str]] = []
    for param in route.params:
        if param in VALUE_PARAMS:
            options.append([VALUE_PARAMS[param]])
            continue
        kind = _object_kind(route, param)
        assert kind is not None, f"{route}: the walk cannot fill the parameter {param!r}"
        if objects.get(kind) is None:
            return None
        options.append(_candidates(kind, objects[kind]))
    tried = []
    for values in itertools.product(*options):
        url = "/" + route.template % dict(zip(route.params, values, strict=True))
        tried.append(url)
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.func is route.callback:
            return url
    raise AssertionError(f"{route}: none of {tried} resolves back to its view")


@dataclass
class Sides:
    inside: dict[str, Any]
    outside: dict[str, Any]
    forbidden: list[str]  # text no response to this role may contain


def _entry(**filters: Any) -> AuditEntry:
    entry = AuditEntry.objects.filter(**filters).order_by("id").first()
    assert entry is not None, filters
    return entry


def recruitment_objects(cast: Any) -> dict[str, Any]:
    """A candidate with a branch meeting vote in A and one in C (made once per cast, through the services)."""
    made = getattr(cast, "_walk_recruitment", None)
    if made is None:
        from conftest import make_member
        from grassroots.core.context import acting
        from grassroots.recruitment.models import VotePurpose
        from grassroots.recruitment.tests.factories import make_ready_for_vote, vote_all_yes

        with acting(None, "system"):
            make_member(cast.branch_c, name="周华")  # C needs two full members to introduce anyone
            made = {}
            for key, org, name in (("a", cast.branch_a, "候选甲"), ("c", cast.branch_c, "候选丙")):
                candidate = make_ready_for_vote(org, applied_on=dt.date(2016, 1, 4), name=name)
                pre_review = candidate.steps.get(kind="pre_review").date
                vote = vote_all_yes(candidate, purpose=VotePurpose.ADMISSION, on=pre_review + dt.timedelta(days=7))
                made[key] = (candidate, vote)
        cast._walk_recruitment = made
    return made


def transfer_objects(cast: Any) -> tuple[Any, Any]:
    """A pending transfer out of A and one out of C, both to organizations outside the platform (so that no
    other organization's name shows), made once per cast through the service."""
    made = getattr(cast, "_walk_transfers", None)
    if made is None:
        from grassroots.core.context import acting
        from grassroots.members.transfers import transfer_request

        with acting(None, "system"):
            made = (transfer_request(cast.member_a2, to_outside="外省某县委组织部", on=dt.date(2019, 6, 3)),
                    transfer_request(cast.member_c, to_outside="外省某市委组织部", on=dt.date(2019, 6, 3)))
        cast._walk_transfers = made
    return made


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def meeting_objects(cast: Any) -> dict[str, tuple[Any, Any]]:
    """A meeting with an attachment in A and one in C (made once per cast, through the meetings service)."""
    made = getattr(cast, "_walk_meetings", None)
    if made is None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from grassroots.core.context import acting
        from grassroots.meetings.services import add_attachment, record_meeting

        made = {}
        with acting(None, "system"):
            for key, org, member in (("a", cast.branch_a, cast.member), ("c", cast.branch_c, cast.member_c)):
                meeting = record_meeting(org=org, kind="theme_day", date=dt.date(2019, 6, 6), topic="学习党章",
                                         attendance={member.pk: ("present", "")})
                made[key] = (meeting, add_attachment(meeting, file=SimpleUploadedFile("sheet.png", PNG)))
        cast._walk_meetings = made
    return made


def dues_objects(cast: Any) -> dict[str, tuple[Any, Any]]:
    """A dues assessment and a payment of a member of A (not the cast's member, who may read their own) and of
    one of C (made once per cast, through the dues services)."""
    made = getattr(cast, "_walk_dues", None)
    if made is None:
        from decimal import Decimal

        from grassroots.core.context import acting
        from grassroots.dues.services import assess, record_payment

        made = {}
        with acting(None, "system"):
            for key, member in (("a", cast.member_a2), ("c", cast.member_c)):
                assessment = assess(member, year=2019, category="in_service", base=Decimal("3000.00"),
                                    on=dt.date(2019, 1, 2))
                made[key] = (assessment, record_payment(member, paid_on=dt.date(2019, 3, 5),
                                                        months=[dt.date(2019, 3, 1)], amount=assessment.monthly_amount))
        cast._walk_dues = made
    return made


def opinion_objects(cast: Any) -> dict[str, tuple[Any, Any, Any]]:
    """An opinion of S's station handled by A and one of X's station handled by C, each with a draft reply and
    an attachment, and a submitter with a name, phone and email (made once per cast, through the services)."""
    made = getattr(cast, "_walk_opinions", None)
    if made is None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from grassroots.core.context import acting
        from grassroots.opinions import services

        made = {}
        with acting(None, "system"):
            for key, station, branch, name in (("a", cast.street, cast.branch_a, "投诉人甲"),
                                               ("c", cast.other_street, cast.branch_c, "投诉人丙")):
                category = services.category_create(station, code="roads", name="道路", deadline_workdays=5)
                opinion = services.submit_opinion(station, text=f"第{len(made) + 7}号路灯坏了", category=category,
                                                  channel="phone", received_on=dt.date(2019, 6, 3),
                                                  submitter_name=name, submitter_phone=f"1391234{len(made)}678",
                                                  submitter_email=f"walk{len(made)}@example.com")
                services.assign(opinion, to_org=branch, on=dt.date(2019, 6, 3))
                draft = services.draft_reply(opinion, to_state="in_progress", on=dt.date(2019, 6, 4),
                                             background="正在联系供电所")
                attachment = services.add_attachment(opinion, file=SimpleUploadedFile("form.png", PNG))
                made[key] = (opinion, draft, attachment)
        cast._walk_opinions = made
    return made


def station_objects(cast: Any) -> dict[str, tuple[Any, Any, Any]]:
    """A department, a category and an outlet of S's station and of X's (made once per cast, through the
    services; the categories are the walk's opinions')."""
    made = getattr(cast, "_walk_station", None)
    if made is None:
        from grassroots.core.context import acting
        from grassroots.opinions import services

        opinion_objects(cast)
        made = {}
        with acting(None, "system"):
            for key, station in (("a", cast.street), ("c", cast.other_street)):
                made[key] = (services.department_create(station, name=f"{station.code}办公室"),
                             station.opinion_categories.get(code="roads"),
                             services.outlet_create(station, code=f"WALK-{station.code}", name=f"{station.code}站点"))
        cast._walk_station = made
    return made


def import_jobs(cast: Any) -> dict[str, Any]:
    """A checked member import (one error line) uploaded by each user of the cast: a job is its uploader's alone
    (made once per cast)."""
    made = getattr(cast, "_walk_import_jobs", None)
    if made is None:
        from grassroots.ui.models import ImportJob, ImportJobLine, JobStatus

        made = {}
        for role, user in cast.users.items():
            job = ImportJob.objects.create(kind="grassroots.members.views.imports.FLOW", user=user,
                                           filename=f"{role}.xlsx", status=JobStatus.CHECKED, error_count=1)
            ImportJobLine.objects.create(job=job, kind=ImportJobLine.ERROR, seq=0, row=2, column="sex",
                                         message="unknown sex")
            made[role] = job
        cast._walk_import_jobs = made
    return made


def calendar_tokens(cast: Any, role: str, inside: dict[str, Any], outside: dict[str, Any]) -> tuple[Any, Any]:
    """The role's own feed token for what it may read, and one of its own for what it may not (a tampered one
    for anonymous): a feed shows only what its user may read today."""
    from grassroots.meetings.views import calendar_token

    if role == "anonymous":
        return None, "eyJ1IjoxLCJvIjoiQSJ9:tampered:signature"
    user = cast.users[role]

    def token(objects: dict[str, Any]) -> str | None:
        if objects.get("org") is not None:
            return calendar_token(user, org=objects["org"])
        if objects.get("member") is not None:
            return calendar_token(user, member=objects["member"])
        return None

    return token(inside), token(outside)


def sides(cast: Any, role: str) -> Sides:
    """What each role may and may not see, written out by hand (not asked of `Scope`, which is under test)."""
    from conftest import cast_places

    cast_places(cast)  # the places and the grid worker, before any module makes its objects
    a, b, c, g = cast.branch_a, cast.branch_b, cast.branch_c, cast.general
    (cand_a, vote_a), (cand_c, vote_c) = recruitment_objects(cast)["a"], recruitment_objects(cast)["c"]
    in_a = {"candidate": cand_a, "vote": vote_a}
    in_c = {"candidate": cand_c, "vote": vote_c}
    nobody: dict[str, Any] = {"candidate": None, "vote": None}
    in_a["transfer"], in_c["transfer"], nobody["transfer"] = *transfer_objects(cast), None
    meetings = meeting_objects(cast)
    (in_a["meeting"], in_a["attachment"]), (in_c["meeting"], in_c["attachment"]) = meetings["a"], meetings["c"]
    nobody.update(meeting=None, attachment=None)
    opinions = opinion_objects(cast)
    for side, key in ((in_a, "a"), (in_c, "c")):
        side["opinion"], side["opinion_change"], side["opinion_attachment"] = opinions[key]
    nobody.update(opinion=None, opinion_change=None, opinion_attachment=None)
    set_up = station_objects(cast)
    for side, key in ((in_a, "a"), (in_c, "c")):
        side["opinion_department"], side["opinion_category"], side["opinion_outlet"] = set_up[key]
    nobody.update(opinion_department=None, opinion_category=None, opinion_outlet=None)
    dues = dues_objects(cast)
    (in_a["dues_assessment"], in_a["dues_payment"]), (in_c["dues_assessment"], in_c["dues_payment"]) = (
        dues["a"], dues["c"])
    nobody.update(dues_assessment=None, dues_payment=None)
    for made in contributed_objects(cast):
        in_a.update(made["a"])
        in_c.update(made["c"])
        nobody.update({kind: None for kind in made["a"]})

    def org_entry(org: Any) -> AuditEntry:
        return _entry(org_id=org.pk, object_type="orgs.organization")

    def member_entry(m: Any) -> AuditEntry:
        return _entry(object_type="members.member", object_id=str(m.pk))

    def hidden(*members: Any, orgs: tuple[str, ...] = ()) -> list[str]:
        return [m.name for m in members] + [m.id_number for m in members] + list(orgs)

    table = {
        "admin": Sides({"org": a, "member": cast.member, "audit": member_entry(cast.member_c), **in_c}, {}, []),
        "street_admin": Sides({"org": a, "member": cast.member_b, "audit": member_entry(cast.member_b), **in_a},
                              {"org": c, "member": cast.member_c, "audit": org_entry(c), **in_c},
                              hidden(cast.member_c, orgs=(c.name, cast.other_street.name, cand_c.name))),
        "auditor": Sides({"org": g, "member": cast.member_a2, "audit": org_entry(b), **in_a},
                         {"org": c, "member": cast.member_c, "audit": member_entry(cast.member_c), **in_c},
                         hidden(cast.member_c, orgs=(c.name, cast.other_street.name, cand_c.name))),
        "secretary": Sides({"org": a, "member": cast.member_a2, "audit": member_entry(cast.member_a2), **in_a},
                           {"org": b, "member": cast.member_b, "audit": member_entry(cast.member_b), **in_c},
                           hidden(cast.member_b, cast.member_c, orgs=(b.name, c.name, cand_c.name))),
        "member": Sides({"org": None, "member": cast.member, "audit": member_entry(cast.member), **nobody},
                        {"org": b, "member": cast.member_b, "audit": member_entry(cast.member_a2), **in_a},
                        hidden(cast.member_a2, cast.member_b, cast.member_c,
                               orgs=(b.name, c.name, cand_a.name, cand_c.name))),
        "outsider": Sides({"org": c, "member": cast.member_c, "audit": member_entry(cast.member_c), **in_c},
                          {"org": a, "member": cast.member, "audit": org_entry(b), **in_a},
                          hidden(cast.member, cast.member_a2, cast.member_b,
                                 orgs=(a.name, b.name, g.name, cand_a.name))),
        # A grid worker of a grid in A's place: the place-scoped records of that grid, nothing of any organization.
        "grid_worker": Sides({"org": None, "member": None, "audit": None, **nobody,
                              **{k: v for k, v in in_a.items() if k in PLACE_KINDS}},
                             {"org": a, "member": cast.member, "audit": org_entry(a),
                              **{k: v for k, v in in_a.items() if k not in PLACE_KINDS},
                              **{k: v for k, v in in_c.items() if k in PLACE_KINDS}},
                             hidden(cast.member, cast.member_a2, cast.member_b, cast.member_c,
                                    orgs=(b.name, c.name, cand_a.name, cand_c.name))),
        "anonymous": Sides({"org": None, "member": None, "audit": None, **nobody},
                           {"org": a, "member": cast.member, "audit": member_entry(cast.member), **in_a},
                           hidden(cast.member, cast.member_a2, cast.member_b, cast.member_c,
                                  orgs=(cand_a.name, cand_c.name))),
    }
    chosen = table[role]
    # Accounts (`accounts/<pk>/`) and their roles: one the role may manage (or its own) and one outside.
    from grassroots.access.models import Role

    def account(user: Any) -> dict[str, Any]:
        return {"account": user, "role": Role.objects.filter(user=user).order_by("pk").first()}

    own_or_managed = {"admin": cast.outsider, "street_admin": cast.secretary, "auditor": cast.auditor,
                      "secretary": cast.secretary, "member": cast.member_user, "outsider": cast.outsider,
                      "grid_worker": cast.places.grid_worker}
    chosen.inside.update(account(own_or_managed[role]) if role in own_or_managed else {"account": None, "role": None})
    if role != "admin":
        chosen.outside.update(account(cast.secretary if role == "outsider" else cast.outsider))
    # No GET shows a submitter's full phone or email (reveals are POSTs), nor anything of an opinion outside.
    for opinion, _draft, _attachment in opinions.values():
        chosen.forbidden += [opinion.submitter_phone, opinion.submitter_email]
    for contribution in walk_contributions():
        if hasattr(contribution, "forbidden"):
            chosen.forbidden += contribution.forbidden(cast)
    outside_opinion = chosen.outside.get("opinion")
    if outside_opinion is not None:
        chosen.forbidden += [outside_opinion.text, outside_opinion.submitter_name]
    chosen.inside["calendar_token"], chosen.outside["calendar_token"] = calendar_tokens(
        cast, role, chosen.inside, chosen.outside)
    jobs = import_jobs(cast)  # one's own import job, and someone else's (the administrator may look at any)
    chosen.inside["import_job"] = jobs.get(role)
    if role != "admin":
        chosen.outside["import_job"] = jobs["admin" if role == "secretary" else "secretary"]
    return chosen


def client_for(cast: Any, role: str) -> Client:
    from conftest import cast_places

    cast_places(cast)
    client = Client()
    if role != "anonymous":
        client.force_login(cast.users[role])
    return client


def body(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="ignore")


def assert_shows_nothing_hidden(response: Any, forbidden: list[str], where: str) -> None:
    text = body(response)
    leaked = [s for s in forbidden if s in text]
    assert not leaked, f"{where} shows {leaked} (status {response.status_code})"


def assert_refused(response: Any, role: str, where: str) -> None:
    code = response.status_code
    if role == "anonymous":
        login = resolve_url("login")
        ok = code in (401, 403, 404, 405) or (code == 302 and response["Location"].startswith(login))
        assert ok, f"{where}: anonymous got {code} {response.get('Location', '')}"
    else:
        assert code in (403, 404, 405), f"{where}: {role} got {code} for an object outside the scope"


def _snapshot_models() -> list[Any]:
    return [m for m in apps.get_models() if m.__module__.startswith("grassroots.")] + [get_user_model()]


def _snapshot_sql(models: list[Any]) -> str | None:
    """One statement that reads every row of every table in `models`, each as (table's index, primary key, the row
    as the database writes it out): PostgreSQL's record text, SQLite's `quote()` of every column. Both render every
    stored value in full (quote() and PostgreSQL's float output round-trip exactly), so two snapshots are equal if
    and only if no row was added, removed or changed in any column. None on another database."""
    qn = connection.ops.quote_name
    parts = []
    for n, model in enumerate(models):
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        if connection.vendor == "postgresql":
            parts.append(f"SELECT {n}, t.{pk}::text, ROW(t.*)::text FROM {table} t")  # t.*: not a column t
        elif connection.vendor == "sqlite":
            row = " || ',' || ".join(f"quote({qn(f.column)})" for f in model._meta.concrete_fields)
            parts.append(f"SELECT {n}, {pk}, {row} FROM {table}")
        else:
            return None
    return " UNION ALL ".join(parts)


def database_snapshot() -> dict[str, list[Any]]:
    """Every row of every project table (and the users), to compare before and after a request.

    Read in one statement (the walk takes two snapshots around each of some thousands of unsafe requests: a query
    per table made them most of the suite's time); on a database other than SQLite and PostgreSQL, a query per
    table through the ORM."""
    models = _snapshot_models()
    sql = _snapshot_sql(models)
    if sql is None:
        return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}
    snapshot: dict[str, list[Any]] = {m._meta.label: [] for m in models}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for n, pk, row in cursor.fetchall():
            snapshot[models[n]._meta.label].append((pk, row))
    for rows in snapshot.values():
        rows.sort(key=lambda r: r[0])  # the order rows come in is the database's: sort by primary key
    return snapshot


def _payload(outside: dict[str, Any], cast: Any) -> dict[str, Any]:
    """Plausible input for any form or endpoint, every reference pointing outside the scope."""
    org = outside.get("org") or cast.branch_c
    member = outside.get("member") or cast.member_c
    return {
        "field": "id_number", "name": "WALKER", "code": "WALK", "kind": "removed", "date": "2020-01-02",
        "on": "2020-01-02", "note": "walk", "education": "postgraduate", "occupation": "retired", "status": "full",
        "org": org.code, "to_org": org.code, "parent": org.code, "into": org.code, "members_to": org.code,
        "member": member.pk, "member_id": member.pk, "phone": "13900000000",
    }


# --- the tests ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """The meetings' attachments are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_the_snapshot_sees_every_change(cast: Any) -> None:
    """The walk's snapshot (one statement for every table) sees a row added, a row removed and any one column of a
    row changed, whatever its type (text, date, decimal, JSON, a UUID key), and nothing else."""
    from decimal import Decimal

    from grassroots.dues.models import DuesAssessment
    from grassroots.members.models import Member
    from grassroots.ui.models import ImportJob

    dues_objects(cast)
    job = ImportJob.objects.create(user=cast.secretary, kind="walk", filename="a.xlsx", params={"a": 1})
    before = database_snapshot()
    assert before == database_snapshot()  # reading changes nothing
    assert before["members.Member"] and before["ui.ImportJob"] and before["core.AuditEntry"]
    assessment = DuesAssessment.objects.order_by("pk").first()
    assert assessment is not None
    member = Member.objects.get(pk=cast.member.pk)
    changes: list[tuple[Any, str, Any]] = [
        (member, "name", member.name + "x"), (member, "birth_date", member.birth_date + dt.timedelta(days=1)),
        (assessment, "monthly_amount", assessment.monthly_amount + Decimal("0.01")),
        (job, "params", {"a": 2}),
    ]
    for obj, field, value in changes:
        old = getattr(obj, field)
        type(obj).objects.filter(pk=obj.pk).update(**{field: value})
        assert database_snapshot() != before, f"{type(obj).__name__}.{field} changed unseen"
        type(obj).objects.filter(pk=obj.pk).update(**{field: old})
        assert database_snapshot() == before
    added = ImportJob.objects.create(user=cast.secretary, kind="walk", filename="b.xlsx")
    assert database_snapshot() != before
    added.delete()
    assert database_snapshot() == before
    job.delete()
    assert database_snapshot() != before


def test_the_walk_finds_the_pages_and_the_api() -> None:
    templates = {r.template for r in all_routes()}
    for expected in ("api/orgs/%(code)s/", "api/members/%(pk)s/reveal/", "api/audit/", "api/schema/"):
        assert expected in templates
    assert not any(t.startswith(SKIP_PREFIXES) for t in templates)
    names = {r.name for r in all_routes()}
    assert not names & set(PUBLIC_URL_NAMES)


def unfillable(routes: list[Route]) -> list[str]:
    return [f"{route}: {param}" for route in routes for param in route.params
            if param not in VALUE_PARAMS and _object_kind(route, param) is None]


def _dummy_view(request: Any, **kwargs: Any) -> Any:  # pragma: no cover (never called)
    raise NotImplementedError


# A URL configuration for the walk's own self-test below (not mounted anywhere).
urlpatterns = [
    path("meetings/<int:meeting_id>/", _dummy_view, name="walk-test-meeting"),
    path("members/<int:pk>/dues/<int:year>/", _dummy_view),
    path("orgs/<str:code>/", _dummy_view),
]


def test_an_unknown_parameter_fails_the_walk(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    assert unfillable(all_routes()) == ["/meetings/%(meeting_id)s/ (walk-test-meeting): meeting_id",
                                        "/members/%(pk)s/dues/%(year)s/ (unnamed): year"]


@pytest.mark.django_db
def test_every_url_parameter_can_be_filled(cast: Any) -> None:
    """A new page whose parameter the walk does not know fails here, so that it cannot escape the walk."""
    unknown = unfillable(all_routes())
    assert not unknown, "teach the permission walk these parameters: " + ", ".join(unknown)
    every_side = [sides(cast, role) for role in ROLES]
    for route in all_routes():
        for s in every_side:
            for objects in (s.inside, s.outside):
                url = fill(route, objects)
                assert url is None or resolve(url).func is route.callback


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_get_walk(cast: Any, role: str) -> None:
    s = sides(cast, role)
    client = client_for(cast, role)
    walked = 0
    for route in all_routes():
        for side, objects in (("inside", s.inside), ("outside", s.outside)):
            if not route.params and side == "outside":
                continue  # a page without parameters is walked once
            url = fill(route, objects)
            if url is None:
                continue
            where = f"GET {url} as {role} ({side})"
            response = client.get(url)
            walked += 1
            assert response.status_code < 500, where
            assert_shows_nothing_hidden(response, s.forbidden, where)
            if side == "outside" or role == "anonymous":
                assert_refused(response, role, where)
    assert walked >= len(all_routes())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_unsafe_walk_changes_nothing_outside_the_scope(cast: Any, role: str) -> None:
    s = sides(cast, role)
    client = client_for(cast, role)
    payload = _payload(s.outside, cast)
    # The auditor writes nowhere, so its own side is walked too.
    walks = [("outside", s.outside)] + ([("inside", s.inside)] if role == "auditor" else [])
    for route in all_routes():
        for side, objects in walks:
            url = fill(route, objects)
            if url is None:
                continue
            for method in UNSAFE:
                before, entries = database_snapshot(), AuditEntry.objects.count()
                if method == "post":
                    response = client.post(url, data=payload)
                else:
                    response = getattr(client, method)(url, data=json.dumps(payload),
                                                       content_type="application/json")
                where = f"{method.upper()} {url} as {role} ({side})"
                assert response.status_code < 500, where
                assert AuditEntry.objects.count() == entries, f"{where} wrote to the audit log"
                assert database_snapshot() == before, f"{where} changed the database"
                assert_shows_nothing_hidden(response, s.forbidden, where)
                if route.params and role == "anonymous":
                    assert_refused(response, role, where)
                elif route.params:
                    assert response.status_code not in (200, 201, 204), f"{where}: {response.status_code}"


@pytest.mark.django_db
def test_public_pages_show_no_contact(cast: Any) -> None:
    """The public pages and Open311, for a published opinion and an unpublished one: no submitter's name, phone
    or email anywhere, and nothing of the unpublished opinion's text."""
    from django.urls import reverse

    from grassroots.core.context import acting
    from grassroots.opinions import services

    opinions = opinion_objects(cast)
    published, unpublished = opinions["a"][0], opinions["c"][0]
    with acting(None, "system"):
        services.set_published(published, True)
        services.outlet_create(cast.street, code="OUT-S", name="街道民情快递站")
    forbidden = [o.submitter_name for o, _d, _a in opinions.values()]
    forbidden += [o.submitter_phone for o, _d, _a in opinions.values()]
    forbidden += [o.submitter_email for o, _d, _a in opinions.values()] + [unpublished.text]
    client = Client()
    urls = [reverse("public-opinion-form", args=["S"]), reverse("public-published", args=["S"]),
            reverse("public-published", args=["X"]), reverse("public-poster", args=["S", "OUT-S"]),
            reverse("public-track"), "/open311/v2/services.json?jurisdiction_id=S",
            "/open311/v2/requests.json?jurisdiction_id=S&start_date=2019-01-01T00:00:00Z",
            "/open311/v2/requests.json?jurisdiction_id=X&start_date=2019-01-01T00:00:00Z",
            f"/open311/v2/requests/{published.number}.json?jurisdiction_id=S",
            f"/open311/v2/requests/{unpublished.number}.json?jurisdiction_id=X",
            f"/open311/v2/requests/{unpublished.number}.xml?jurisdiction_id=X"]
    seen_published = False
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shows_nothing_hidden(response, forbidden, f"GET {url}")
        seen_published |= published.text in body(response)
    assert seen_published  # the published opinion's text is shown somewhere: the check above is not vacuous
    # The tracking page by code shows the opinion to its sender, still without their contact.
    for code in (published.tracking_code, unpublished.tracking_code):
        page = client.post(reverse("public-track"), {"code": code})
        assert page.status_code == 200
        assert_shows_nothing_hidden(page, [x for x in forbidden if x != unpublished.text], "POST track")


def admin_urls() -> list[tuple[str, bool]]:
    """Every page of Django's admin for every registered model: (url, is a write page). The change, delete and
    history pages name an existing record when there is one."""
    from django.contrib import admin
    from django.urls import reverse

    urls: list[tuple[str, bool]] = [(reverse("admin:index"), False)]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [(reverse(f"{name}_changelist"), False), (reverse(f"{name}_add"), True)]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls += [(reverse(f"{name}_change", args=[obj.pk]), True),
                     (reverse(f"{name}_delete", args=[obj.pk]), True),
                     (reverse(f"{name}_history", args=[obj.pk]), False)]
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_admin_walk_writes_nothing(cast: Any, role: str) -> None:
    """The walk above leaves `/admin/` out; here every admin page of every registered model, domain records and
    accounts alike, is read and posted to as each role: no one but the superuser gets in, and no one, the superuser
    included, changes anything through it (records, roles, accounts or the audit log)."""
    station_objects(cast)  # a department, a category and an outlet to open
    client = client_for(cast, role)
    user_model = get_user_model()
    for url, writes in admin_urls():
        for method in ("get", "post"):
            before = (database_snapshot(), AuditEntry.objects.count(), user_model.objects.count(),
                      list(user_model.objects.order_by("pk").values_list("password", "is_active", "is_superuser")))
            response = getattr(client, method)(url, data={"post": "yes", "username": "x", "password1": "y"})
            where = f"{method.upper()} {url} as {role}"
            assert response.status_code < 500, where
            after = (database_snapshot(), AuditEntry.objects.count(), user_model.objects.count(),
                     list(user_model.objects.order_by("pk").values_list("password", "is_active", "is_superuser")))
            assert after == before, f"{where} changed something"
            if role != "admin":  # not staff: sent to the admin's login
                assert response.status_code == 302 and "/admin/login/" in response["Location"], where
            elif method == "post" and writes:
                assert response.status_code == 403, where
