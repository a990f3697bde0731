"""A therapist starts a new course of therapy for a client on their caseload:
the open assignment ends, a new one begins marked as starting a course, and
only the client's own therapist can do it."""

from datetime import timedelta

from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone

from portal.models import BEFORE_ANY_COURSE, CaseloadAssignment, User, course_start
from portal.services import assign_therapist, end_therapy, start_new_course
from tests.factories import sign_in


def url(client):
    return reverse("new_course", args=[client.public_id])


def test_anonymous_is_sent_to_sign_in(client, client_a):
    response = client.post(url(client_a))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_a.assignments.count() == 1


def test_another_therapist_gets_a_404_and_changes_nothing(client, client_a, other_therapist):
    sign_in(client, other_therapist)
    assert client.post(url(client_a)).status_code == 404
    assert client_a.assignments.count() == 1


def test_a_get_changes_nothing(client, client_a, therapist):
    sign_in(client, therapist)
    assert client.get(url(client_a)).status_code == 405
    assert client_a.assignments.count() == 1


def test_the_clients_therapist_starts_a_new_course(client, client_a, therapist):
    sign_in(client, therapist)
    page = client.get(reverse("client_detail", args=[client_a.public_id])).content.decode()
    assert "Start a new course" in page and url(client_a) in page
    response = client.post(url(client_a), follow=True)
    assert response.redirect_chain[-1][0] == reverse("client_detail", args=[client_a.public_id])
    assert "A new course of therapy has begun" in response.content.decode()
    old, new = CaseloadAssignment.objects.filter(client=client_a).order_by("started_at")
    assert old.ended_at is not None and not old.starts_course
    assert new.ended_at is None and new.starts_course and new.therapist == therapist
    assert client_a.current_therapist() == therapist


def course_started(client):
    return User.objects.annotate(start=course_start(OuterRef("pk"))).get(pk=client.pk).start


def test_when_the_current_course_began(client_a, therapist, other_therapist):
    first = client_a.assignments.get()
    # The first course holds everything before it too: no start.
    assert course_started(client_a) == BEFORE_ANY_COURSE
    # A move to a colleague continues the course.
    assign_therapist(client=client_a, therapist=other_therapist)
    assert course_started(client_a) == BEFORE_ANY_COURSE
    # Therapy ends; the client comes back three weeks later: a new course.
    later = timezone.now() + timedelta(weeks=3)
    end_therapy(client=client_a)
    back = CaseloadAssignment.objects.create(client=client_a, therapist=therapist, started_at=later)
    assert course_started(client_a) == back.started_at
    # Ended and back within the day (an admin's correction): the same course.
    back.ended_at = later + timedelta(hours=2)
    back.save()
    CaseloadAssignment.objects.create(
        client=client_a, therapist=therapist, started_at=later + timedelta(hours=5)
    )
    assert course_started(client_a) == back.started_at
    # The therapist starts a new course: it begins then.
    new = start_new_course(client=client_a, therapist=therapist, now=later + timedelta(days=1))
    assert course_started(client_a) == new.started_at > first.started_at


def test_a_new_course_reads_the_flags_from_it_at_once(client, client_a, therapist):
    """Hopes unmet for three weeks of the old course: once the therapist begins a new
    course, the dashboard no longer shows a trend measured in the old one."""
    from checkins.models import Flag, FlagKind
    from tests.factories import checkin_history

    checkin_history(client_a, [{"expectations": 1}] * 3)
    assert Flag.objects.open().filter(client=client_a, kind=FlagKind.EXPECTATIONS_UNMET).exists()
    sign_in(client, therapist)
    client.post(url(client_a))
    assert not Flag.objects.active().filter(client=client_a, kind=FlagKind.EXPECTATIONS_UNMET)
