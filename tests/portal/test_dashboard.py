import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import Flag, FlagKind, FlagStatus
from checkins.services import submit_checkin
from tests.factories import MIDWEEK, ClientFactory, answers, checkin_history

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK


@pytest.fixture
def signed_in(client, therapist):
    client.force_login(therapist)
    return client


def names(response):
    return [row.client.display_name for row in response.context["rows"]]


def test_the_caseload_is_ranked_by_what_is_most_worth_raising(signed_in, therapist):
    calm = ClientFactory(therapist=therapist, first_name="Calm", last_name="One")
    checkin_history(calm, [{"expectations": 4, "discomfort": 0, "homework": "all"}])
    uneasy = ClientFactory(therapist=therapist, first_name="Uneasy", last_name="Two")
    checkin_history(uneasy, [{"discomfort": 4}, {"discomfort": 4}])
    crisis = ClientFactory(therapist=therapist, first_name="Zed", last_name="Crisis")
    checkin_history(crisis, [{"in_crisis": True}])
    money = ClientFactory(therapist=therapist, first_name="Aaron", last_name="Money")
    checkin_history(money, [{"barrier_money": True, "homework": "all"}])

    response = signed_in.get(reverse("caseload"))
    assert names(response) == [
        crisis.display_name,
        uneasy.display_name,
        money.display_name,
        calm.display_name,
    ]
    assert "Crisis answer" in response.text
    assert "Discomfort with you rated 4/4 for 2 check-ins in a row." in response.text


def test_each_row_shows_last_check_in_sessions_and_trend_lines(signed_in, therapist):
    person = ClientFactory(therapist=therapist)
    checkin_history(person, [{"sessions_attended": 5}, {"sessions_attended": 6, "wellbeing": 8}])
    (row,) = signed_in.get(reverse("caseload")).context["rows"]
    assert row.sessions == 6
    assert row.last_week == person.checkins.latest("week_start").week_start
    assert [chart.key for chart in row.sparklines] == [
        "wellbeing",
        "expectations",
        "discomfort",
        "homework",
    ]
    assert [p.value for p in row.sparklines[0].points] == [6, 8]


def test_filters_flagged_and_overdue(signed_in, therapist):
    flagged = ClientFactory(therapist=therapist)
    checkin_history(flagged, [{"discomfort": 4}])
    quiet = ClientFactory(therapist=therapist)
    checkin_history(
        quiet, [{"discomfort": 0, "homework": "all"}], last_week_at=NOW - timedelta(weeks=2)
    )
    fine = ClientFactory(therapist=therapist)
    checkin_history(fine, [{"discomfort": 0, "homework": "all"}])

    flagged_only = signed_in.get(reverse("caseload"), {"show": "flagged"})
    assert names(flagged_only) == [flagged.display_name]
    overdue = signed_in.get(reverse("caseload"), {"show": "overdue"})
    assert names(overdue) == [quiet.display_name]
    bogus = signed_in.get(reverse("caseload"), {"show": "<script>"})
    assert len(names(bogus)) == 3


def test_a_handled_flag_leaves_the_dashboard_list_of_open_flags(signed_in, therapist, client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)
    response = signed_in.post(
        reverse("flag_raise", args=[client_a.public_id, flag.pk]),
        {
            f"raise-{flag.pk}-raised_on": timezone.localdate().isoformat(),
            f"raise-{flag.pk}-note": "Discussed pacing",
        },
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RAISED
    assert flag.note == "Discussed pacing"
    assert flag.handled_by == therapist
    (row,) = signed_in.get(reverse("caseload"), {"show": "all"}).context["rows"]
    assert row.open_flags == []
    assert names(signed_in.get(reverse("caseload"), {"show": "flagged"})) == []


def test_a_bad_raise_form_keeps_what_was_typed(signed_in, client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)
    response = signed_in.post(
        reverse("flag_raise", args=[client_a.public_id, flag.pk]),
        {f"raise-{flag.pk}-raised_on": "not a date", f"raise-{flag.pk}-note": "Kept words"},
    )
    assert response.status_code == 400
    assert "Please enter a date" in response.text
    assert "Kept words" in response.text
    flag.refresh_from_db()
    assert flag.is_open


def test_another_therapist_cannot_handle_the_flag(client, other_therapist, client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)
    client.force_login(other_therapist)
    response = client.post(
        reverse("flag_dismiss", args=[client_a.public_id, flag.pk]),
        {f"dismiss-{flag.pk}-reason": "not mine"},
    )
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.is_open


def test_a_flag_of_another_client_is_not_reachable_through_mine(signed_in, therapist, client_a):
    mine_too = ClientFactory(therapist=therapist)
    submit_checkin(client=mine_too, data=answers(discomfort=4))
    flag = Flag.objects.get(client=mine_too)
    response = signed_in.post(
        reverse("flag_dismiss", args=[client_a.public_id, flag.pk]),
        {f"dismiss-{flag.pk}-reason": "wrong client"},
    )
    assert response.status_code == 404


def test_the_client_page_shows_evidence_advice_and_questions(signed_in, client_a):
    checkin_history(client_a, [{"discomfort": 1}, {"discomfort": 4}])
    page = signed_in.get(reverse("client_detail", args=[client_a.public_id]))
    assert "Discomfort with the therapist" in page.text
    assert "4/4" in page.text
    assert "Rising discomfort: explore the relationship" in page.text  # therapist advice
    assert "How has it felt to come here lately?" in page.text  # a question to open dialogue
    assert "Name the stall before the client does" in page.text  # every flag ends on dialogue
    assert 'class="chart-mark"' in page.text, "the flag is marked on the charts"
    prep = signed_in.get(reverse("session_prep", args=[client_a.public_id]))
    assert "Session prep" in prep.text
    assert "How has it felt to come here lately?" in prep.text
    assert "Mark as raised" not in prep.text


def test_clients_never_see_flags(client, client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    client.force_login(client_a)
    for url in (reverse("checkin_saved"), reverse("checkin_history"), reverse("client_home")):
        text = client.get(url).text
        assert "Discomfort with the therapist" not in text
        assert "Raise this session" not in text
        assert "Worth raising" not in text


def test_a_client_with_only_a_mention_is_not_counted_as_flagged(signed_in, therapist):
    money = ClientFactory(therapist=therapist, first_name="Only", last_name="Mention")
    checkin_history(money, [{"barrier_money": True, "homework": "all"}])
    uneasy = ClientFactory(therapist=therapist, first_name="Really", last_name="Uneasy")
    checkin_history(uneasy, [{"discomfort": 4}])
    everyone = signed_in.get(reverse("caseload"))
    assert "Also worth a mention: barriers reported — " in everyone.text
    flagged = signed_in.get(reverse("caseload"), {"show": "flagged"})
    assert names(flagged) == [uneasy.display_name]
    assert "Flagged: 1 client" in flagged.text


def test_what_is_worth_raising_looks_different_from_a_mention_in_words_and_colour(
    signed_in, therapist
):
    person = ClientFactory(therapist=therapist)
    checkin_history(person, [{"discomfort": 4, "barrier_energy": True}])
    html = signed_in.get(reverse("client_detail", args=[person.public_id])).text
    assert 'class="card flag tier-medium' in html and "Worth raising" in html
    assert 'class="card flag tier-low' in html and "Worth a mention" in html


@pytest.mark.parametrize(
    ("raised_on", "message"),
    [
        ("0001-01-01", "before this trend was flagged"),
        ("9999-12-31", "in the future"),
        ((timezone.localdate() + timedelta(days=1)).isoformat(), "in the future"),
    ],
)
def test_an_absurd_raised_in_session_date_is_refused(signed_in, client_a, raised_on, message):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)
    response = signed_in.post(
        reverse("flag_raise", args=[client_a.public_id, flag.pk]),
        {f"raise-{flag.pk}-raised_on": raised_on, f"raise-{flag.pk}-note": "Kept words"},
    )
    assert response.status_code == 400
    assert message in response.text and "Kept words" in response.text
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_each_trend_line_reads_at_a_glance_in_the_therapists_words(signed_in, therapist):
    person = ClientFactory(therapist=therapist)
    checkin_history(person, [{"wellbeing": 3, "discomfort": 0}, {"wellbeing": 6, "discomfort": 2}])
    (row,) = signed_in.get(reverse("caseload")).context["rows"]
    wellbeing, _, discomfort, _ = row.sparklines
    assert (wellbeing.title, wellbeing.latest.label, wellbeing.change) == (
        "Wellbeing (0–10)",
        "6",
        "up 3",
    )
    assert wellbeing.change_css == "better"
    assert (discomfort.title, discomfort.change, discomfort.change_css) == (
        "Discomfort with you (0–4)",
        "up 2",
        "worse",
    )
    html = signed_in.get(reverse("caseload")).text
    assert "How I have been" not in html and "Uneasy with my therapist" not in html


def rows_section(response) -> str:
    return response.text.split('aria-labelledby="clients-heading"')[1].split("</section>")[0]


def rendered_rows(response) -> int:
    return sum(t.name == "portal/_dashboard_row.html" for t in response.templates)


def test_a_row_is_drawn_once_and_drawn_again_as_soon_as_anything_it_shows_changes(
    signed_in, therapist, client_a
):
    import time_machine

    from checkins.services import raise_flag

    other = ClientFactory(therapist=therapist, first_name="Steady")
    checkin_history(other, [{}, {}])
    checkin_history(client_a, [{}, {}])
    first = signed_in.get(reverse("caseload"))
    assert rendered_rows(first) == 2
    again = signed_in.get(reverse("caseload"))
    assert rendered_rows(again) == 0, "both rows from the cache"
    assert rows_section(again) == rows_section(first)

    # A new answer: that row is drawn again with its flag, the other is not.
    submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
    changed = signed_in.get(reverse("caseload"))
    assert rendered_rows(changed) == 1
    assert "Discomfort with the therapist" in changed.text

    # Raising the flag changes the row at once.
    flag = Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)
    raise_flag(flag=flag, by=therapist, raised_on=NOW.date(), note="Talked it through")
    raised = signed_in.get(reverse("caseload"))
    assert rendered_rows(raised) == 1
    assert "already raised, dismissed or cleared" in raised.text

    # Time passing is a change too: next week, both are a week behind.
    with time_machine.travel(NOW + timedelta(weeks=2), tick=False):
        signed_in.force_login(therapist)  # the old session has long timed out
        later = signed_in.get(reverse("caseload"))
    assert rendered_rows(later) == 2
    assert "1 week missed" in later.text


def test_every_template_a_row_is_made_of_versions_the_cache():
    """A change to any template a row includes must change every row's key."""
    import re

    from django.conf import settings

    from checkins.dashboard import ROW_MADE_BY, ROW_TEMPLATE

    seen, todo = set(), [ROW_TEMPLATE]
    while todo:
        name = todo.pop()
        seen.add(name)
        source = (settings.BASE_DIR / "templates" / name).read_text()
        todo += [n for n in re.findall(r'{%\s*include\s+"([^"]+)"', source) if n not in seen]
    assert {f"templates/{name}" for name in seen} <= set(ROW_MADE_BY)
    assert {"checkins/*.py", "clinical/*.py"} <= set(ROW_MADE_BY)


def test_a_cache_that_fails_costs_speed_never_the_dashboard(signed_in, client_a, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    checkin_history(client_a, [{}])
    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    response = signed_in.get(reverse("caseload"))
    assert response.status_code == 200
    assert client_a.display_name in response.text


def test_what_a_client_wrote_in_a_crisis_week_older_than_the_charted_year_still_shows(
    signed_in, client_a
):
    rows = [
        {"in_crisis": True, "to_raise": "Words from that week", "share_text_with_therapist": True}
    ]
    checkin_history(client_a, rows + [{"wellbeing": 6}] * 59)
    assert Flag.objects.open().filter(client=client_a, kind=FlagKind.CRISIS).exists()
    url = reverse("client_detail", args=[client_a.public_id])
    response = signed_in.get(url)
    assert "Words from that week" in response.text
    for page in ("abc", "-1", "0", "999", "2"):
        assert signed_in.get(url, {"page": page}).status_code == 200


# -- Where a crisis stands ------------------------------------------------------


def in_crisis(therapist, first_name: str, *, hours_ago: int = 3):
    """A client of `therapist` whose crisis answer was saved `hours_ago` hours ago."""
    person = ClientFactory(
        therapist=therapist, practice=therapist.practice, first_name=first_name, last_name="Client"
    )
    submit_checkin(
        client=person, data=answers(in_crisis=True), now=NOW - timedelta(hours=hours_ago)
    )
    return person, Flag.objects.open().get(client=person, kind=FlagKind.CRISIS)


def act(flag, therapist, kind: str, *, ago: timedelta, method: str = ""):
    """The therapist records a step on a crisis flag, `ago` before NOW."""
    from checkins.safety import record_safety_action

    record_safety_action(
        flag=flag, by=therapist, kind=kind, method=method, done_at=NOW - ago, now=NOW
    )


def row_text(response, person) -> str:
    (row,) = [row for row in response.context["rows"] if row.client == person]
    # Runs of spaces and line breaks as one space; the no-break spaces Django puts
    # in "3 hours" stay as they are.
    return re.sub(r"[ \n]+", " ", html.unescape(str(row.html)))


@pytest.fixture
def in_new_york(therapist):
    """The therapist reads times in New York: 5 pm UTC is noon there."""
    therapist.time_zone = "America/New_York"
    therapist.save(update_fields=["time_zone"])
    return therapist


def test_each_crisis_says_where_it_stands_in_the_therapists_time_zone(signed_in, in_new_york):
    from checkins.models import SafetyActionKind
    from checkins.safety import deliver_safety_alert, sweep_safety_alerts

    therapist = in_new_york
    therapist.practice.on_call_name = "Dr Rivera, clinical lead"
    therapist.practice.on_call_email = "oncall@example.org"
    therapist.practice.save()
    _, fresh = in_crisis(therapist, "Fresh", hours_ago=3)
    contacted, flag = in_crisis(therapist, "Called")
    act(flag, therapist, SafetyActionKind.CONTACTED, ago=timedelta(hours=1), method="phone")
    planned, flag = in_crisis(therapist, "Planned")
    act(flag, therapist, SafetyActionKind.SAFETY_PLAN, ago=timedelta(minutes=30))
    escalated, flag = in_crisis(therapist, "Escalated", hours_ago=30)
    sweep_safety_alerts(now=NOW)
    alert = flag.alerts.get(kind="escalation")
    deliver_safety_alert(alert.pk, now=NOW - timedelta(minutes=5))

    response = signed_in.get(reverse("caseload"))
    fresh_row = row_text(response, fresh.client)
    assert "No action recorded yet — opened Nov 18, 09:00 (3\xa0hours ago)" in fresh_row
    assert "Client contacted Nov 18, 11:00 (phone call)" in row_text(response, contacted)
    assert "Safety plan reviewed Nov 18" in row_text(response, planned)
    escalated_row = row_text(response, escalated)
    assert (
        "No action recorded yet — opened Nov 17, 06:00 (1\xa0day ago) · "
        "Escalated to the on-call contact (Dr Rivera, clinical lead) Nov 18, 11:55"
    ) in escalated_row
    assert "oncall@example.org" not in response.text, "a role and a name, not an address"
    # The acted-on rows never carry the waiting words, nor the waiting frame.
    for person in (contacted, planned):
        assert "No action recorded yet" not in row_text(response, person)
        assert "crisis-acted" in row_text(response, person)
    assert "crisis-waiting" in fresh_row and "crisis-acted" not in fresh_row


def test_an_escalation_to_a_practice_without_an_on_call_contact_names_the_staff(
    signed_in, therapist
):
    from checkins.safety import deliver_safety_alert, sweep_safety_alerts
    from tests.factories import StaffFactory

    StaffFactory(practice=therapist.practice)
    therapist.time_zone = "UTC"
    therapist.save(update_fields=["time_zone"])
    person, flag = in_crisis(therapist, "Nobody", hours_ago=30)
    sweep_safety_alerts(now=NOW)
    alert = flag.alerts.get(kind="escalation")
    assert (
        "Escalation to the on-call contact not sent yet (queued Nov 18, 17:00; it is retried)"
        in (row_text(signed_in.get(reverse("caseload")), person))
    )
    deliver_safety_alert(alert.pk, now=NOW)
    assert "Escalated to the practice's staff Nov 18, 17:00" in row_text(
        signed_in.get(reverse("caseload")), person
    )


def test_a_crisis_nobody_acted_on_ranks_above_one_acted_on_and_both_above_the_rest(
    signed_in, therapist
):
    from checkins.models import SafetyActionKind

    uneasy = ClientFactory(therapist=therapist, first_name="Aaron", last_name="Uneasy")
    checkin_history(uneasy, [{"discomfort": 4}, {"discomfort": 4}])
    # Older and alphabetically first, but acted on: it comes after the newer one.
    handled, flag = in_crisis(therapist, "Abel", hours_ago=20)
    act(flag, therapist, SafetyActionKind.CONTACTED, ago=timedelta(hours=2), method="video")
    waiting, _ = in_crisis(therapist, "Zoe", hours_ago=1)

    response = signed_in.get(reverse("caseload"))
    assert names(response) == [waiting.display_name, handled.display_name, uneasy.display_name]
    flagged = signed_in.get(reverse("caseload"), {"show": "flagged"})
    assert names(flagged) == [waiting.display_name, handled.display_name, uneasy.display_name]


def test_an_action_recorded_shows_on_the_next_view_of_the_dashboard(signed_in, in_new_york):
    therapist = in_new_york
    from checkins.models import SafetyActionKind

    person, flag = in_crisis(therapist, "Cached")
    calm = ClientFactory(therapist=therapist, first_name="Calm")
    checkin_history(calm, [{}])
    assert rendered_rows(signed_in.get(reverse("caseload"))) == 2
    assert rendered_rows(signed_in.get(reverse("caseload"))) == 0, "both from the cache"

    act(flag, therapist, SafetyActionKind.CONTACTED, ago=timedelta(minutes=10), method="text")
    after = signed_in.get(reverse("caseload"))
    assert rendered_rows(after) == 1, "the crisis row is drawn again, the calm one is not"
    assert "Client contacted Nov 18, 11:50 (text message)" in row_text(after, person)
    assert "No action recorded yet" not in after.text

    act(flag, therapist, SafetyActionKind.SAFETY_PLAN, ago=timedelta(minutes=5))
    again = signed_in.get(reverse("caseload"))
    assert rendered_rows(again) == 1
    assert "Safety plan reviewed Nov 18" in row_text(again, person)


def test_how_long_a_crisis_has_waited_is_not_served_stale_from_the_cache(signed_in, therapist):
    import time_machine

    person, _ = in_crisis(therapist, "Waiting", hours_ago=1)
    assert "(1\xa0hour ago)" in row_text(signed_in.get(reverse("caseload")), person)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        signed_in.force_login(therapist)
        assert "(3\xa0hours ago)" in row_text(signed_in.get(reverse("caseload")), person)


def test_where_a_crisis_stands_reads_in_spanish(signed_in, in_new_york):
    therapist = in_new_york
    from checkins.models import SafetyActionKind

    therapist.language = "es"
    therapist.save(update_fields=["language"])
    fresh, _ = in_crisis(therapist, "Nueva", hours_ago=3)
    contacted, flag = in_crisis(therapist, "Llamada")
    act(flag, therapist, SafetyActionKind.CONTACTED, ago=timedelta(hours=1), method="phone")
    act(flag, therapist, SafetyActionKind.SAFETY_PLAN, ago=timedelta(minutes=30))
    response = signed_in.get(reverse("caseload"))
    assert (
        "Todavía no se ha registrado ninguna acción; abierta el 18 nov, 09:00 (hace 3\xa0horas)"
        in row_text(response, fresh)
    )
    assert (
        "Se contactó al cliente el 18 nov, 11:00 (llamada telefónica) · "
        "Plan de seguridad revisado el 18 nov"
    ) in row_text(response, contacted)


# The signed-in user, the caseload with its scores, its recent weeks, its flags,
# the access log's row and the pending invitations.
WITHOUT_CRISIS = 6


def test_the_dashboard_costs_a_fixed_number_of_queries(
    signed_in, therapist, django_assert_num_queries
):
    """Pinned exactly. A caseload with an open crisis flag costs two queries more
    than one without: the flags' recorded actions and their escalations, each for
    the whole caseload at once (never per row)."""
    from checkins.models import SafetyActionKind
    from checkins.safety import record_safety_action, sweep_safety_alerts

    calm = ClientFactory(therapist=therapist)
    checkin_history(calm, [{"discomfort": 4}, {}])
    signed_in.get(reverse("caseload"))  # fills the per-person cache (two-factor, session)
    with django_assert_num_queries(WITHOUT_CRISIS):
        signed_in.get(reverse("caseload"))

    for n in range(3):
        person, flag = in_crisis(therapist, f"Crisis{n}", hours_ago=30)
        record_safety_action(
            flag=flag,
            by=therapist,
            kind=SafetyActionKind.CONTACTED,
            method="phone",
            done_at=NOW - timedelta(hours=1),
            now=NOW,
        )
    in_crisis(therapist, "Escalated", hours_ago=30)
    sweep_safety_alerts(now=NOW)
    with django_assert_num_queries(WITHOUT_CRISIS + 2):
        signed_in.get(reverse("caseload"))
