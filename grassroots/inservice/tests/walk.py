"""What the permission walk needs to know about in-service members' reports: the word before their `<pk>`, and a
report inside street S (a member of A reporting to branch B) and one inside street X (a member of C reporting to
a community branch of X), made once per cast through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"inservice": "inservice_report"}

PHONES = {"a": "13722223333", "c": "13744445555"}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.inservice import services
    from grassroots.orgs.services import org_create

    community_s = org_create(code="WALK-SQS", name="和平幸福社区党支部", kind="branch", founded_on=dt.date(2010, 1, 1),
                             parent=cast.general)
    community_x = org_create(code="WALK-SQX", name="外街幸福社区党支部", kind="branch", founded_on=dt.date(2010, 1, 1),
                             parent=cast.other_street)
    out: dict[str, dict[str, Any]] = {}
    for key, member, community in (("a", cast.member_a2, community_s), ("c", cast.member_c, community_x)):
        r = services.report(member, community_org=community, on=dt.date(2019, 3, 1), phone=PHONES[key],
                            skills="维修")
        r = services.accept(r, on=dt.date(2019, 3, 2), version=r.version)
        services.log_service(r, day=dt.date(2019, 3, 5), activity="清扫", hours="1", evaluation="good",
                             logged_on=dt.date(2019, 3, 5))
        out[key] = {"inservice_report": r}
    return out


def forbidden(cast: Any) -> list[str]:
    """No GET shows a report's full phone (a reveal is a POST)."""
    return list(PHONES.values())
