"""The audit head names the newest entry by its number and time too; on PostgreSQL a trigger refuses UPDATE and
DELETE on the audit log (TRUNCATE, which the test database's flush uses, is not refused)."""

from typing import Any

from django.db import migrations, models

TABLE = "core_auditentry"

CREATE = [
    """CREATE OR REPLACE FUNCTION grassroots_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER grassroots_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION grassroots_audit_append_only()""",
]

DROP = [
    f"DROP TRIGGER IF EXISTS grassroots_audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS grassroots_audit_append_only()",
]


def fill_head(apps: Any, schema_editor: Any) -> None:
    head_model = apps.get_model("core", "AuditHead")
    entry_model = apps.get_model("core", "AuditEntry")
    last = entry_model.objects.order_by("-id").first()
    head_model.objects.filter(pk=1).update(count=entry_model.objects.count(),
                                           last_at=last.at if last is not None else None)


def trigger(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="count",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="audithead",
            name="last_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_head, migrations.RunPython.noop),
        migrations.RunPython(trigger(CREATE), trigger(DROP)),
    ]
