"""The `grassroots` console command. Its verbs and options are a stable contract: scripts call them.

    grassroots demo [--host 127.0.0.1] [--port 8000]
    grassroots serve [--port 8000]
    grassroots import members FILE [--org CODE] [--dry-run]
    grassroots import dues FILE [--org CODE] [--dry-run]
    grassroots import opinions FILE --org STATION [--dry-run]
    grassroots export members --org CODE FILE.xlsx
    grassroots stats --org CODE [--as-of YYYY-MM-DD] [--json]
    grassroots check --org CODE [--as-of YYYY-MM-DD] [--json] [--all]
    grassroots report annual --org CODE --year YYYY --out FILE.docx [--lang zh-hans|en]

Every verb that reads or writes records takes `--as USERNAME` to act as that user, within that user's
scope; without it the command acts as the server's operator (the system), with the audit channel "cli".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()


def _date(text: str) -> dt.date:
    from grassroots.core.dates import DateError, parse_date

    try:
        d = parse_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if d is None:
        raise argparse.ArgumentTypeError("a date is required")
    return d


def _importers() -> dict[str, Any]:
    """The `import` verbs the installed modules register (grassroots.core.modules.Importer)."""
    _setup()
    from grassroots.core.modules import importers

    return importers()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grassroots", description="Grassroots: Party organizations' daily work.")
    sub = parser.add_subparsers(dest="verb", required=True)

    p = sub.add_parser("demo", help="create or upgrade the database and load the demo town")
    p.add_argument("--no-migrate", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help="where you will serve the site (the address it prints)")
    p.add_argument("--port", type=int, default=8000, help="the port you will serve the site on (printed)")

    p = sub.add_parser("serve", help="serve the site with gunicorn")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--workers", type=int, default=2)

    p = sub.add_parser("migrate", help="create or upgrade the database")

    p = sub.add_parser("import", help="import records from .xlsx, .xls or .csv")
    verbs = _importers()
    p.add_argument("what", choices=list(verbs))
    p.add_argument("file")
    p.add_argument("--org", help="; ".join(f"{what}: {verb.org_help}" for what, verb in verbs.items()
                                           if verb.org_help))
    p.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
    p.add_argument("--as", dest="as_user", help="act as this user, within their scope")

    p = sub.add_parser("export", help="export records to .xlsx")
    p.add_argument("what", choices=["members"])
    p.add_argument("--org", required=True)
    p.add_argument("file")
    p.add_argument("--as", dest="as_user")

    p = sub.add_parser("stats", help="structure statistics of a subtree as of a date")
    p.add_argument("--org", required=True)
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    p.add_argument("--as", dest="as_user")

    p = sub.add_parser("check", help="findings (what is due soon, overdue or violated) for a subtree")
    p.add_argument("--org", required=True)
    p.add_argument("--as-of", type=_date, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="list steps done in time too")
    p.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    p.add_argument("--as", dest="as_user")

    p = sub.add_parser("report", help="write a report as a Word document")
    p.add_argument("what", choices=["annual"])
    p.add_argument("--org", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, help="the .docx file to write")
    p.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    p.add_argument("--as", dest="as_user")

    p = sub.add_parser("verify-audit", help="check the audit log's hash chain")
    return parser


def _actor(username: str | None) -> Any:
    if not username:
        return None
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise SystemExit(f"grassroots: no active user {username!r}") from None


def _org(code: str, actor: Any) -> Any:
    from grassroots.access.scope import Scope
    from grassroots.orgs.models import Organization

    org = Organization.objects.filter(code=code).first()
    if org is None or not Scope(actor).can_read_org(org):
        raise SystemExit(f"grassroots: no organization with code {code!r}")
    return org


def cmd_stats(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from grassroots.reports.situation import situation_figures

    actor = _actor(args.as_user)
    org = _org(args.org, actor)
    day = args.as_of or timezone.localdate()
    figures = situation_figures(org, day)
    if args.json:
        print(json.dumps(figures.as_json(), ensure_ascii=False, indent=2))
        return 0
    print(figures.paragraph(args.lang))
    print()
    width = max(len(k) for k in figures.stats)
    for key, value in figures.stats.items():
        if isinstance(value, dict) and "count" in value:
            print(f"{key:<{width}}  {value['count']:>8}  {value['pct']:>7}%")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from django.utils import timezone, translation

    from grassroots.orgs.models import Organization
    from grassroots.rules.findings import STATE_LABELS, STATES, counts_by_org, findings_for

    org = _org(args.org, _actor(args.as_user))
    day = args.as_of or timezone.localdate()
    with translation.override(args.lang):
        found = findings_for(org, day, include_done=args.all)
        if args.json:
            by_org = counts_by_org(found)
            codes = dict(Organization.objects.filter(pk__in=by_org).values_list("pk", "code"))
            names = {f.org_id: f.org_name for f in found}
            counts = [{"org_id": pk, "code": codes.get(pk, ""), "name": names[pk],
                       **{state: by_org[pk][state] for state in STATES}}
                      for pk in sorted(by_org, key=lambda pk: codes.get(pk, ""))]
            print(json.dumps({
                "org": {"code": org.code, "name": org.name}, "as_of": day.isoformat(),
                "findings": [f.as_json() for f in found], "counts": counts,
                "totals": {state: sum(1 for f in found if f.state == state) for state in STATES},
            }, ensure_ascii=False, indent=2))
            return 0
        if not found:
            print(translation.gettext("No findings."))
            return 0
        for state in STATES:
            rows = [f for f in found if f.state == state]
            if not rows:
                continue
            print(f"{STATE_LABELS[state]} ({len(rows)})")
            for f in rows:
                due = f.due.isoformat() if f.due else "-"
                print(f"  {due}  {f.rule}  {f.subject_label}  {f.org_name}  {f.message}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from grassroots.reports.annual import annual_summary
    from grassroots.reports.docx import write_docx

    org = _org(args.org, _actor(args.as_user))
    Path(args.out).write_bytes(write_docx(annual_summary(org, args.year), args.lang))
    print(args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `grassroots stats | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    if args.verb == "serve":
        from grassroots.serve import serve

        return serve(host=args.host, port=args.port, workers=args.workers)
    _setup()
    from grassroots.core.context import acting

    if args.verb in ("migrate", "demo"):
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        if args.verb == "migrate":
            return 0
        from grassroots.demo.build import build_demo

        with acting(None, "cli"):
            return build_demo(out=sys.stdout, host=args.host, port=args.port)
    if args.verb == "verify-audit":
        from grassroots.core.audit import verify_chain

        broken = verify_chain()
        print("audit chain intact" if broken is None else f"audit chain broken at entry {broken}")
        return 0 if broken is None else 1
    actor = _actor(getattr(args, "as_user", None))
    with acting(actor, "cli"):
        if args.verb == "stats":
            return cmd_stats(args)
        if args.verb == "check":
            return cmd_check(args)
        if args.verb == "report":
            return cmd_report(args)
        if args.verb == "import":
            verb = _importers()[args.what]
            if verb.org_required and not args.org:
                raise SystemExit(f"grassroots: import {args.what} needs --org CODE ({verb.org_help})")
            org = _org(args.org, actor) if args.org else None
            return verb.runner()(args.file, org=org, dry_run=args.dry_run, actor=actor)
        if args.verb == "export":
            from grassroots.members.exporter import cli_export

            return cli_export(_org(args.org, actor), args.file, actor=actor)
    return 2


if __name__ == "__main__":
    sys.exit(main())
