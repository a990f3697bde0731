"""A queryset compiled once runs with each call's values, and reads as the ORM does."""

from datetime import date, timedelta

from django.db.models import OuterRef, Q, Subquery

from checkins.measures import as_date
from checkins.models import CheckIn
from portal.compiled import Compiled
from portal.models import User
from tests.factories import checkin_history


def test_each_run_takes_its_own_values_and_converts_as_the_orm(client_a, client_b):
    checkin_history(client_a, [{"wellbeing": 2, "in_crisis": True}, {"wellbeing": 7}])
    checkin_history(client_b, [{"wellbeing": 5}])
    query = Compiled(
        lambda client_id, since: (
            CheckIn.objects.filter(Q(client_id=client_id) & Q(week_start__gte=since))
            .order_by("week_start")
            .values_list("client_id", "week_start", "wellbeing", "in_crisis")
        ),
        client_id=int,
        since=date,
    )
    for person in (client_a, client_b, client_a):
        first = CheckIn.objects.filter(client=person).order_by("week_start").first()
        since = first.week_start - timedelta(weeks=1)
        expected = list(
            CheckIn.objects.filter(client=person, week_start__gte=since)
            .order_by("week_start")
            .values_list("client_id", "week_start", "wellbeing", "in_crisis")
        )
        assert query.rows(client_id=person.pk, since=since) == expected
    assert query.rows(client_id=client_a.pk, since=first.week_start + timedelta(weeks=99)) == []


def test_instances_are_the_orms(client_a):
    checkin_history(client_a, [{"wellbeing": 2}, {"wellbeing": 7, "to_raise": "Sleep"}])
    query = Compiled(
        lambda client_id: CheckIn.objects.filter(client_id=client_id).order_by("week_start"),
        client_id=int,
    )
    got = query.instances(CheckIn, client_id=client_a.pk)
    expected = list(CheckIn.objects.filter(client=client_a).order_by("week_start"))
    assert [(c.pk, c.wellbeing, c.to_raise, c.submitted_at) for c in got] == [
        (c.pk, c.wellbeing, c.to_raise, c.submitted_at) for c in expected
    ]
    assert not got[0]._state.adding


def test_instances_carry_the_querysets_annotations(client_a, client_b):
    checkin_history(client_a, [{"wellbeing": 2}, {"wellbeing": 7}])
    latest = CheckIn.objects.filter(client=OuterRef("pk")).order_by("-week_start")
    query = Compiled(
        lambda client_id: User.objects.filter(pk=client_id).annotate(
            last_wellbeing=Subquery(latest.values("wellbeing")[:1]),
            last_week=Subquery(latest.values("week_start")[:1]),
        ),
        client_id=int,
    )
    [found] = query.instances(User, client_id=client_a.pk)
    expected = CheckIn.objects.filter(client=client_a).order_by("-week_start").first()
    assert (found.pk, found.email) == (client_a.pk, client_a.email)
    assert found.last_wellbeing == 7
    assert as_date(found.last_week) == expected.week_start
    [nothing] = query.instances(User, client_id=client_b.pk)
    assert nothing.last_wellbeing is None and nothing.last_week is None
