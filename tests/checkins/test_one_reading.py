"""The week's one reading on the pages: stored with the check-in, shown to the
therapist, and ruling every page the client reads while a safety flag is open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, Flag, FlagKind
from checkins.services import recompute_flags, submit_checkin
from clinical.reading import Trajectory
from guidance.rules import STOP_KEYS, WAIT_KEYS
from tests.factories import answers, checkin_history

LAST_WEEK = timedelta(weeks=1)
# Early in therapy, hopes low, felt worse after a session: the week that brings
# "give it a little longer" and "working but unpleasant".
REASSURING = {"sessions_attended": 3, "expectations": 2, "felt_worse_after_session": True}


def advice_keys(checkin) -> set[str]:
    return set(checkin.shown_advice.values_list("key", flat=True))


@pytest.fixture
def crisis_last_week(client_a):
    """A crisis answer last week; the therapist has not cleared it."""
    checkin_history(
        client_a,
        [{**REASSURING, "in_crisis": True}],
        last_week_at=timezone.now() - LAST_WEEK,
    )
    assert Flag.objects.open().filter(client=client_a, kind=FlagKind.CRISIS).exists()
    return client_a


def test_the_week_after_a_crisis_gets_no_reassurance_while_the_flag_is_open(crisis_last_week):
    checkin = submit_checkin(client=crisis_last_week, data=answers(**REASSURING))
    shown = advice_keys(checkin)
    assert shown, "the week still gets advice"
    assert not shown & (WAIT_KEYS | STOP_KEYS)


def test_once_the_crisis_is_cleared_the_week_reads_as_any_other(crisis_last_week, therapist):
    from checkins.safety import record_safety_action

    flag = Flag.objects.open().get(client=crisis_last_week, kind=FlagKind.CRISIS)
    record_safety_action(
        flag=flag,
        by=therapist,
        kind="cleared",
        done_at=timezone.now(),
        note="Seen today; safety plan in place.",
    )
    checkin = submit_checkin(client=crisis_last_week, data=answers(**REASSURING))
    assert "timeline-too-early" in advice_keys(checkin)


def test_no_page_shows_a_wait_piece_while_a_safety_flag_is_open(client, client_a):
    """A reassuring week stored before the crisis: its advice is not shown again on the
    client's history page, its week page or the library while the flag is open."""
    now = timezone.now()
    checkin_history(
        client_a,
        [REASSURING, {**REASSURING, "in_crisis": True}],
        last_week_at=now - timedelta(weeks=2),
    )
    reassuring = CheckIn.objects.filter(client=client_a).order_by("week_start").first()
    assert "timeline-too-early" in advice_keys(reassuring)
    client.force_login(client_a)
    titles = {
        key: title
        for key, title in reassuring.shown_advice.values_list("key", "title")
        if key in WAIT_KEYS | STOP_KEYS
    }
    pages = [
        reverse("checkin_week", args=[reassuring.week_start]),
        reverse("checkin_history"),
        reverse("advice_library"),
        reverse("thinking_of_stopping"),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        for title in titles.values():
            assert title not in html, f"{title!r} shown on {page}"


def test_the_library_still_shows_the_wait_pieces_to_a_client_with_no_safety_flag(client, client_a):
    checkin_history(client_a, [REASSURING])
    client.force_login(client_a)
    html = client.get(reverse("advice_library")).content.decode()
    assert "too early" in html.lower() or "little longer" in html.lower()


def test_thinking_of_stopping_in_a_crisis_week_shows_crisis_help_first(client, client_a):
    checkin_history(client_a, [{**REASSURING, "in_crisis": True}])
    client.force_login(client_a)
    html = client.get(reverse("thinking_of_stopping")).content.decode()
    assert 'id="crisis-help"' in html
    assert html.index('id="crisis-help"') < html.index(
        "Thinking about stopping or changing therapy?"
    )


def test_thinking_of_stopping_while_getting_worse_leads_with_the_decline(client, client_a):
    checkin_history(client_a, [{"wellbeing": 9}, {"wellbeing": 8}, {"wellbeing": 7}])
    client.force_login(client_a)
    response = client.get(reverse("thinking_of_stopping"))
    keys = [step.key for step in response.context["steps"]]
    assert keys[:2] == ["open-a-dialogue", "hard-sessions-vs-decline"]
    assert not set(keys) & WAIT_KEYS


def test_the_reading_is_stored_with_the_week_and_shown_on_the_dashboard(
    client, client_a, therapist
):
    """9, 8, 7: the client is told to raise it this week; the therapist's dashboard
    says the same, in words, with the fall beside it."""
    checkin_history(client_a, [{"wellbeing": 9}, {"wellbeing": 8}, {"wellbeing": 7}])
    latest = CheckIn.objects.filter(client=client_a).order_by("week_start").last()
    assert latest.trajectory == Trajectory.FALLING
    assert "hard-sessions-vs-decline" in advice_keys(latest)
    client.force_login(therapist)
    html = client.get(reverse("caseload")).content.decode()
    assert "Getting worse" in html
    assert "Wellbeing fell in each of the last 3 check-ins" in html
    assert "Nothing flagged" not in html
    page = client.get(reverse("client_detail", args=[client_a.public_id])).content.decode()
    assert "Getting worse" in page


def test_a_recompute_keeps_the_stored_reading_current(client_a, settings):
    checkin_history(client_a, [{"wellbeing": 9}, {"wellbeing": 8}, {"wellbeing": 7}])
    latest = CheckIn.objects.filter(client=client_a).order_by("week_start").last()
    assert latest.trajectory == Trajectory.FALLING
    # A practice that asks for a three-point fall before calling it one.
    settings.TREND_THRESHOLDS = {"deterioration_points": 3}
    recompute_flags(client=client_a)
    latest.refresh_from_db()
    assert latest.trajectory == Trajectory.STEADY
