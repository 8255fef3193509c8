"""Every territory recorded before its history was kept gets an opening state from its current values: its name,
kind, parent and path, held through the organizations whose own place it is, since before the records
(valid_from NULL)."""

from typing import Any

from django.db import migrations

STEPLEN = 4  # treebeard's MP_Node.steplen, which Territory keeps


def opening_states(apps: Any, schema_editor: Any) -> None:
    Territory = apps.get_model("orgs", "Territory")
    TerritoryState = apps.get_model("orgs", "TerritoryState")
    by_path = {t.path: t for t in Territory.objects.all()}
    has_state = set(TerritoryState.objects.values_list("territory_id", flat=True))
    TerritoryState.objects.bulk_create([
        TerritoryState(territory=t, valid_from=None, valid_to=t.revoked_on, name=t.name, kind=t.kind,
                       parent=by_path.get(t.path[:-STEPLEN]) if len(t.path) > STEPLEN else None, path=t.path)
        for t in by_path.values() if t.pk not in has_state
    ])


def drop_opening_states(apps: Any, schema_editor: Any) -> None:
    apps.get_model("orgs", "TerritoryState").objects.filter(valid_from__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_territory_history")]

    operations = [migrations.RunPython(opening_states, drop_opening_states)]
