"""The move of the members app's community reports: `inservice.0001` copies the old rows (accepted on their date,
the home organization from the member's period), then `members.0008` deletes the old table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import make_member
from grassroots.core.context import acting

BEFORE = [("members", "0007_member_org_name_index"), ("inservice", None)]
AFTER = [("members", "0008_delete_communityreport"), ("inservice", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_old_reports_are_copied_then_the_old_table_goes() -> None:
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        home = org_create(code="MIG-A", name="迁移支部", kind="branch", founded_on=dt.date(2000, 1, 1))
        community = org_create(code="MIG-SQ", name="迁移社区党支部", kind="branch", founded_on=dt.date(2000, 1, 1))
        member = make_member(home, name="迁移党员")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state([BEFORE[0]]).apps
        old = old_apps.get_model("members", "CommunityReport")
        old.objects.create(member_id=member.pk, community_org_id=community.pk, date=dt.date(2019, 3, 1), first=True,
                           activities="报到")
        old.objects.create(member_id=member.pk, community_org_id=community.pk, date=dt.date(2019, 9, 1),
                           activities="垃圾分类宣传")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from grassroots.inservice.models import Report

    rows: list[Any] = list(Report.objects.order_by("date").values_list(
        "member_id", "community_org_id", "home_org_id", "date", "first", "state", "decided_on", "activities"))
    assert rows == [
        (member.pk, community.pk, home.pk, dt.date(2019, 3, 1), True, "accepted", dt.date(2019, 3, 1), "报到"),
        (member.pk, community.pk, home.pk, dt.date(2019, 9, 1), False, "accepted", dt.date(2019, 9, 1), "垃圾分类宣传")]
    assert "members_communityreport" not in connection.introspection.table_names()
