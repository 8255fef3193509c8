"""What the permission walk needs to know about joint meetings: the words before their `<pk>`, and a body with a
member unit, a meeting with its attendance and a decision, and a task, inside branch A and inside branch C (made
once per cast, through the services; the units directly, as cobuild's unit services land later)."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {
    "joint-bodies": "joint_body", "joint-memberships": "joint_membership", "joint-meetings": "joint_session",
    "joint-decisions": "joint_decision", "joint-tasks": "joint_task",
    "of-meeting": "joint_meeting_record",  # the meetings module's meeting of a joint meeting
}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.cobuild.models import ResidentUnit
    from grassroots.core.context import acting
    from grassroots.joint import services as s

    made: dict[str, dict[str, Any]] = {}
    with acting(None, "system"):
        for side, org in (("a", cast.branch_a), ("c", cast.branch_c)):
            unit = ResidentUnit.objects.create(org=org, name=f"走访联席单位{side}", kind="institution")
            body = s.body_create(org=org, name=f"走访联席会议{side}", set_up_on=dt.date(2024, 1, 2))
            membership = s.membership_add(body=body, unit=unit, joined_on=dt.date(2024, 1, 2))
            session = s.session_record(body=body, date=dt.date(2024, 2, 1), topic=f"走访议事{side}",
                                       attendance={unit.pk: "present"}, decisions=[f"走访决定{side}"])
            decision = session.decisions.get()
            task = s.task_create(decision=decision, title=f"走访任务{side}", unit=unit, due_on=dt.date(2024, 3, 1))
            made[side] = {"joint_body": body, "joint_membership": membership, "joint_session": session,
                          "joint_decision": decision, "joint_task": task, "joint_meeting_record": session.meeting}
    return made
