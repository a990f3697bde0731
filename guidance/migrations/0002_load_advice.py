from django.db import migrations


def load_advice(apps, schema_editor):
    """Create the starting advice pieces that do not exist yet.

    Pieces already in the database are left alone, so edits made in the admin
    survive a re-run.
    """
    from guidance.content import ADVICE

    Advice = apps.get_model("guidance", "Advice")
    for piece in ADVICE:
        Advice.objects.get_or_create(
            key=piece["key"],
            defaults={
                "title": piece["title"],
                "body": piece["body"],
                "audience": piece["audience"],
                "source": piece["source"],
                "questions": "\n".join(piece["questions"]),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]

    operations = [migrations.RunPython(load_advice, migrations.RunPython.noop)]
