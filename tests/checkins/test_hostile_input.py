"""Whatever a browser or an attacker posts, the form answers without a 500 and an
invalid post changes nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.forms import CheckInForm
from checkins.models import CheckIn
from tests.factories import form_data
from tests.strategies import hostile_text

FIELDS = list(CheckInForm.base_fields)


def snapshot():
    return sorted(CheckIn.objects.values_list("client_id", "week_start", "wellbeing", "to_raise"))


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=5),
    dropped=st.sets(st.sampled_from(FIELDS), max_size=3),
)
def test_hostile_posts_never_crash_and_invalid_ones_change_nothing(
    client, client_a, changes, dropped
):
    client.force_login(client_a)
    data = form_data(wellbeing=5)
    data.update(changes)
    for name in dropped:
        data.pop(name, None)
    before = snapshot()
    response = client.post(reverse("checkin"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert snapshot() == before
