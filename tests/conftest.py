import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests.factories import (
    MIDWEEK,
    ClientFactory,
    LeadFactory,
    PracticeFactory,
    StaffFactory,
    TherapistFactory,
    invitation_with_token,
)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _default_language():
    """Django's LocaleMiddleware leaves a request's language active in the thread
    after it (each request sets its own): every test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache holds sign-in failure counts and used two-factor codes: no test
    may see another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def practice(db):
    return PracticeFactory()


@pytest.fixture
def therapist(practice):
    return TherapistFactory(practice=practice)


@pytest.fixture
def other_therapist(practice):
    return TherapistFactory(practice=practice)


@pytest.fixture
def client_a(therapist):
    return ClientFactory(practice=therapist.practice, therapist=therapist)


@pytest.fixture
def client_b(other_therapist):
    """A client of another therapist in the same practice."""
    return ClientFactory(practice=other_therapist.practice, therapist=other_therapist)


@pytest.fixture
def staff(practice):
    return StaffFactory(practice=practice)


@pytest.fixture
def lead(practice):
    """The practice's clinical lead."""
    return LeadFactory(practice=practice)


@pytest.fixture
def pending_invitation(therapist):
    return invitation_with_token(therapist=therapist)


@pytest.fixture
def midweek():
    """The clock held at MIDWEEK for the whole test (use with `usefixtures`)."""
    with time_machine.travel(MIDWEEK, tick=False):
        yield MIDWEEK
