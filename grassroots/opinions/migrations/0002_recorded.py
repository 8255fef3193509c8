from django.db import migrations


class Migration(migrations.Migration):
    """One spelling for who typed a record in and when (core.models.Recorded)."""

    dependencies = [("opinions", "0001_initial")]

    operations = [
        migrations.RenameField("opinion", "entered_by", "recorded_by"),
        migrations.RenameField("opinion", "received_at", "recorded_at"),
    ]
