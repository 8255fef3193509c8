"""The module registry: what each domain app contributes to the shell.

A domain app announces itself once, in its `AppConfig.ready()`:

    register(Module(label="dues", title=_("Party dues"), urls="grassroots.dues.urls", api="grassroots.dues.api",
                    findings="grassroots.dues.findings",
                    org_links=(Link(_("Dues ledger"), "dues-ledger", key="dues"),)))

The root URLconf, the API router, the navigation, the organization and member pages, the dashboard, the
annual summary and the demo iterate `modules()`; none of them names a domain. Everything is given as a dotted
path, resolved when first used, so registering imports no views (and a domain app never imports `web` or
`api`). A new module is its app, one line in INSTALLED_APPS and its rules data: see docs/architecture.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

ORG = "org"  # a link that takes the organization's code
MEMBER = "member"  # a link that takes the member's pk
SITE = "site"  # a link that takes nothing
STATION = "station"  # a link of the public station pages: takes the station's organization code
HOUSEHOLD = "household"  # a link on a household's page: takes the household's pk


@dataclass(frozen=True)
class Link:
    """A link the shell shows: on the organization page, the member page, or in the navigation."""

    label: Any  # a lazy translated text
    url_name: str  # reversed with the page's object: (code) on the organization page, (pk) on the member page
    key: str = ""  # a stable id for the page and the tests
    order: int = 100
    kinds: tuple[str, ...] = ()  # organization kinds it applies to; () for every kind
    write: bool = False  # shown only to a user who may write the organization or member (site: some organization)
    keep_as_of: bool = False  # carries the page's ?as_of= along
    query: str = ""  # a fixed query string ("year=2019")
    shown_if: str = ""  # dotted path of `fn(org) -> bool`: shown only where it answers True (a station's links)

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def shown_for(self, org: Any) -> bool:
        return not self.shown_if or bool(import_string(self.shown_if)(org))


@dataclass(frozen=True)
class Panel:
    """A panel of the dashboard: `context(frame)` (frame: a `ui.dashboard.DashboardFrame`, the org, year, day and
    readable subtree) gives what `template` renders as `panel` (or None: not shown); its "chart" entry, if any, is
    the panel's chart data, and its "title" entry, if any, replaces `title` for that page. The dashboard shows
    the card with `id="panel-<key>"` and the title; the template renders what is inside."""

    key: str
    title: Any  # a lazy translated text
    template: str
    context: str  # dotted path of the function
    order: int = 100

    def build(self, frame: Any) -> dict[str, Any] | None:
        result: dict[str, Any] | None = import_string(self.context)(frame)
        return result


@dataclass(frozen=True)
class Subheading:
    """A level-2 heading inside a section of the annual summary (the document numbers it)."""

    text: str


@dataclass(frozen=True)
class SectionText:
    """What a section of the annual summary says in one language: its heading and its paragraphs, in order (a
    `Subheading` starts a subsection). Numbering, styles and page layout are the document's (`reports.docx`)."""

    heading: str
    paragraphs: tuple[str | Subheading, ...]


@dataclass(frozen=True)
class Section:
    """A section of the annual summary: `gather(org, year, day)` reads the figures of the year as the records
    stood on `day` (a dataclass, or None when the module has nothing to say; an `as_json()` method gives its
    plain values); `write(figures, day, language)` gives its words, a `SectionText`."""

    key: str  # the summary's attribute for the figures (summary.dues)
    order: int
    gather: str  # dotted path
    write: str  # dotted path

    def gathered(self, org: Any, year: int, day: Any) -> Any:
        return import_string(self.gather)(org, year, day)

    def written(self, figures: Any, day: Any, language: str) -> SectionText:
        text: SectionText = import_string(self.write)(figures, day, language)
        return text


@dataclass(frozen=True)
class Importer:
    """A `grassroots import <what> FILE [--org CODE] [--dry-run]` verb: `run(path, *, org, dry_run, actor)` returns
    the exit code (0 written or a clean dry run, 1 with the row errors on stderr). `org` is the organization named
    by --org, already looked up within the acting user's scope, or None."""

    what: str
    run: str  # dotted path
    org_required: bool = False
    org_help: str = ""  # what --org means for this verb

    def runner(self) -> Callable[..., int]:
        fn: Callable[..., int] = import_string(self.run)
        return fn


@dataclass(frozen=True)
class AppraisalNote:
    """What a module tells the democratic appraisal of members about one member's year (a commitment kept,
    services given in the community): shown beside the member on the appraisal sheet, never a rating itself."""

    label: Any  # what it is about ("Commitments"), a lazy translated text or a text
    text: str  # what was found ("3 made: 2 kept, 1 partly kept")
    url: str = ""  # where the reader finds the records (empty: none)


@dataclass(frozen=True)
class PointEvidence:
    """A record that may earn a member points: the points module proposes an entry from it, which the branch
    approves before it counts. `key` is stable and unique for the record (the same record never earns twice);
    `item` names the points rule's item ("meetings.attended"); `quantity` is what the rule multiplies (a
    meeting: 1; volunteer hours: the hours)."""

    key: str  # "meetings.attendance:123"
    member_id: int
    day: Any  # a date: the day the act was done (it counts in that year)
    item: str
    quantity: Any = 1  # an int or a Decimal
    text: str = ""  # what it was, in words ("Theme Party day 2019-06-06")
    url: str = ""  # where the record is


@dataclass(frozen=True)
class Module:
    label: str  # the app's label
    title: Any  # a lazy translated text
    urls: str | None = None  # a URLconf included at the site root
    api: str | None = None  # a module with ROUTES [(prefix, viewset, basename)] and/or urlpatterns, under /api/
    findings: str | None = None  # a module that registers findings sources when imported
    nav: tuple[Link, ...] = ()
    org_links: tuple[Link, ...] = ()
    member_links: tuple[Link, ...] = ()
    org_actions: tuple[str, ...] = ()  # templates the organization page includes among its actions, with `org`
    dashboard_panels: tuple[Panel, ...] = ()
    annual_sections: tuple[Section, ...] = ()
    importers: tuple[Importer, ...] = ()  # `grassroots import` verbs
    demo: str | None = None  # dotted path of `build(out)`: the module's part of the demo town, run after the roster
    demo_order: int = 100
    # dotted path of `build(out, *, today, recent_years)`: a module's whole history in the demo town, from 2019 to
    # `today`, run after the roster's and the other modules' history to today (`demo.living`), by `demo_order`
    demo_history: str | None = None
    public_links: tuple[Link, ...] = ()  # links on the public station pages (`STATION`: reversed with the code)
    household_links: tuple[Link, ...] = ()  # links on a household's page (`HOUSEHOLD`: reversed with its pk)
    # dotted paths of `notes(member_ids, year) -> {member_id: [AppraisalNote]}`: what the appraisal sheet shows
    appraisal_notes: tuple[str, ...] = ()
    # dotted paths of `evidence(org, start, end) -> Iterable[PointEvidence]`: the records of the subtree of `org`
    # dated from `start` to `end` (inclusive) that may earn points
    point_sources: tuple[str, ...] = ()
    # {meeting kind: URL name reversed with the meeting's pk}: the page of a kind of meeting that a module records
    # itself on the meetings module (a joint meeting's attendance by unit and its decisions); the meetings pages
    # send the reader there
    meeting_pages: tuple[tuple[str, str], ...] = ()


_REGISTRY: dict[str, Module] = {}


def register(module: Module) -> Module:
    """Announce a module (from its AppConfig.ready()). Registering the same label again replaces it."""
    _REGISTRY[module.label] = module
    if module.findings:
        importlib.import_module(module.findings)  # registers its findings sources
    return module


def modules() -> list[Module]:
    """The registered modules in the order of INSTALLED_APPS."""
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    return sorted(_REGISTRY.values(), key=lambda m: order.get(m.label, len(order)))


def module(label: str) -> Module | None:
    return _REGISTRY.get(label)


def links(where: str, kind: str = "") -> list[tuple[Module, Link]]:
    """Every module's links for `where` (ORG, MEMBER, SITE, STATION or HOUSEHOLD) that apply to an organization of `kind`."""
    attr = {ORG: "org_links", MEMBER: "member_links", SITE: "nav", STATION: "public_links",
            HOUSEHOLD: "household_links"}[where]
    found = [(m, link) for m in modules() for link in getattr(m, attr) if link.applies_to(kind)]
    return sorted(found, key=lambda pair: pair[1].order)


def org_actions() -> list[str]:
    """Every module's templates for the organization page's actions, in the order of the modules."""
    return [t for m in modules() for t in m.org_actions]


def panels() -> list[Panel]:
    return sorted((p for m in modules() for p in m.dashboard_panels), key=lambda p: p.order)


def sections() -> list[Section]:
    return sorted((s for m in modules() for s in m.annual_sections), key=lambda s: s.order)


def importers() -> dict[str, Importer]:
    """Every module's `grassroots import` verbs by name, in the order of the modules."""
    return {i.what: i for m in modules() for i in m.importers}


def demo_builders() -> Iterator[tuple[Module, Callable[..., Any]]]:
    for m in sorted((m for m in modules() if m.demo), key=lambda m: m.demo_order):
        yield m, import_string(m.demo or "")


def demo_histories() -> Iterator[tuple[Module, Callable[..., Any]]]:
    for m in sorted((m for m in modules() if m.demo_history), key=lambda m: m.demo_order):
        yield m, import_string(m.demo_history or "")


def appraisal_notes(member_ids: list[int], year: int) -> dict[int, list[AppraisalNote]]:
    """Every module's notes for the appraisal of these members in `year`, by member, in the order of the modules."""
    found: dict[int, list[AppraisalNote]] = {}
    for m in modules():
        for path in m.appraisal_notes:
            for member_id, notes in import_string(path)(member_ids, year).items():
                found.setdefault(member_id, []).extend(notes)
    return found


def point_sources() -> list[tuple[Module, Callable[..., Any]]]:
    """Every module's sources of point evidence, in the order of the modules."""
    return [(m, import_string(path)) for m in modules() for path in m.point_sources]


def meeting_page(kind: str) -> str | None:
    """The URL name of the page a module gives the meetings of `kind` (reversed with the meeting's pk), if any."""
    for m in _REGISTRY.values():
        for k, url_name in m.meeting_pages:
            if k == kind:
                return url_name
    return None
