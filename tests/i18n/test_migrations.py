"""Moving to two languages keeps every practice's own words."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("portal", "0010_clinical_lead")]
AFTER = [("portal", "0012_crisis_texts_in_english_columns")]


@pytest.mark.django_db(transaction=True)
def test_a_practice_s_own_crisis_text_survives_the_move_to_two_languages():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        old.get_model("portal", "Practice").objects.create(
            name="Clinic in Leeds", crisis_help="In the UK, call Samaritans on 116 123."
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = MigrationExecutor(connection).loader.project_state(AFTER).apps
        practice = new.get_model("portal", "Practice").objects.get(name="Clinic in Leeds")
        assert practice.crisis_help_en == "In the UK, call Samaritans on 116 123."
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_the_shipped_spanish_never_covers_a_practice_s_own_english(db):
    from guidance.content import load_spanish
    from guidance.content_es import ADVICE_ES
    from guidance.models import Advice

    key = "timeline-too-early"
    Advice.objects.filter(key=key).update(title_en="Our own words", title_es="", body_es="")
    load_spanish(Advice)
    advice = Advice.objects.get(key=key)
    assert advice.title_es == "", "their English stands in until they write Spanish"
    assert advice.body_es == ADVICE_ES[key]["body"], "an unedited field gets the Spanish"
