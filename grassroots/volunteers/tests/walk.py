"""What the permission walk needs to know about volunteer service: the words before its `<pk>`s, and an object
of each kind inside branch A and inside branch C (made once per cast, through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

COLLECTIONS = {
    "teams": "volunteer_team", "people": "volunteer", "activities": "volunteer_activity",
    "certificates": "volunteer_certificate", "participations": "volunteer_participation",
    "reports": "volunteer_report", "corrections": "volunteer_correction",
}

PHONES = {"a": "13711112222", "c": "13733334444"}


def _at(y: int, m: int, d: int, h: int) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=timezone.get_current_timezone())


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.core import idnumber
    from grassroots.volunteers import services as s

    out: dict[str, dict[str, Any]] = {}
    for key, org, seq in (("a", cast.branch_a, 401), ("c", cast.branch_c, 402)):
        team = s.team_create(org, code=f"WALK{key}", name=f"走访志愿队{key}")
        resident = s.volunteer_register(org, name=f"居民志愿者{key}", id_number=idnumber.make(
            "530522", dt.date(1966, 1, 2), seq), phone=PHONES[key], registered_on=dt.date(2019, 1, 2))
        activity = s.activity_create(team, title=f"走访活动{key}", starts_at=_at(2019, 6, 1, 9),
                                     ends_at=_at(2019, 6, 1, 11))
        p = s.mark_attendance(s.sign_up(activity, resident), present=True)
        p = s.confirm_hours(p, on=dt.date(2019, 6, 2))
        report = s.report_hours(resident, day=dt.date(2019, 6, 3), hours="1", content="走访", today=dt.date(2019, 7, 1))
        correction = s.request_correction(resident, participation=p, hours="2.5", reason="布置场地",
                                          on=dt.date(2019, 6, 4))
        certificate = s.issue_certificate(resident, period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 30),
                                          person_in_charge="书记", handler="干事", contact="0871-1",
                                          on=dt.date(2019, 7, 1))
        out[key] = {"volunteer_team": team, "volunteer": resident, "volunteer_activity": activity,
                    "volunteer_participation": p, "volunteer_report": report, "volunteer_correction": correction,
                    "volunteer_certificate": certificate}
    return out


def forbidden(cast: Any) -> list[str]:
    """No GET shows a resident volunteer's full phone or document number (a reveal is a POST)."""
    from grassroots.core import idnumber

    return list(PHONES.values()) + [idnumber.make("530522", dt.date(1966, 1, 2), seq) for seq in (401, 402)]
