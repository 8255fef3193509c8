"""Fill the rollups of an existing database from its organization states and members' periods (issue 16).

It calls `members.rollups.rebuild`, the code `grassroots rebuild-rollups` runs, which writes through raw SQL and the
current models: should a later migration change the rollup tables, this one must then be replaced by a copy of
the SQL of its time (or by `grassroots rebuild-rollups` after migrating)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from grassroots.members import rollups

    if apps.get_model("orgs", "OrgState").objects.using(schema_editor.connection.alias).exists():
        rollups.rebuild()


class Migration(migrations.Migration):
    dependencies = [("members", "0005_rollups"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
