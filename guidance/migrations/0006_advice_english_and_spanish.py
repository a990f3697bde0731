from django.db import migrations
from django.db.models import F


def english_and_spanish(apps, schema_editor):
    """The English text moves into its own column; the Spanish text of the
    portal's own pieces is filled in where none was written."""
    from guidance.content import load_spanish

    Advice = apps.get_model("guidance", "Advice")
    Advice.objects.filter(title_en__isnull=True).update(
        title_en=F("title"), body_en=F("body"), questions_en=F("questions")
    )
    load_spanish(Advice)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0005_advice_translated_texts")]

    operations = [migrations.RunPython(english_and_spanish, migrations.RunPython.noop)]
