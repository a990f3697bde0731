"""Messages (clinical.text): computed in one language, worded in the reader's.

No Spanish catalogue is leant on here: `fake_spanish` gives Django's own Spanish
translation object a few entries, which a message finds only if it goes through
gettext when it is read.
"""

import json
from datetime import date, timedelta

import pytest
from django.utils import translation

from checkins.models import CheckIn, Flag
from clinical.measures import PHQ9, example_answers
from clinical.reading import evaluate
from clinical.text import (
    REWORDED,
    Choice,
    Date,
    InstrumentText,
    Joined,
    Message,
    decode,
    english,
    from_dict,
)
from clinical.trends import DEFAULT_THRESHOLDS as T
from clinical.vocabulary import FlagKind
from tests.factories import answers
from tests.fake_catalogue import add_spanish

FAKE_ES = {
    "No check-in for %(weeks)d weeks; the last was the week of %(week)s.": (
        "Sin check-in desde hace %(weeks)d semanas; el último fue la semana del %(week)s."
    ),
    "Last check-in": "Último check-in",
    "%(sessions)d sessions": "%(sessions)d sesiones",
    "Answered “%(answer)s” to %(measure)s item %(number)s (“%(item)s”) in the week of %(week)s.": (
        "Respondió «%(answer)s» a la pregunta %(number)s del %(measure)s («%(item)s») la "
        "semana del %(week)s."
    ),
    "%(count)d week": "%(count)d semana",
}
FAKE_ES_PLURAL = {("%(count)d week", "%(count)d weeks"): ("%(count)d semana", "%(count)d semanas")}


@pytest.fixture
def fake_spanish(monkeypatch):
    add_spanish(monkeypatch, FAKE_ES, FAKE_ES_PLURAL)


def stopped_history() -> list[CheckIn]:
    return [
        CheckIn(week_start=date(2026, 11, 2), **answers(sessions_attended=5)),
        CheckIn(week_start=date(2026, 11, 9), **answers(sessions_attended=6)),
    ]


def test_a_message_is_translated_when_it_is_read_not_when_it_is_made(fake_spanish):
    with translation.override("en"):
        message = Message("Last check-in")
        assert str(message) == "Last check-in"
    with translation.override("es"):
        assert str(message) == "Último check-in"
    with translation.override("en"):
        assert str(message) == "Last check-in", "nothing stuck from the Spanish reading"


def test_a_finding_computed_in_english_reads_in_spanish(fake_spanish):
    with translation.override("en"):
        found = evaluate(stopped_history(), current_week=date(2026, 12, 7), t=T)
        finding = found[FlagKind.CHECKINS_STOPPED]
        english_summary = str(finding.summary)
    assert english_summary == "No check-in for 3 weeks; the last was the week of Nov 9."
    with translation.override("es"):
        # The sentence, and the date inside it, in the reader's words.
        assert str(finding.summary) == (
            "Sin check-in desde hace 3 semanas; el último fue la semana del 9 nov."
        )
        evidence = finding.evidence[0]
        assert (str(evidence.measure), str(evidence.value)) == ("Último check-in", "6 sesiones")
        # Stored words stay English whoever computed them.
        assert evidence.as_dict()["measure"] == "Last check-in"
        assert english(finding.summary) == english_summary


def test_a_stored_message_reads_the_same_after_json_and_in_each_language(fake_spanish):
    history = [
        CheckIn(week_start=date(2026, 11, 2) + timedelta(weeks=i), **answers()) for i in range(2)
    ]
    history[-1].measure_answers = {"phq9": example_answers(PHQ9, 6, safety=1)}
    with translation.override("en"):
        finding = evaluate(history, current_week=date(2026, 11, 9), t=T)[FlagKind.SAFETY_ITEM]
    stored = json.loads(json.dumps(finding.summary.as_dict()))
    assert stored["params"]["week"] == {"date": "2026-11-09"}, "the date, not its words"
    again = from_dict(stored)
    assert again == finding.summary
    for language in ("en", "es"):
        with translation.override(language):
            assert str(again) == str(finding.summary)
    with translation.override("es"):
        # The questionnaire's own published Spanish, item and answer alike.
        assert str(again) == (
            "Respondió «Varios días» a la pregunta 9 del PHQ-9 («Pensamientos de que estaría "
            "mejor muerto(a) o de lastimarse de alguna manera») la semana del 9 nov."
        )
        assert str(decode(finding.evidence[0].as_dict()["value_message"])) == "Varios días"


def test_dates_are_named_in_the_readers_locale():
    day = Date(date(2026, 12, 1))
    with translation.override("en"):
        assert str(day) == "Dec 1"
    with translation.override("es"):
        assert str(day) == "1 dic"
    assert decode(day.as_dict()) == day


def test_plurals_choose_their_form_when_read(fake_spanish):
    one = Message.ngettext("%(count)d week", "%(count)d weeks", 1, {"count": 1})
    three = from_dict(
        Message.ngettext("%(count)d week", "%(count)d weeks", 3, {"count": 3}).as_dict()
    )
    with translation.override("en"):
        assert (str(one), str(three)) == ("1 week", "3 weeks")
    with translation.override("es"):
        assert (str(one), str(three)) == ("1 semana", "3 semanas")


def test_joined_messages_and_choices_read_as_one_text():
    barriers = Joined((Choice("barrier", "time", lower=True), Choice("barrier", "money")), ", ")
    text = Message("Reported getting in the way: %(barriers)s.", {"barriers": barriers})
    both = text.join(Message("Last check-in"))
    assert str(both) == "Reported getting in the way: time, Money. Last check-in"
    assert from_dict(json.loads(json.dumps(both.as_dict()))) == both
    assert str(Choice("barrier", "retired")) == "retired", "a code since retired reads as itself"
    assert str(InstrumentText("phq9", item=1)) == PHQ9.items[0]


def test_messages_are_equal_by_what_they_store_not_by_their_words():
    assert Message("%(n)s", {"n": 1}) == Message("%(n)s", {"n": 1})
    assert Message("%(n)s", {"n": 1}) != Message("%(n)s", {"n": 2})
    assert Message("1") != "1"
    assert len({Message("a"), Message("a"), Message("b")}) == 2
    with pytest.raises(TypeError, match="Date"):
        Message("%(d)s", {"d": date(2026, 1, 5)}).as_dict()


OLD_OFF_TRACK = (
    "%(measure)s %(latest)s after %(sessions)s sessions, from %(first)s; the "
    "expected course is about %(expected)s by now."
)
NEW_OFF_TRACK = (
    "%(measure)s %(latest)s after %(sessions)s sessions, from %(first)s; a rough expected "
    "course (a heuristic from the dose-effect curve) would be about %(expected)s by now."
)


def test_a_flag_stored_under_words_since_reworded_reads_in_the_new_words(monkeypatch):
    add_spanish(monkeypatch, {NEW_OFF_TRACK: "Nuevo: %(measure)s %(latest)s (%(expected)s)."})
    params = {"measure": "PHQ-9", "latest": 17, "sessions": 8, "first": 19, "expected": "14"}
    flag = Flag(
        summary="PHQ-9 17 after 8 sessions, from 19; the expected course is about 14 by now."
    )
    flag.summary_message = {"msgid": OLD_OFF_TRACK, "params": params}
    with translation.override("en"):
        assert flag.summary_text == (
            "PHQ-9 17 after 8 sessions, from 19; a rough expected course (a heuristic from the "
            "dose-effect curve) would be about 14 by now."
        )
    with translation.override("es"):
        assert flag.summary_text == "Nuevo: PHQ-9 17 (14)."
    assert REWORDED[OLD_OFF_TRACK] == NEW_OFF_TRACK


def test_a_message_stored_under_todays_words_reads_as_stored():
    stored = {"msgid": "Last check-in"}
    assert from_dict(stored).as_dict() == stored
