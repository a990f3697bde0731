from django.urls import reverse

from tests.factories import ClientFactory, invitation_with_token


def test_caseload_lists_clients_and_invitations_in_fixed_queries(
    client, therapist, django_assert_max_num_queries
):
    def measure():
        with django_assert_max_num_queries(10) as ctx:
            response = client.get(reverse("caseload"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    client.force_login(therapist)
    ClientFactory.create_batch(2, therapist=therapist)
    invitation_with_token(therapist=therapist)
    few = measure()
    ClientFactory.create_batch(20, therapist=therapist)
    for _ in range(5):
        invitation_with_token(therapist=therapist)
    assert measure() == few
