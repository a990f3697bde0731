"""Every page that lists something costs the same number of queries however much
there is to list: more weeks of history, more clients, more invitations."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import Flag, FlagKind
from clinical.measures import GAD7, PHQ9, example_answers
from tests.factories import (
    ClientFactory,
    TherapistFactory,
    checkin_history,
    form_data,
    invitation_with_token,
)

# A ceiling far above any page's count, so a test fails on the growth it measures,
# not on the ceiling.
CEILING = 40


def scores(i: int) -> dict:
    """Both questionnaires, with totals that move from week to week."""
    return {
        "measures": {
            PHQ9.key: {"answers": example_answers(PHQ9, (i * 5) % 25)},
            GAD7.key: {"answers": example_answers(GAD7, (i * 3) % 21)},
        }
    }


def weeks(client, n: int, end=None):
    """Another n weeks of varied check-ins for the client, ending at `end`, with the
    questionnaires every other week."""
    start = end or timezone.now() - timedelta(weeks=8)
    checkin_history(
        client,
        [
            {"wellbeing": i % 11, "discomfort": i % 5, "to_raise": "x", **scores(i)}
            if i % 2 == 0
            else {"wellbeing": i % 11, "discomfort": i % 5, "to_raise": "x"}
            for i in range(n)
        ],
        last_week_at=start,
    )


def more_clients(therapist, n: int):
    for i in range(n):
        person = ClientFactory(therapist=therapist, practice=therapist.practice)
        checkin_history(
            person,
            [
                {"discomfort": 4, **scores(i)},
                {"expectations": 1},
                {"in_crisis": True, **scores(i + 1)},
            ],
        )
        invitation_with_token(therapist=therapist)


def agenda(w, n: int):
    """Another n agenda items for client_a, half of them already talked about:
    those one of their trends (worded for the reader from its flag)."""
    from checkins.agenda import add_item, mark_talked_about

    trend = Flag.objects.get(client=w["client_a"], kind=FlagKind.DISCOMFORT)
    for i in range(n):
        if i % 2:
            item = add_item(client=w["client_a"], flag=trend)
            mark_talked_about(item=item, by=w["therapist"], note="")
        else:
            add_item(client=w["client_a"], text=f"Item {i}")


# page: (who looks, its URL, what grows). Each grows from a little to a lot.
PAGES = {
    "client page, longer agenda": (
        "therapist",
        lambda w: reverse("client_detail", args=[w["client_a"].public_id]),
        agenda,
    ),
    "session prep, longer agenda": (
        "therapist",
        lambda w: reverse("session_prep", args=[w["client_a"].public_id]),
        agenda,
    ),
    "client's home, longer agenda": ("client_a", lambda w: reverse("client_home"), agenda),
    "check-in form, more to ask about": ("client_a", lambda w: reverse("checkin"), agenda),
    "caseload, more clients": (
        "therapist",
        lambda w: reverse("caseload"),
        lambda w, n: more_clients(w["therapist"], n),
    ),
    "caseload, longer history": (
        "therapist",
        lambda w: reverse("caseload"),
        lambda w, n: weeks(w["client_a"], n * 4),
    ),
    "client page": (
        "therapist",
        lambda w: reverse("client_detail", args=[w["client_a"].public_id]),
        lambda w, n: weeks(w["client_a"], n * 4),
    ),
    "session prep": (
        "therapist",
        lambda w: reverse("session_prep", args=[w["client_a"].public_id]),
        lambda w, n: weeks(w["client_a"], n * 4),
    ),
    "client's history": (
        "client_a",
        lambda w: reverse("checkin_history"),
        lambda w, n: weeks(w["client_a"], n * 4),
    ),
    "client's home": (
        "client_a",
        lambda w: reverse("client_home"),
        lambda w, n: weeks(w["client_a"], n * 4),
    ),
    "client's data": (
        "client_a",
        lambda w: reverse("my_data"),
        lambda w, n: weeks(w["client_a"], n * 4),
    ),
    "advice library": ("client_a", lambda w: reverse("advice_library"), lambda w, n: None),
    "practice outcomes, more clients": (
        "lead",
        lambda w: reverse("practice_outcomes"),
        lambda w, n: more_clients(w["therapist"], n),
    ),
    "practice outcomes, more therapists": (
        "lead",
        lambda w: reverse("practice_outcomes"),
        lambda w, n: [
            more_clients(TherapistFactory(practice=w["therapist"].practice), 1) for _ in range(n)
        ],
    ),
    "practice outcomes CSV, more clients": (
        "lead",
        lambda w: reverse("practice_outcomes_csv"),
        lambda w, n: more_clients(w["therapist"], n),
    ),
}


@pytest.fixture
def world(client_a, therapist, lead):
    checkin_history(client_a, [{"discomfort": 4}])
    return {"client_a": client_a, "therapist": therapist, "lead": lead}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_costs_the_same_however_much_it_lists(
    client, world, page, django_assert_max_num_queries
):
    who, url, grow = PAGES[page]
    client.force_login(world[who])

    def count() -> int:
        with django_assert_max_num_queries(CEILING) as ctx:
            assert client.get(url(world)).status_code == 200
        return len(ctx.captured_queries)

    grow(world, 1)
    count()  # the first request also fills the per-person cache (two-factor, session)
    few = count()
    grow(world, 25)
    assert count() == few, f"{page}: more to list, more queries"


def test_a_check_in_submit_costs_the_same_whatever_the_history(
    client, client_a, client_b, django_assert_max_num_queries
):
    """Two clients' first submit of the week, alike but for 4 or 100 weeks behind it."""

    def submit_queries(person):
        client.force_login(person)
        with django_assert_max_num_queries(CEILING) as ctx:
            response = client.post(reverse("checkin"), form_data(sessions_attended=400))
        assert response.status_code == 302
        return len(ctx.captured_queries)

    last_week = timezone.now() - timedelta(weeks=1)
    # Wellbeing 3 before and 6 now: an improvement, so neither raises a flag.
    checkin_history(client_a, [{"wellbeing": 3}] * 4, last_week_at=last_week)
    checkin_history(client_b, [{"wellbeing": 3}] * 100, last_week_at=last_week)
    assert submit_queries(client_a) == submit_queries(client_b)


def years_of_history(client, weeks: int) -> None:
    """`weeks` weekly check-ins up to last week, the PHQ-9 every other week, written
    in bulk: the pages read them, and how they were written is not measured here."""
    from checkins.models import CheckIn, MeasureResponse, week_start_for

    this_week = week_start_for(timezone.now(), client.tz)
    CheckIn.objects.bulk_create(
        CheckIn(
            client=client,
            week_start=this_week - timedelta(weeks=n),
            sessions_attended=weeks - n,
            expectations=3,
            discomfort=n % 5,
            homework="some",
            wellbeing=n % 11,
            felt_worse_after_session=False,
            to_raise="x",
        )
        for n in range(weeks, 0, -1)
    )
    MeasureResponse.objects.bulk_create(
        MeasureResponse(
            checkin=checkin,
            client=client,
            week_start=checkin.week_start,
            instrument=PHQ9.key,
            answers=example_answers(PHQ9, n % 25),
            total=n % 25,
        )
        for n, checkin in enumerate(CheckIn.objects.filter(client=client).order_by("week_start"))
        if n % 2 == 0
    )


HISTORY_PAGES = {
    "client page": ("therapist", lambda c: reverse("client_detail", args=[c.public_id])),
    "session prep": ("therapist", lambda c: reverse("session_prep", args=[c.public_id])),
    "client's history": ("self", lambda c: reverse("checkin_history")),
}


@pytest.mark.parametrize("page", list(HISTORY_PAGES))
def test_ten_years_of_history_cost_what_a_month_does(
    client, therapist, page, django_assert_max_num_queries
):
    who, url = HISTORY_PAGES[page]
    month = ClientFactory(therapist=therapist, practice=therapist.practice)
    decade = ClientFactory(therapist=therapist, practice=therapist.practice)
    years_of_history(month, 4)
    years_of_history(decade, 520)

    def read(person):
        client.force_login(therapist if who == "therapist" else person)
        client.get(url(person))  # fills the per-person cache
        with django_assert_max_num_queries(CEILING) as ctx:
            response = client.get(url(person))
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    few, _ = read(month)
    many, response = read(decade)
    assert many == few, f"{page}: ten years cost {many} queries, a month {few}"
    # The charts draw the latest year; the table holds every week, a page at a time.
    assert all(0 < len(chart.points) <= 52 for chart in response.context["charts"])
    # The band of measurement error stays around the very first score (0), ten
    # years back, not the first score the chart draws.
    (phq9,) = response.context["measure_charts"]
    assert "from the first score of 0 is reliable" in phq9.chart.description
    history = response.context.get("history") or response.context.get("weeks")
    if history is not None:
        assert history.paginator.count == 520
        assert len(history.object_list) == 12


def submit_statements(person, data) -> list[str]:
    """The statements a submit sends, without the transaction's own (BEGIN, savepoints,
    COMMIT), which the backends spell differently."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checkins.services import submit_checkin

    with CaptureQueriesContext(connection) as ctx:
        submit_checkin(client=person, data=data)
    own = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "COMMIT")
    return [q["sql"].split()[0] for q in ctx.captured_queries if not q["sql"].startswith(own)]


def test_a_submit_takes_one_statement_per_step(client_a):
    """A new week: the week's row looked for (there is none yet), the client
    locked, the row and its history row written, when the client's current course
    of therapy began, the rules' history with its answers read, the flags read,
    the week's reading stored on its row, the advice written. An edit of the week:
    the row and the client locked at once, the row and its history row, the
    course's start, the rules' history, the flags, the advice shown before (the
    same, so not rewritten); the reading, unchanged, is not rewritten. The advice
    library is read once and kept."""
    from tests.factories import answers

    checkin_history(
        client_a, [{"wellbeing": 3}] * 4, last_week_at=timezone.now() - timedelta(weeks=1)
    )
    first = submit_statements(client_a, answers(wellbeing=6))
    assert first == [
        *("SELECT", "SELECT", "INSERT", "INSERT"),
        *("SELECT", "SELECT", "SELECT", "UPDATE", "INSERT"),
    ]
    again = submit_statements(client_a, answers(wellbeing=6))
    assert again == ["SELECT", "UPDATE", "INSERT", "SELECT", "SELECT", "SELECT", "SELECT"]
