from django.db import migrations


def load_advice(apps, schema_editor):
    """Create the starting advice pieces; edits made later in the admin survive a re-run."""
    from guidance.content import load_advice as load

    load(apps.get_model("guidance", "Advice"))


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]

    operations = [migrations.RunPython(load_advice, migrations.RunPython.noop)]
