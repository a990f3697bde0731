"""Every page, for every role, read in Spanish shows no English message from the
catalogue: a string left unmarked, or marked but built from English pieces,
would show here."""

import pytest

from tests.factories import ClientFactory, LeadFactory, StaffFactory, TherapistFactory
from tests.i18n.catalogue import english_in, english_messages, visible_text
from tests.test_url_access import (  # noqa: F401 - the shared world of every role
    CLIENT,
    LEAD,
    PUBLIC,
    ROUTES,
    SIGNED_IN,
    THERAPIST,
    url_for,
    world,
)

# Everyone in this world reads Spanish from the start, so what was stored for
# them (advice, reasons) was stored in Spanish, as it would be.


@pytest.fixture
def therapist(practice):
    return TherapistFactory(practice=practice, language="es")


@pytest.fixture
def other_therapist(practice):
    return TherapistFactory(practice=practice, language="es")


@pytest.fixture
def client_a(therapist):
    return ClientFactory(practice=therapist.practice, therapist=therapist, language="es")


@pytest.fixture
def client_b(other_therapist):
    return ClientFactory(
        practice=other_therapist.practice, therapist=other_therapist, language="es"
    )


@pytest.fixture
def staff(practice):
    return StaffFactory(practice=practice, language="es")


@pytest.fixture
def lead(practice):
    return LeadFactory(practice=practice, language="es")


ROLE_PERSON = {CLIENT: "client_a", THERAPIST: "therapist", LEAD: "lead", SIGNED_IN: "client_a"}
PAGES = sorted(
    (name, route.person or ROLE_PERSON.get(route.access))
    for name, route in ROUTES.items()
    if not route.post_only and route.access != PUBLIC
) + [(name, None) for name, route in sorted(ROUTES.items()) if route.access == PUBLIC]
# Signed-in pages every role sees: also as a therapist and a lead.
PAGES += [
    (name, who)
    for name, route in sorted(ROUTES.items())
    if route.access == SIGNED_IN and not route.person
    for who in ("therapist", "lead")
]


@pytest.mark.parametrize(("name", "who"), PAGES)
def test_a_spanish_reader_sees_no_english_message(client, world, name, who):  # noqa: F811
    if who is not None:
        client.force_login(world[who])
    response = client.get(url_for(name, world), headers={"accept-language": "es"}, follow=True)
    if "html" not in response.headers.get("Content-Type", ""):
        return
    assert response.headers.get("Content-Language") == "es"
    left = english_in(visible_text(response.text))
    assert not left, f"{name} as {who or 'a visitor'} shows English: {left[:8]}"


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/portal/user/", "/admin/checkins/flag/", "/admin/guidance/advice/"],
)
def test_the_admin_reads_in_spanish_too(client, world, path):  # noqa: F811
    client.force_login(world["staff"])
    response = client.get(path)
    assert response.status_code == 200
    left = english_in(visible_text(response.text))
    assert not left, f"{path} shows English: {left[:8]}"


def test_the_check_finds_english_where_there_is_some():
    sample = english_messages()[-1]
    assert english_in(f"Hola. {sample}. Adiós.") == [sample]
    assert english_in("Hola. Adiós.") == []
