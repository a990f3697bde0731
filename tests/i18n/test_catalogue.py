"""The Spanish catalogue is complete: every marked message is in it, translated,
and nothing in it is fuzzy."""

import re

from django.utils import translation

from clinical.text import REWORDED, from_dict
from tests.i18n.catalogue import PO, catalogue, marked_messages

MINIMUM_MESSAGES = 300
# %(name)s: Python's and a blocktranslate's variables alike.
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def entries():
    return [m for m in catalogue() if m.id]


def test_the_catalogue_has_every_message_the_code_marks():
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in entries()}
    missing = sorted(marked_messages() - have, key=str)
    assert not missing, (
        f"{len(missing)} marked messages are not in {PO.name}; run `make messages` "
        f"and translate them: {missing[:10]}"
    )


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [
        m.id for m in entries() if not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    fuzzy = [m.id for m in entries() if m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_the_catalogue_is_large_enough_to_be_the_whole_portal():
    assert len(entries()) >= MINIMUM_MESSAGES


def test_plural_messages_have_both_spanish_forms():
    plurals = [m for m in entries() if m.pluralizable]
    assert plurals, "counts with nouns are marked as plurals"
    for message in plurals:
        assert len(message.string) == 2 and all(message.string), message.id


def test_no_translation_names_a_placeholder_its_english_does_not_give():
    """A placeholder the English does not fill would fail the page in Spanish."""
    for message in entries():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        given = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= given, (message.id, string)


def test_the_compiled_catalogue_is_the_one_django_reads():
    with translation.override("es"):
        assert translation.gettext("Language") != "Language"


def test_a_reworded_message_reads_in_the_catalogue_s_spanish_under_its_old_words():
    """A flag stored before a rewording reads in today's words, translated."""
    assert REWORDED, "the mapping is in use"
    marked = {msgid for context, msgid in marked_messages() if context is None}
    for old, new in REWORDED.items():
        assert new in marked, f"the new words are the code's own: {new!r}"
        assert new not in REWORDED, "one step from old words to today's"
        params = {name: "1" for name in PLACEHOLDER.findall(old)}
        with translation.override("es"):
            spanish = str(from_dict({"msgid": old, "params": params}))
        assert spanish != new % params and spanish != old % params, spanish
