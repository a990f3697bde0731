from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from checkins.models import CheckIn, week_start_for
from checkins.services import submit_checkin
from tests.factories import ClientFactory, answers, form_data

# Monday 23 November 2026, 03:00 UTC: still Sunday evening in New York,
# already Monday morning in Berlin.
MOMENT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("America/New_York", date(2026, 11, 16)),
        ("Europe/Berlin", date(2026, 11, 23)),
        ("Pacific/Auckland", date(2026, 11, 23)),
        ("Pacific/Honolulu", date(2026, 11, 16)),
    ],
)
def test_the_week_is_the_clients_own(tz, expected):
    assert week_start_for(MOMENT, ZoneInfo(tz)) == expected


def test_a_submit_at_the_same_instant_lands_in_each_clients_local_week(db):
    new_york = ClientFactory(time_zone="America/New_York")
    berlin = ClientFactory(time_zone="Europe/Berlin")
    assert submit_checkin(client=new_york, data=answers(), now=MOMENT).week_start == date(
        2026, 11, 16
    )
    assert submit_checkin(client=berlin, data=answers(), now=MOMENT).week_start == date(
        2026, 11, 23
    )


def test_edit_allowed_until_sunday_night_then_read_only(client, client_a):
    client_a.time_zone = "America/New_York"
    client_a.save()
    client.force_login(client_a)
    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    with time_machine.travel(sunday_night.replace(hour=9)):
        client.post(reverse("checkin"), form_data(wellbeing=5))
    with time_machine.travel(sunday_night):
        client.force_login(client_a)  # hours later: the earlier session has timed out
        # Still the same week: the answers can be changed.
        response = client.post(reverse("checkin"), form_data(wellbeing=7))
        assert response.status_code == 302
        assert CheckIn.objects.get(client=client_a).wellbeing == 7
    with time_machine.travel(sunday_night.replace(day=23, hour=0, minute=30)):
        client.force_login(client_a)
        # Monday: last week's check-in is read-only, and a post starts the new week.
        page = client.get(reverse("checkin_week", args=["2026-11-16"]))
        assert page.status_code == 200
        assert "can no longer be changed" in page.text
        assert "<form" not in page.text.split('id="main"')[1].split("</main>")[0]
        client.post(reverse("checkin"), form_data(wellbeing=2))
    rows = dict(CheckIn.objects.filter(client=client_a).values_list("week_start", "wellbeing"))
    assert rows == {date(2026, 11, 16): 7, date(2026, 11, 23): 2}


def test_the_open_week_page_sends_the_client_to_the_form(client, client_a):
    checkin = submit_checkin(client=client_a, data=answers())
    client.force_login(client_a)
    response = client.get(reverse("checkin_week", args=[checkin.week_start.isoformat()]))
    assert response.status_code == 302
    assert response.url == reverse("checkin")


def test_a_check_in_posted_after_its_week_closed_is_shown_again_not_misfiled(client, client_a):
    client_a.time_zone = "America/New_York"
    client_a.save()
    tz = ZoneInfo("America/New_York")
    with time_machine.travel(datetime(2026, 11, 22, 23, 58, tzinfo=tz)):
        client.force_login(client_a)
        page = client.get(reverse("checkin"))
        assert page.context["form"]["week"].value() == date(2026, 11, 16)
    with time_machine.travel(datetime(2026, 11, 23, 0, 1, tzinfo=tz)):
        response = client.post(
            reverse("checkin"), {**form_data(to_raise="typed on Sunday"), "week": "2026-11-16"}
        )
        assert response.status_code == 200
        assert "The week you were filling in has just closed" in response.text
        form = response.context["form"]
        assert form["to_raise"].value() == "typed on Sunday"
        assert form["week"].value() == "2026-11-23"
        assert not CheckIn.objects.exists()
        # Saving again files it under the open week.
        client.post(
            reverse("checkin"), {**form_data(to_raise="typed on Sunday"), "week": "2026-11-23"}
        )
    assert list(CheckIn.objects.values_list("week_start", flat=True)) == [date(2026, 11, 23)]


def test_the_form_reads_this_weeks_check_in_and_the_one_before(client_a):
    """What the check-in form edits (this week's, if made) and compares against
    (the latest before it: "Last week you said ...")."""
    from datetime import timedelta

    from tests.factories import checkin_history

    this_week = week_start_for(datetime.now(UTC), client_a.tz)
    assert CheckIn.objects.this_and_previous(client_a, this_week) == (None, None)
    checkin_history(client_a, [{"sessions_attended": 3}, None, None])  # two weeks ago
    current, previous = CheckIn.objects.this_and_previous(client_a, this_week)
    assert current is None
    assert (previous.week_start, previous.sessions_attended) == (
        this_week - timedelta(weeks=2),
        3,
    )
    checkin_history(client_a, [{"sessions_attended": 4}, {"sessions_attended": 5}])
    current, previous = CheckIn.objects.this_and_previous(client_a, this_week)
    assert (current.week_start, current.sessions_attended) == (this_week, 5)
    assert (previous.week_start, previous.sessions_attended) == (
        this_week - timedelta(weeks=1),
        4,
    )
    # Read for an earlier week, a later check-in is neither.
    current, previous = CheckIn.objects.this_and_previous(client_a, this_week - timedelta(weeks=1))
    assert (current.sessions_attended, previous.sessions_attended) == (4, 3)
