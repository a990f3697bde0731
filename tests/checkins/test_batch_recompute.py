"""The nightly recompute in batches reads and decides exactly what the recompute
of one client does: the same history for the rules, the same flags after."""

from datetime import timedelta

import pytest
from django.db import transaction

from checkins.models import Flag, FlagStatus
from checkins.services import (
    raise_flag,
    recompute_flags,
    recompute_flags_for,
    rules_histories,
    rules_history,
)
from clinical.measures import GAD7, PHQ9, example_answers
from clinical.trends import thresholds
from tests.factories import MIDWEEK, ClientFactory, checkin_history

pytestmark = pytest.mark.usefixtures("midweek")
LATER = MIDWEEK + timedelta(weeks=5)  # long enough for check-ins to have stopped


def scores(phq: int, gad: int | None = None) -> dict:
    measures = {PHQ9.key: {"answers": example_answers(PHQ9, phq)}}
    if gad is not None:
        measures[GAD7.key] = {"answers": example_answers(GAD7, gad)}
    return {"measures": measures}


@pytest.fixture
def clients(therapist):
    """Histories of every shape the rules read: long with a questionnaire first
    answered long ago, short, with gaps, worsening, a crisis, and none at all."""
    shapes = [
        # The questionnaires first answered in week 5: neither baseline nor recent.
        [{"wellbeing": 7}] * 4
        + [{"wellbeing": 6, **scores(14, 9)}]
        + [{"wellbeing": 6}] * 6
        + [None] * 3
        + [{"wellbeing": w, **(scores(14 + w) if w % 2 else {})} for w in range(8)],
        [{"discomfort": 3}, {"discomfort": 4}],
        [{"wellbeing": 8}, None, {"wellbeing": 5}, None, None, {"wellbeing": 2, **scores(20)}],
        [
            {"wellbeing": max(0, 8 - n), "expectations": 1 + n % 2, "homework": "not_done"}
            for n in range(16)
        ],
        [{"in_crisis": True, **scores(22, 15)}],
        [{}, {"sessions_attended": 30, **scores(12)}, {"sessions_attended": 31, "wellbeing": 4}],
        [],
    ]
    made = []
    for shape in shapes:
        person = ClientFactory(therapist=therapist, practice=therapist.practice)
        checkin_history(person, shape, last_week_at=MIDWEEK - timedelta(weeks=len(shape) % 3))
        made.append(person)
    return made


def snapshot(people) -> list:
    return sorted(
        Flag.objects.filter(client__in=people).values_list(
            "client_id", "kind", "severity", "score", "summary", "evidence", "status", "closed_at"
        ),
        key=repr,
    )


def test_the_histories_read_in_bulk_are_the_ones_read_one_by_one(clients):
    t = thresholds()
    bulk = rules_histories([c.pk for c in clients], t)
    for client in clients:
        latest = client.checkins.order_by("-week_start").first()
        one = rules_history(latest, t) if latest else []
        got = bulk.get(client.pk, [])
        assert [c.week_start for c in got] == [c.week_start for c in one]
        assert [c.measure_answers for c in got] == [c.measure_answers for c in one]
        assert [c.wellbeing for c in got] == [c.wellbeing for c in one]


def test_a_batch_leaves_every_flag_as_one_at_a_time_does(clients, therapist):
    # A handled flag too, so the batch meets the "stays quiet unless worse" rule.
    raised = Flag.objects.filter(client=clients[1]).first()
    raise_flag(flag=raised, by=therapist, raised_on=MIDWEEK.date(), note="Talked")
    before = snapshot(clients)
    t = thresholds()
    with transaction.atomic():
        for client in clients:
            recompute_flags(client=client, now=LATER, t=t)
        one_by_one = snapshot(clients)
        transaction.set_rollback(True)
    assert snapshot(clients) == before
    recompute_flags_for(clients, now=LATER, t=t)
    assert snapshot(clients) == one_by_one
    assert one_by_one != before, "five weeks of silence should have changed something"
    assert Flag.objects.filter(pk=raised.pk, status=FlagStatus.RAISED).exists()
