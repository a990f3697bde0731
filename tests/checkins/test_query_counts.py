"""Pages that list check-ins cost the same number of queries however long the history."""

import pytest
from django.urls import reverse

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
