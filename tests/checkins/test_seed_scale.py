from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkins.models import CheckIn, Flag, MeasureResponse
from portal.models import User


@pytest.mark.slow
def test_seed_scale_builds_a_practice_in_bulk_with_flags(db):
    out = StringIO()
    with CaptureQueriesContext(connection) as ctx:
        call_command(
            "seed_scale",
            "--therapists",
            "3",
            "--clients-per-therapist",
            "20",
            "--weeks",
            "30",
            stdout=out,
        )
    clients = User.objects.clients().filter(email__endswith="scale.example")
    assert clients.count() == 3 * 20 + 30 + 150 + 30 + 2
    weeks = CheckIn.objects.filter(client__in=clients).count()
    assert weeks > 0.9 * (60 * 30 + 180 * 104 + 30 * 4 + 2 * 520)
    inserts = [
        q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "checkins_checkin"')
    ]
    # Bulk inserts, not one save per row (SQLite caps a statement at some 50
    # rows of this width; PostgreSQL takes 5,000).
    assert len(inserts) < weeks / 40
    # Outcome-monitoring systems flag about one client in ten to one in five.
    flagged = Flag.objects.worth_raising().values("client").distinct().count()
    assert 0.05 * clients.count() < flagged < 0.25 * clients.count(), "a plausible share flagged"
    assert "Clients with something worth raising:" in out.getvalue()
    assert Flag.objects.values("kind").distinct().count() >= 6
    # Questionnaires every other week, scored, with each pattern's course.
    scored = MeasureResponse.objects.filter(client__in=clients)
    assert scored.count() > 0.9 * weeks  # two questionnaires every other week
    assert all(r.total == sum(r.answers) for r in scored.order_by("?")[:50]), (
        "totals are the sum of the items"
    )
    kinds = set(Flag.objects.values_list("kind", flat=True))
    assert {"reliable_deterioration", "no_reliable_improvement"} <= kinds
    assert "check-ins" in out.getvalue()
    call_command("seed_scale", stdout=out)
    assert "complete" in out.getvalue()
    assert CheckIn.objects.filter(client__in=clients).count() == weeks


@pytest.mark.slow
def test_seed_scale_run_again_adds_only_the_bench_therapists_it_lacks(db):
    args = ["--therapists", "1", "--clients-per-therapist", "2", "--weeks", "4"]
    call_command("seed_scale", *args, stdout=StringIO())
    User.objects.clients().filter(email__endswith="bench-520@scale.example").delete()
    User.objects.filter(email="bench-520@scale.example").delete()
    people = User.objects.count()
    call_command("seed_scale", *args, stdout=StringIO())
    assert User.objects.count() == people + 1 + 2  # the therapist and their two clients
    assert User.objects.get(email="client1.bench-520@scale.example").checkins.count() > 450
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    assert "complete" in out.getvalue()
