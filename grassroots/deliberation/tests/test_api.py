"""The deliberation API: lists from the scope, a vote recorded through the service (counted by the rules), 400
naming the field, 404 outside the scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.ui.testing import client_as, post, results

from .conftest import meeting_with


def test_lists_are_scoped_and_a_vote_is_counted(cast: Any, world: Any) -> None:
    bm = meeting_with(world, dt.date(2024, 3, 1), 6)
    client = client_as(cast, "secretary")
    bodies = results(client.get("/api/deliberation-bodies/?org=A"))
    assert [b["name"] for b in bodies] == ["东风社区居民代表会议"] and len(bodies[0]["seats"]) == 9
    response = post(client, "/api/deliberation-votes/", {"meeting": bm.meeting_id, "question": "方案", "yes": 4,
                                                         "no": 2, "abstain": 0})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["entitled"], body["present"], body["quorate"], body["passed"], body["rule"]) == \
        (9, 6, True, True, "deliberation.reps_meeting@2010")
    response = post(client, "/api/deliberation-votes/", {"meeting": bm.meeting_id, "question": "秘密", "yes": 4,
                                                         "no": 2, "abstain": 0, "secret": True, "issued": 6,
                                                         "returned": 6, "void": 1})
    assert response.status_code == 400 and response.json()["field"] == "void"
    assert [v["question"] for v in results(client.get("/api/deliberation-votes/?org=A"))] == ["方案"]
    outsider = client_as(cast, "outsider")
    assert results(outsider.get("/api/deliberation-votes/")) == []
    assert outsider.get(f"/api/deliberation-bodies/{world.body.pk}/").status_code == 404
    response = post(outsider, "/api/deliberation-votes/", {"meeting": bm.meeting_id, "question": "x", "yes": 1,
                                                           "no": 0, "abstain": 0})
    assert response.status_code == 404
    assert client.get("/api/deliberation-cases/?org=C").status_code == 404
    assert results(client.get("/api/deliberation-topics/?org=A")) == []
