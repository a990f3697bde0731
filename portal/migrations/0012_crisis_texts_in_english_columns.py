from django.db import migrations
from django.db.models import F


def english_columns(apps, schema_editor):
    """Each crisis text's English moves into its own column, where the portal reads it."""
    Practice = apps.get_model("portal", "Practice")
    CrisisContact = apps.get_model("portal", "CrisisContact")
    # Unconditionally: the new column was filled with the default text on add,
    # and a practice's own words must not give way to it.
    Practice.objects.update(crisis_help_en=F("crisis_help"))
    CrisisContact.objects.filter(name_en__isnull=True).update(
        name_en=F("name"), hours_en=F("hours")
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0011_language_and_translated_crisis_texts")]

    operations = [migrations.RunPython(english_columns, migrations.RunPython.noop)]
