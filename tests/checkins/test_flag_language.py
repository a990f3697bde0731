"""A flag is worded in the language of whoever reads it, not of whoever (or
whatever: a submit, the nightly recompute) computed it. Spanish here comes from
a few fake entries (tests.fake_catalogue), not from a catalogue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from checkins.agenda import add_item, mark_talked_about, record_answers
from checkins.dashboard import caseload_rows, row_cache_key
from checkins.models import AgendaOutcome, Flag, FlagKind, week_start_for
from checkins.services import recompute_flags, submit_checkin
from tests.factories import MIDWEEK, answers, checkin_history
from tests.fake_catalogue import add_spanish

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK

DISCOMFORT_ES = "Incomodidad con usted valorada en %(rating)d/4."


@pytest.fixture
def fake_spanish(monkeypatch):
    add_spanish(
        monkeypatch,
        {
            "Discomfort with you rated %(rating)d/4.": DISCOMFORT_ES,
            "Discomfort": "Incomodidad",
            "After talking about “%(topic)s”": "Después de hablar de «%(topic)s»",
            "how sessions have felt": "cómo se han sentido las sesiones",
        },
    )


def discomfort_flag(client) -> Flag:
    return Flag.objects.active().get(client=client, kind=FlagKind.DISCOMFORT)


def test_a_flag_computed_in_english_reads_in_spanish(client_a, fake_spanish):
    with translation.override("en"):
        submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
    flag = discomfort_flag(client_a)
    with translation.override("es"):
        assert flag.summary_text == "Incomodidad con usted valorada en 4/4."
        assert flag.evidence_lines == ["Incomodidad: 4/4 (16 nov)"]
    with translation.override("en"):
        assert flag.summary_text == "Discomfort with you rated 4/4."
        assert flag.evidence_lines == ["Discomfort: 4/4 (Nov 16)"]


def test_a_flag_computed_in_spanish_is_stored_in_english(client_a, fake_spanish):
    with translation.override("es"):
        submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
    flag = discomfort_flag(client_a)
    assert flag.summary == "Discomfort with you rated 4/4.", "for the admin list and search"
    assert flag.summary_message == {
        "msgid": "Discomfort with you rated %(rating)d/4.",
        "params": {"rating": 4},
    }
    assert flag.evidence[-1]["measure"] == "Discomfort"
    assert flag.evidence[-1]["measure_message"] == {"msgid": "Discomfort"}


def test_the_pages_word_the_flag_in_the_therapists_language(
    client, therapist, client_a, fake_spanish
):
    with translation.override("en"):
        checkin_history(client_a, [{"discomfort": 1}, {"discomfort": 4}])
    therapist.language = "es"
    therapist.save()
    client.force_login(therapist)
    for page in (
        client.get(reverse("caseload")),
        client.get(reverse("client_detail", args=[client_a.public_id])),
        client.get(reverse("session_prep", args=[client_a.public_id])),
    ):
        assert "Incomodidad con usted valorada en 4/4." in page.text
        assert "Discomfort with you rated" not in page.text
    detail = client.get(reverse("client_detail", args=[client_a.public_id]))
    assert "Incomodidad: 1/4" in detail.text, "the evidence too"


def test_a_flag_stored_before_messages_shows_its_stored_words(client_a, fake_spanish):
    old = Flag.objects.create(
        client=client_a,
        kind=FlagKind.DISCOMFORT,
        severity=3,
        score=4.0,
        summary="Discomfort with you rated 4/4.",
        evidence=[{"week": "2026-11-16", "measure": "Discomfort", "value": "4/4"}],
    )
    old.refresh_from_db()
    assert old.summary_message == {}
    with translation.override("es"):
        assert old.summary_text == "Discomfort with you rated 4/4."
        assert old.evidence_lines == ["Discomfort: 4/4 (16 nov)"]


def test_a_message_that_no_longer_reads_falls_back_to_the_stored_words(client_a):
    flag = Flag(
        summary="Stored words.",
        summary_message={"msgid": "%(gone)s", "params": {"renamed": 1}},
        evidence=[
            {"week": "2026-11-16", "measure": "M", "value": "V", "measure_message": {"x": 1}}
        ],
    )
    assert flag.summary_text == "Stored words."
    assert flag.evidence_lines == ["M: V (Nov 16)"]


def test_recomputing_compares_messages_not_words(client_a, fake_spanish):
    with translation.override("en"):
        submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
    flag = discomfort_flag(client_a)
    versions = flag.history.count()
    # The same finding, computed while Spanish is active: nothing changed.
    with translation.override("es"):
        recompute_flags(client=client_a, now=NOW)
    assert flag.history.count() == versions, "an unchanged flag is not rewritten"
    # A flag stored before messages gets one at its next recompute.
    Flag.objects.filter(pk=flag.pk).update(summary_message={})
    recompute_flags(client=client_a, now=NOW)
    flag.refresh_from_db()
    assert flag.summary_message["msgid"] == "Discomfort with you rated %(rating)d/4."
    # A changed message is written, with its English words.
    submit_checkin(client=client_a, data=answers(discomfort=3), now=NOW)
    flag.refresh_from_db()
    assert flag.summary_message["params"] == {"rating": 3}
    assert flag.summary == "Discomfort with you rated 3/4."


def test_the_dashboard_row_is_drawn_again_when_a_flag_s_message_changes(therapist, client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
    [row] = caseload_rows(therapist, now=NOW)
    before = row_cache_key(row)
    [flag] = row.flags
    flag.summary_message = {**flag.summary_message, "params": {"rating": 3}}
    assert row_cache_key(row) != before


def test_an_agenda_follow_up_reads_in_the_readers_language(client_a, therapist, fake_spanish):
    with translation.override("en"):
        submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
        item = add_item(client=client_a, flag=discomfort_flag(client_a))
        mark_talked_about(item=item, by=therapist)
        next_week = week_start_for(NOW + timedelta(weeks=1), client_a.tz)
        record_answers(client=client_a, answers={item.pk: AgendaOutcome.NOT_REALLY}, week=next_week)
    flag = discomfort_flag(client_a)
    with translation.override("en"):
        assert (
            flag.evidence_lines[-1]
            == "After talking about “how sessions have felt”: Not really (Nov 23)"
        )
    with translation.override("es"):
        assert flag.evidence_lines[-1].startswith(
            "Después de hablar de «cómo se han sentido las sesiones»:"
        )
