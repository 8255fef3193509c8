"""The posts panel of the dashboard: per kind, the seats held on the frame's day against the seats of the posts whose
term covers it (`selectors.seats_by_kind`), each figure linking to the posts list of that kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url, rate

from . import selectors


def posts(frame: DashboardFrame) -> dict[str, Any] | None:
    org, as_of = frame.org, frame.as_of
    by_kind = selectors.seats_by_kind(org, as_of, readable=list(frame.readable))
    if not by_kind:
        return None
    rows = [{"kind": k.kind, "posts": k.posts, "seats": k.seats, "claimed": k.claimed, "free": k.free,
             "rate": rate(Decimal(k.claimed), Decimal(k.seats)), "url": figure_url("post-list", org.code, "posts", kind=k.kind,
                                                                 year=frame.year)} for k in by_kind]
    seats = sum(k.seats for k in by_kind)
    claimed = sum(k.claimed for k in by_kind)
    total = {"posts": sum(k.posts for k in by_kind), "seats": seats, "claimed": claimed,
             "free": sum(k.free for k in by_kind), "rate": rate(Decimal(claimed), Decimal(seats)),
             "url": figure_url("post-list", org.code, "posts", year=frame.year)}
    chart = {"kind": "columns", "labels": [r["kind"] for r in rows],
             "series": [{"name": _("Seats"), "data": [{"value": r["seats"], "url": r["url"]} for r in rows]},
                        {"name": _("Claimed"), "data": [{"value": r["claimed"], "url": r["url"]} for r in rows]}]}
    return {"rows": rows, "total": total, "chart": chart}
