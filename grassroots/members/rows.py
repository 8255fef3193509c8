"""Finding the member a spreadsheet row names, for every importer that takes rows about members (dues, commitments,
points, posts): by ID number (GB 11643, as typed: a leading apostrophe, spaces, a lower-case x are forgiven), within
what the importing user may change and, when given, within one organization's subtree; the row's name, if any, must
be that member's. Errors name the row's column."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.core import idnumber
from grassroots.core.sheets import Row
from grassroots.orgs.models import Organization

from .models import Member


def member_of_row(row: Row, scope: Any, within: Organization | None = None, *, id_column: str = "id_number",
                  name_column: str = "name") -> Member | None:
    """The member whose ID number is in `id_column`, among those `scope` may change (and under `within`), or None
    with the error on the row."""
    text = row.text(id_column).lstrip("'")
    if not text:
        row.error(id_column, _("this cell is required"))
        return None
    try:
        number = idnumber.validate(text)
    except idnumber.IDNumberError as exc:
        row.error(id_column, str(exc))
        return None
    members = scope.members(write=True).filter(id_number=number)
    if within is not None:
        members = members.filter(org__path__startswith=within.path)
    member = members.select_related("org").first()
    if member is None:
        if within is not None:
            row.error(id_column, _("no member with this ID number in %(org)s") % {"org": within.name})
        else:
            row.error(id_column, _("no member with this ID number in the organizations you may change"))
        return None
    name = row.plain(name_column, max_length=50)
    if name is not None and name != member.name:
        row.error(name_column, _("the member with this ID number is %(name)s") % {"name": member.name})
    return member
