"""A flag's summary as a message (clinical.text), worded in each reader's language.

Flags stored before it keep an empty message and show their stored summary until
their next recompute writes one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0008_outcome_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="flag",
            name="summary_message",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="historicalflag",
            name="summary_message",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
