"""The `grassroots` console command. Its verbs and options are a stable contract: scripts call them.

    grassroots demo [--host 127.0.0.1] [--port 8000]
    grassroots serve [--port 8000]
    grassroots worker
    grassroots cleanup
    grassroots backup FILE [--yes]
    grassroots restore FILE [--yes]
    grassroots import members FILE [--org CODE] [--dry-run]
    grassroots import dues FILE [--org CODE] [--dry-run]
    grassroots import opinions FILE --org STATION [--dry-run]
    grassroots export members --org CODE FILE.xlsx [--as USER] [--reveal]
    grassroots stats --org CODE [--as-of YYYY-MM-DD] [--json]
    grassroots check --org CODE [--as-of YYYY-MM-DD] [--json] [--all]
    grassroots findings refresh [--org CODE] [--queue]
    grassroots findings retotal
    grassroots report annual --org CODE --year YYYY --out FILE.docx [--lang zh-hans|en]
    grassroots user add NAME [--superuser] [--role KIND --org CODE | --role member --member PK-OR-ID-NUMBER]
                             [--full-name TEXT] [--password-stdin]
    grassroots user list [--org CODE]
    grassroots user passwd NAME [--password-stdin]
    grassroots user revoke NAME [--role KIND --org CODE | --role member]   (no --role: deactivate the account)
    grassroots verify-audit [--checkpoint "LINE"]
    grassroots verify-rollups [--org CODE] [--date YYYY-MM-DD ...]
    grassroots rebuild-rollups [--org CODE]
    grassroots rollup-marks [--month YYYY-MM] [--every-node]
    grassroots audit checkpoint

A password is read from standard input with --password-stdin, else asked twice when at a terminal, else a
strong one is generated and printed once.

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


def _month(text: str) -> dt.date:
    """YYYY-MM: the first day of that month."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


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
    p.add_argument("--workers", type=int, default=None,
                   help="web worker processes (default: 2 × cores + 1, within memory; or $GRASSROOTS_WEB_WORKERS)")
    p.add_argument("--threads", type=int, default=None,
                   help="threads per worker (default: 8, at most 64 in all; or $GRASSROOTS_WEB_THREADS)")

    sub.add_parser("worker", help="run the background worker alone (serve starts one itself)")
    sub.add_parser("cleanup", help="delete import files abandoned for more than a day")

    p = sub.add_parser("migrate", help="create or upgrade the database")

    p = sub.add_parser("backup", help="copy the whole database into FILE (SQLite's online backup, or pg_dump)")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="replace FILE if it exists")
    p = sub.add_parser("restore", help="replace the whole database by the backup in FILE (stop the server first)")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="do not ask before replacing every record")

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
    p.add_argument("--reveal", action="store_true",
                   help="full ID numbers and phones (an export that re-imports): only for a user who may reveal "
                        "every member's, and logged as a reveal; masked without it")

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

    p = sub.add_parser("findings", help="the kept findings the pages read (the worker computes them)")
    p.add_argument("action", choices=["refresh", "retotal"],
                   help="refresh: compute the findings again; retotal: write the totals the pages read again "
                        "from the kept findings")
    p.add_argument("--org", help="only this organization's subtree (default: every organization)")
    p.add_argument("--queue", action="store_true", help="queue the computation for the worker instead of now")

    p = sub.add_parser("report", help="write a report as a Word document")
    p.add_argument("what", choices=["annual"])
    p.add_argument("--org", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, help="the .docx file to write")
    p.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    p.add_argument("--as", dest="as_user")

    p = sub.add_parser("verify-audit", help="check the audit log's hash chain, its head and a kept checkpoint")
    p.add_argument("--checkpoint", help="a line printed by `grassroots audit checkpoint`: check the log still "
                                        "holds that entry at that place")

    p = sub.add_parser("verify-rollups", help="recompute the structure statistics from the members' periods and "
                                              "report every figure the rollups have wrong (exit status 1)")
    p.add_argument("--org", help="this organization's subtree (default: every organization)")
    p.add_argument("--date", type=_date, action="append", dest="dates",
                   help="a day to check (repeat for several; default: today and the first of January of each "
                        "of the last five years)")

    p = sub.add_parser("rebuild-rollups", help="recompute the rollups of the structure statistics from the "
                                               "organization states and members' periods")
    p.add_argument("--org", help="only the organizations of this subtree")

    p = sub.add_parser("rollup-marks", help="build ahead the monthly marks of the structure statistics that no read "
                                            "has built yet (the worker does it every night)")
    p.add_argument("--month", type=_month, help="the month (default: the current one)")
    p.add_argument("--every-node", action="store_true",
                   help="every organization's, branches too (default: the committees', as the worker builds)")

    p = sub.add_parser("audit", help="the audit log")
    audit_verbs = p.add_subparsers(dest="action", required=True)
    audit_verbs.add_parser("checkpoint", help="print the log's head (count, hash, time) as a line to keep elsewhere")

    p = sub.add_parser("user", help="accounts and their roles")
    user = p.add_subparsers(dest="action", required=True)
    role_kinds = ["organizer", "secretary", "auditor", "member"]
    q = user.add_parser("add", help="create an account, with a role at an organization")
    q.add_argument("name")
    q.add_argument("--superuser", action="store_true", help="the site administrator: sees and changes everything")
    q.add_argument("--role", choices=role_kinds)
    q.add_argument("--org", help="the code of the organization where the role is held")
    q.add_argument("--member", help="for --role member: the member's number (pk) or ID number")
    q.add_argument("--full-name", default="")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.add_argument("--as", dest="as_user")
    q = user.add_parser("list", help="accounts with their roles")
    q.add_argument("--org", help="only the accounts holding a role in this organization's subtree")
    q.add_argument("--as", dest="as_user")
    q = user.add_parser("passwd", help="set an account's password")
    q.add_argument("name")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.add_argument("--as", dest="as_user")
    q = user.add_parser("revoke", help="withdraw a role, or without --role deactivate the account")
    q.add_argument("name")
    q.add_argument("--role", choices=role_kinds)
    q.add_argument("--org", help="the code of the organization where the role is held")
    q.add_argument("--as", dest="as_user")
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


def cmd_rollups(args: argparse.Namespace) -> int:
    """verify-rollups, rebuild-rollups and rollup-marks: the operator's (no --as: every organization)."""
    import time

    from django.utils import timezone

    from grassroots.members import rollups
    from grassroots.members.stats import verify_rollups
    from grassroots.orgs.models import Organization

    if args.verb == "rollup-marks":
        started = time.monotonic()
        try:
            built = rollups.build_marks(args.month, nodes=None if args.every_node else rollups.ahead_nodes())
        except ValueError as exc:
            raise SystemExit(f"grassroots: {exc}") from None
        month = args.month or timezone.localdate()
        print(f"{built} marks of {month:%Y-%m} built in {time.monotonic() - started:.1f} s"
              + ("; the nightly build is queued" if rollups.ensure_nightly_marks() else ""))
        return 0
    org = None
    if args.org:
        org = Organization.objects.filter(code=args.org).first()
        if org is None:
            raise SystemExit(f"grassroots: no organization with code {args.org!r}")
    if args.verb == "rebuild-rollups":
        from django.db import transaction

        from grassroots.core import audit

        with transaction.atomic():  # logged with it; the audit's head moves, so kept pages are built again
            written = rollups.rebuild(org)
            audit.record("rollups.rebuilt", object_type="members.rollups", object_id=org.code if org else "*",
                         object_repr=org.name if org else "", org_id=org.pk if org else None, extra=written)
        print(f"rollups rebuilt{' for ' + org.code if org else ''}: {written['spans']} spans, {written['deltas']} "
              f"deltas, {written['age_deltas']} age deltas")
        return 0
    today = timezone.localdate()
    days = args.dates or [today, *(dt.date(today.year - k, 1, 1) for k in range(5))]
    checked = 0
    wrong = 0
    for code, day, figure, kept, scanned in verify_rollups(org, days):
        if figure is None:
            checked += 1
            continue
        wrong += 1
        print(f"{code} {day.isoformat()} {figure}: rollups {kept}, periods {scanned}")
    if wrong:
        print(f"rollups NOT right: {wrong} figures differ ({checked} organization-days checked)")
        return 1
    print(f"rollups right: {checked} organization-days checked")
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


def _password(args: argparse.Namespace) -> str | None:
    """The password the operator gives (standard input, or asked twice at a terminal); None: generate one."""
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise SystemExit("grassroots: no password on standard input")
        return line
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise SystemExit("grassroots: the two passwords differ")
        if not first:
            raise SystemExit("grassroots: an empty password")
        return first
    return None


def _account(name: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise SystemExit(f"grassroots: no user {name!r}")
    return user


def _member(ref: str) -> Any:
    from grassroots.core.idnumber import normalize
    from grassroots.members.models import Member

    member = (Member.objects.filter(pk=int(ref)).first() if ref.isdigit() and len(ref) < 15
              else Member.objects.filter(id_number=normalize(ref)).first())
    if member is None:
        raise SystemExit(f"grassroots: no member {ref!r}")
    return member


def cmd_user(args: argparse.Namespace, actor: Any) -> int:
    from grassroots.access import services

    if args.action == "list":
        return _user_list(args, actor)
    if args.action == "add":
        org = member = None
        if args.role == "member":
            if not args.member:
                raise SystemExit("grassroots: --role member needs --member PK-OR-ID-NUMBER (the member's record)")
            member = _member(args.member)
        elif args.role:
            if not args.org:
                raise SystemExit(f"grassroots: --role {args.role} needs --org CODE")
            org = _org(args.org, actor)
        elif args.org or args.member:
            raise SystemExit("grassroots: --org and --member go with --role")
        user, generated = services.user_create(username=args.name, password=_password(args),
                                               full_name=args.full_name, superuser=args.superuser,
                                               kind=args.role, org=org, member=member)
        print(f"created user {user.username}" + (" (superuser)" if user.is_superuser else ""))
        if generated:
            print(f"password: {generated}")
            print("(shown once: give it to the user, who can change it later)")
        return 0
    user = _account(args.name)
    if args.action == "passwd":
        generated = services.user_set_password(user, password=_password(args))
        print(f"password of {user.username} changed")
        if generated:
            print(f"password: {generated}")
            print("(shown once)")
        return 0
    # revoke
    from grassroots.access.models import Role

    if not args.role:
        if args.org:
            raise SystemExit("grassroots: --org goes with --role")
        services.user_deactivate(user)
        print(f"user {user.username} deactivated; its roles withdrawn")
        return 0
    roles = Role.objects.filter(user=user, kind=args.role)
    if args.role != "member":
        if not args.org:
            raise SystemExit(f"grassroots: --role {args.role} needs --org CODE")
        roles = roles.filter(org=_org(args.org, actor))
    role = roles.select_related("org", "member__org").first()
    if role is None:
        raise SystemExit(f"grassroots: {user.username} holds no such role")
    services.role_withdraw(role)
    print(f"role withdrawn: {user.username} {args.role} {args.org or ''}".rstrip())
    return 0


def _user_list(args: argparse.Namespace, actor: Any) -> int:
    from grassroots.access.scope import Scope
    from grassroots.access.selectors import accounts

    org = _org(args.org, actor) if args.org else None
    rows = [("USER", "ACTIVE", "SUPERUSER", "ROLES", "LAST LOGIN")]
    for user in accounts(org=org, scope=Scope(actor) if actor is not None else None):
        roles = ", ".join(f"{r.kind}@{r.org.code}" if r.org is not None else f"{r.kind}:{r.member_id}"
                          for r in user.roles.all())
        last = user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "-"
        rows.append((user.username, "yes" if user.is_active else "no", "yes" if user.is_superuser else "no",
                     roles or "-", last))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(r[:4])) + "  " + r[4])
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from grassroots import backup

    try:
        if args.verb == "backup":
            written = backup.backup(args.file, overwrite=args.yes)
            print(f"backup written to {written} ({written.stat().st_size} bytes)")
        else:
            backup.restore(args.file, confirm=(lambda question: True) if args.yes else backup.ask)
            print(f"restored from {args.file}; `grassroots verify-audit` checks its audit log")
    except backup.BackupError as exc:
        raise SystemExit(f"grassroots: {exc}") from None
    return 0


def cmd_findings(args: argparse.Namespace, actor: Any) -> int:
    """`findings refresh`: compute the kept findings now (or queue them), and queue the next daily refresh.
    `findings retotal`: write every organization's totals again from the kept findings."""
    import time

    from grassroots.rules import stored

    if args.action == "retotal":
        from django.db import transaction

        from grassroots.core import audit

        started = time.monotonic()
        with transaction.atomic():  # logged with it; the audit's head moves, so kept pages are built again
            written = stored.retotal_all()
            audit.record("findings.retotalled", object_type="rules.findingtotal", object_id="*",
                         extra={"written": written})
        print(f"{written} totals written in {time.monotonic() - started:.1f} s")
        return 0
    org = _org(args.org, actor) if args.org else None
    if args.queue:
        targets = [org] if org is not None else list(stored.roots())
        queued = stored.request_refresh(o.pk for o in targets)
        print(f"{len(queued)} computations queued for the worker "
              f"({len(targets) - len(queued)} already waiting)")
        return 0
    started = time.monotonic()
    for code, n in stored.refresh(org).items():
        print(f"{code}: {n} open findings kept")
    print(f"computed in {time.monotonic() - started:.1f} s"
          + ("; the next daily refresh is queued" if stored.ensure_daily() else ""))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `grassroots stats | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    if args.verb == "serve":
        from grassroots.serve import serve

        return serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)
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
    if args.verb == "worker":
        from django.core.management import call_command

        from grassroots.serve import worker_command

        call_command(*worker_command()[3:])
        return 0
    if args.verb == "cleanup":
        from grassroots.ui.uploads import cleanup

        print(f"{cleanup()} abandoned import files deleted")
        return 0
    if args.verb in ("backup", "restore"):
        return cmd_backup(args)
    if args.verb == "verify-audit":
        from grassroots.core.audit import verify

        try:
            verdict = verify(checkpoint=args.checkpoint)
        except ValueError as exc:
            raise SystemExit(f"grassroots: {exc}") from exc
        if verdict.ok:
            print(f"audit chain intact: {verdict.count} entries"
                  + (", the checkpoint is held" if args.checkpoint else ""))
            return 0
        print(f"audit log NOT intact: {verdict.problem}")
        return 1
    if args.verb in ("verify-rollups", "rebuild-rollups", "rollup-marks"):
        return cmd_rollups(args)
    if args.verb == "audit":
        from grassroots.core.audit import checkpoint

        try:
            print(checkpoint())
        except ValueError as exc:
            print(f"audit log NOT intact, no checkpoint: {exc}")
            return 1
        return 0
    actor = _actor(getattr(args, "as_user", None))
    with acting(actor, "cli"):
        if args.verb == "user":
            from grassroots.core.errors import RuleError

            try:
                return cmd_user(args, actor)
            except RuleError as exc:  # a broken rule or a refusal: the message, no traceback
                raise SystemExit(f"grassroots: {exc.message}") from None
        if args.verb == "stats":
            return cmd_stats(args)
        if args.verb == "check":
            return cmd_check(args)
        if args.verb == "findings":
            return cmd_findings(args, actor)
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

            return cli_export(_org(args.org, actor), args.file, actor=actor, reveal=args.reveal)
    return 2


if __name__ == "__main__":
    sys.exit(main())
