import hashlib

from django.db import migrations

# The bodies these pieces had before their research claims were credited to
# the research, by hash: a piece whose body still matches was never edited in
# the admin and takes the new text; an edited piece is left as it is.
PREVIOUS_BODIES = {
    "hard-sessions-vs-decline": "3e90bf933ea901ee",
    "therapist-alliance-rupture": "0e9990750a51bef4",
    "therapist-homework-falling-off": "1eb34f052fe7bcf1",
    "therapist-no-improvement": "2dbdbe248af9740f",
    "therapist-deterioration": "6b53718c0931d172",
    "therapist-barriers": "36431e8dcd0cf673",
}


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def update_advice(apps, schema_editor):
    from guidance.content import ADVICE, load_advice

    Advice = apps.get_model("guidance", "Advice")
    for piece in ADVICE:
        advice = Advice.objects.filter(key=piece["key"]).first()
        if advice is None:
            continue
        unedited = advice.body == piece["body"] or (
            _hash(advice.body) == PREVIOUS_BODIES.get(piece["key"])
        )
        if unedited:
            advice.title = piece["title"]
            advice.body = piece["body"]
            advice.questions = "\n".join(piece["questions"])
            advice.research = piece["research"]
            advice.save()
    load_advice(Advice)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0003_advice_research")]

    operations = [migrations.RunPython(update_advice, migrations.RunPython.noop)]
