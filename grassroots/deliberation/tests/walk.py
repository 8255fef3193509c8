"""What the permission walk needs to know about deliberation: the words before their `<pk>`, and a body with its
seats, a meeting by seat with a vote, a topic and a path case, inside branch A and inside branch C (made once per
cast, through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {
    "deliberation-bodies": "deliberation_body", "deliberation-seats": "deliberation_seat",
    "deliberation-meetings": "deliberation_meeting", "deliberation-topics": "deliberation_topic",
    "deliberation-cases": "deliberation_case", "deliberation-votes": "deliberation_vote",
}

PUBLIC_URL_NAMES = {
    "public-topics": "the station's deliberation topics: titles and consultation periods only",
    "public-topic": "a topic on the station's pages: its text, period and number of opinions, and a form for one; "
                    "no name or contact is shown",
}
def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.core.context import acting
    from grassroots.deliberation import services as s

    made: dict[str, dict[str, Any]] = {}
    with acting(None, "system"):
        for side, org in (("a", cast.branch_a), ("c", cast.branch_c)):
            body = s.body_create(org=org, kind="reps", name=f"走访代表会议{side}", set_up_on=dt.date(2024, 1, 2))
            seat = s.seat_add(body=body, name=f"走访代表{side}", from_on=dt.date(2024, 1, 2))
            bm = s.meeting_record(org=org, kind="reps_meeting", date=dt.date(2024, 2, 1), topic=f"走访议事{side}",
                                  body=body, attendance={seat.pk: "present"})
            vote = s.vote_record(meeting=bm.meeting, question=f"走访表决{side}", yes=1, no=0, abstain=0)
            topic = s.topic_create(org=org, title=f"走访议题{side}", opens_on=dt.date(2024, 1, 2),
                                   closes_on=dt.date(2024, 2, 2))
            case = s.case_create(org=org, title=f"走访事项{side}", opened_on=dt.date(2024, 1, 2))
            made[side] = {"deliberation_body": body, "deliberation_seat": seat, "deliberation_meeting": bm.meeting,
                          "deliberation_topic": topic, "deliberation_case": case, "deliberation_vote": vote}
    return made
