"""Export members to .xlsx with the import's Chinese headers.

By default ID numbers and phones are masked as the pages mask them. With `reveal` the export carries them in
full, so that it re-imports unchanged: that is refused unless the scope may reveal every member's, and the
export is then written to the audit log as a reveal (`member.export_reveal`, how many members, of which
organization). Each export leaves one audit entry naming how many members it held. Cells are written through
`grassroots.ui.xlsx.put`, so a name such as `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import io
import os
import sys
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.access.scope import Scope
from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.idnumber import mask, mask_phone
from grassroots.orgs.models import Organization
from grassroots.ui import xlsx

from . import headers
from .models import Member
from .selectors import current_members

SHEET_TITLE = "党员名册"
_TEXT_FIELDS = ("id_number", "phone", "org_code", "party_group_code")
_DATE_FIELDS = ("birth_date", "joined_on", "converted_on")
_WIDTHS = {"name": 10, "id_number": 22, "org_code": 14, "phone": 15, "party_group_code": 12, "occupation": 20}


def _new_sheet() -> tuple[Any, Any]:
    from openpyxl.styles import Font

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    for idx, col in enumerate(headers.COLUMNS, start=1):
        cell = xlsx.put(ws, 1, idx, col.zh)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = _WIDTHS.get(col.field, 12)
    ws.freeze_panes = "A2"
    return wb, ws


def _cells(member: Member, *, reveal: bool) -> dict[str, Any]:
    return {
        "name": member.name,
        "sex": headers.zh_label("sex", member.sex),
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date,
        "id_number": member.id_number if reveal else mask(member.id_number),
        "education": headers.zh_label("education", member.education),
        "occupation": headers.zh_label("occupation", member.occupation),
        "status": headers.zh_label("status", member.status),
        "joined_on": member.joined_on,
        "converted_on": member.converted_on,
        "org_code": member.org.code if member.org else "",
        "phone": member.phone if reveal else mask_phone(member.phone),
        "party_group_code": member.party_group.code if member.party_group else "",
    }


def _write_row(ws: Any, number: int, values: dict[str, Any]) -> None:
    for idx, col in enumerate(headers.COLUMNS, start=1):
        value = values.get(col.field)
        cell = xlsx.put(ws, number, idx, value if value not in (None, "") else None)
        if col.field in _TEXT_FIELDS:
            cell.number_format = "@"  # keep ID numbers and phones as text when the sheet is edited
        elif col.field in _DATE_FIELDS:
            cell.number_format = "yyyy-mm-dd"


def export_members(org: Organization, path_or_fileobj: str | os.PathLike[str] | IO[bytes], *,
                   scope: Scope, reveal: bool = False) -> int:
    """Write today's members of org's subtree that `scope` may read, ID numbers and phones masked unless
    `reveal` (refused unless the scope may reveal every one; logged as a reveal); return how many."""
    if not scope.can_read_org(org):
        raise PermissionDeniedError(_("you may not see %(org)s") % {"org": org})
    members = list(current_members(org).filter(pk__in=scope.members().values("pk"))
                   .select_related("org", "party_group"))
    if reveal:
        hidden = [m for m in members if not scope.can_reveal(m)]
        if hidden:
            raise PermissionDeniedError(
                _("you may not see the full ID numbers and phones of %(n)d of these members; export without "
                  "--reveal to get them masked") % {"n": len(hidden)})
    wb, ws = _new_sheet()
    for number, member in enumerate(members, start=2):
        _write_row(ws, number, _cells(member, reveal=reveal))
    wb.save(path_or_fileobj)
    extra = {"count": len(members), "org": org.code, "revealed": reveal}
    with transaction.atomic():
        audit.record("member.export_reveal" if reveal else "member.export", org, org_id=org.pk, extra=extra)
    return len(members)


def template_xlsx() -> bytes:
    """An empty import template with the Chinese headers, and a second sheet listing accepted values."""
    wb, ws = _new_sheet()
    for idx, col in enumerate(headers.COLUMNS, start=1):
        if col.field in _TEXT_FIELDS:
            for number in range(2, 202):
                ws.cell(row=number, column=idx).number_format = "@"
    notes = wb.create_sheet(_("Notes"))
    xlsx.append(notes, [_("Column"), _("Required"), _("Accepted values")])
    accepted = {
        "birth_date": _("may be blank: taken from the ID number"),
        "status": "正式党员、预备党员: " + _("may be blank: full when a conversion date is given"),
        "joined_on": "2019-12-31, 2019/12/31, 2019.12.31, 2019年12月31日",
        "converted_on": "2019-12-31, 2019/12/31, 2019.12.31, 2019年12月31日",
        "org_code": _("the organization's code or its exact current name"),
        "party_group_code": _("the party group's code or name"),
    }
    for field in ("sex", "education", "occupation"):  # every label the import accepts, the export's first
        accepted[field] = "；".join(f"{names[0]}（{'、'.join(names[1:])}）" if names[1:] else names[0]
                                   for names in headers.ZH_LABELS[field].values())
    for col in headers.COLUMNS:
        xlsx.append(notes, [col.zh, _("yes") if col.required else "", accepted.get(col.field, "")])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cli_export(org: Organization, path: str | os.PathLike[str], *, actor: Any, reveal: bool = False) -> int:
    """The `grassroots export members` verb: 0 when written, 1 when refused. Masked unless `reveal`, which
    needs a named user (`--as`) who may reveal every member's numbers: a reveal is always someone's."""
    if reveal and actor is None:
        print(_("--reveal needs --as USER, a user whose role may reveal ID numbers"), file=sys.stderr)
        return 1
    with acting(actor, "cli"):
        try:
            count = export_members(org, path, scope=Scope(actor), reveal=reveal)
        except RuleError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    print(_("exported %(n)d members of %(org)s to %(path)s") % {"n": count, "org": org, "path": os.fspath(path)})
    return 0
