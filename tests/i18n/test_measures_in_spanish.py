"""The PHQ-9 and GAD-7 in their published Spanish, scored exactly as in English."""

import pytest
from django.urls import reverse

from clinical.measures import GAD7, INSTRUMENTS, PHQ9, band, total


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=INSTRUMENTS.keys())
def test_the_spanish_wording_matches_the_english_item_for_item(instrument):
    spanish = instrument.in_language("es")
    assert spanish.items != instrument.items
    assert len(spanish.items) == len(instrument.items)
    assert [o.value for o in spanish.options] == [o.value for o in instrument.options]
    assert [(b.low, b.high) for b in spanish.bands] == [(b.low, b.high) for b in instrument.bands]
    assert spanish.key == instrument.key
    assert (spanish.cutoff, spanish.reliable_change) == (
        instrument.cutoff,
        instrument.reliable_change,
    )
    assert "Pfizer" in spanish.source, "names its source"
    answers = [2] * len(instrument.items)
    assert total(spanish, answers) == total(instrument, answers)


# The footers of Pfizer's forms, word for word: the Spanish for the USA forms
# of both questionnaires share theirs, as the English forms share theirs.
FOOTER_EN = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
FOOTER_ES = (
    "Desarrollado por los Doctores Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke y "
    "colegas, con una beca educativa otorgada por Pfizer Inc. No se requiere permiso para "
    "reproducir, traducir, presentar o distribuir."
)


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
def test_the_source_line_is_the_published_footer_word_for_word(instrument):
    assert instrument.source == FOOTER_EN
    assert instrument.in_language("es").source == FOOTER_ES


def test_a_language_without_a_published_version_gets_the_english():
    assert PHQ9.in_language("fr") is PHQ9
    assert PHQ9.in_language("en") is PHQ9
    assert PHQ9.in_language("es-US").items == PHQ9.in_language("es").items


def test_spanish_bands_name_the_same_ranges():
    assert band(PHQ9.in_language("es"), 12).label == "Moderada"
    assert band(GAD7.in_language("es"), 16).label == "Severa"


def test_a_spanish_reader_answers_the_spanish_questionnaire(client, client_a):
    client_a.language = "es"
    client_a.save()
    client.force_login(client_a)
    page = client.get(reverse("checkin")).text
    spanish = PHQ9.in_language("es")
    assert spanish.items[8] in page
    assert spanish.instructions in page
    assert spanish.source in page
    assert PHQ9.items[0] not in page
