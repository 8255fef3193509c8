from django.db import migrations


class Migration(migrations.Migration):
    """One spelling for who typed a record in and when (core.models.Recorded)."""

    dependencies = [("meetings", "0001_initial")]

    operations = [
        migrations.RenameField("meeting", "entered_by", "recorded_by"),
        migrations.RenameField("meeting", "entered_at", "recorded_at"),
    ]
