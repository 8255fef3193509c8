"""The kept findings' totals per organization, kind and state (issue 16), filled from the kept rows.

The backfill calls `rules.stored.retotal_all`, what `grassroots findings retotal` runs, with the current models:
should a later migration change these tables, this one must then be replaced by a copy of the code of its time
(or by `grassroots findings retotal` after migrating)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    from grassroots.rules import stored

    if apps.get_model("rules", "StoredFinding").objects.using(schema_editor.connection.alias).exists():
        stored.retotal_all()


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0004_recorded_by'),
        ('rules', '0001_stored_findings'),
    ]

    operations = [
        migrations.CreateModel(
            name='FindingTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=100)),
                ('state', models.CharField(max_length=12)),
                ('cite', models.CharField(max_length=120)),
                ('subtree', models.PositiveIntegerField(default=0)),
                ('own', models.PositiveIntegerField(default=0)),
                ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organization')),
            ],
            options={
                'verbose_name': 'finding total',
                'verbose_name_plural': 'finding totals',
                'constraints': [models.UniqueConstraint(fields=('org', 'kind', 'state'), name='rules_total_org_kind_state')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
