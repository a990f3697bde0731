"""Pages that list check-ins cost the same number of queries however long the history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import checkin_history


def count_queries(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["history", "therapist_client_page"])
def test_history_pages_do_not_grow_with_the_history(
    client, client_a, therapist, django_assert_max_num_queries, view
):
    if view == "history":
        client.force_login(client_a)
        url = reverse("checkin_history")
    else:
        client.force_login(therapist)
        url = reverse("client_detail", args=[client_a.public_id])
    checkin_history(client_a, [{}] * 4)
    short = count_queries(client, url, django_assert_max_num_queries)
    checkin_history(client_a, [{"wellbeing": n % 11} for n in range(100)])
    assert count_queries(client, url, django_assert_max_num_queries) == short


def test_a_check_in_submit_costs_the_same_whatever_the_history(
    client, client_a, client_b, django_assert_max_num_queries
):
    """Two clients' first submit of the week, alike but for 4 or 100 weeks behind it."""
    from tests.factories import form_data

    def submit_queries(person):
        client.force_login(person)
        with django_assert_max_num_queries(40) as ctx:
            response = client.post(reverse("checkin"), form_data(sessions_attended=400))
        assert response.status_code == 302
        return len(ctx.captured_queries)

    last_week = timezone.now() - timedelta(weeks=1)
    # Wellbeing 3 before and 6 now: an improvement, so neither raises a flag.
    checkin_history(client_a, [{"wellbeing": 3}] * 4, last_week_at=last_week)
    checkin_history(client_b, [{"wellbeing": 3}] * 100, last_week_at=last_week)
    assert submit_queries(client_a) == submit_queries(client_b)
