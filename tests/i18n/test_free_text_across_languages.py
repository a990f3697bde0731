"""A therapist reading English sees a Spanish-speaking client's words as written,
with their language named; nothing is translated behind anyone's back."""

from django.urls import reverse

from checkins.agenda import add_item
from tests.factories import ClientFactory


def test_the_client_s_words_are_shown_as_written_with_their_language(client, therapist):
    reader = ClientFactory(therapist=therapist, language="es")
    add_item(client=reader, text="Me cuesta decir cuándo una sesión me molesta.")
    client.force_login(therapist)
    for page in ("client_detail", "session_prep"):
        text = client.get(reverse(page, args=[reader.public_id])).text
        assert "Me cuesta decir cuándo una sesión me molesta." in text
        assert "(written in Spanish)" in text
        assert 'lang="es"' in text


def test_no_language_is_named_when_reader_and_writer_share_it(client, therapist):
    reader = ClientFactory(therapist=therapist)
    add_item(client=reader, text="My sleep")
    client.force_login(therapist)
    text = client.get(reverse("client_detail", args=[reader.public_id])).text
    assert "My sleep" in text
    assert "written in" not in text
