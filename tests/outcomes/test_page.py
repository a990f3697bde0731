"""The clinical lead's outcomes page and CSV: who sees them, what they show and
never show, and the trace each view leaves."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from portal.models import AccessLog, CaseloadAssignment, User
from tests.factories import (
    ClientFactory,
    LeadFactory,
    PracticeFactory,
    TherapistFactory,
    checkin_history,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("midweek")

SECRET_WORDS = "my brother's drinking again"


@pytest.fixture
def third_therapist(practice):
    return TherapistFactory(practice=practice)


@pytest.fixture
def practice_of_twelve(practice, therapist, other_therapist, third_therapist):
    """Twelve clients with two weeks of check-ins: six with one therapist, one with
    another, five with a third."""
    clients = []
    for who, n in ((therapist, 6), (other_therapist, 1), (third_therapist, 5)):
        clients += [
            ClientFactory(practice=practice, therapist=who, first_name=f"Zebedee{len(clients) + i}")
            for i in range(n)
        ]
    for client in clients:
        checkin_history(client, [{"to_raise": SECRET_WORDS}, {"to_raise": SECRET_WORDS}])
    return clients


def page(http, **params):
    return http.get(reverse("practice_outcomes"), params)


def test_the_lead_sees_the_practice_in_aggregate_and_no_client(client, lead, practice_of_twelve):
    client.force_login(lead)
    response = page(client)
    assert response.status_code == 200
    text = response.text
    assert "Practice outcomes" in text and lead.practice.name in text
    # Twelve clients, rounded to the nearest 5.
    assert 'data-figure="active_clients">10<' in text
    for person in practice_of_twelve:
        assert person.first_name not in text and person.email not in text
    assert SECRET_WORDS not in text


def test_a_therapist_with_fewer_than_five_clients_is_held_back(
    client, lead, practice_of_twelve, other_therapist
):
    client.force_login(lead)
    response = page(client, therapist=str(other_therapist.public_id))
    assert response.status_code == 200
    assert 'data-figure="active_clients">fewer than 5<' in response.text
    assert other_therapist.display_name in response.text


def test_the_page_says_its_small_cell_limit_is_its_own_choice_and_cms_holds_back_more(
    client, lead, practice_of_twelve
):
    client.force_login(lead)
    text = " ".join(page(client).text.split())
    assert "fewer than 5 clients is held back" in text
    assert "this portal's own choice, which a practice may raise, not a published standard" in (
        text.replace("&#x27;", "'")
    )
    assert "CMS, for one, holds back counts of 1 to 10" in text


def test_filtering_to_one_therapist_shows_their_figures_beside_the_practice(
    client, lead, practice_of_twelve, therapist, other_therapist
):
    client.force_login(lead)
    text = page(client, therapist=str(therapist.public_id)).text
    assert 'data-figure="active_clients">5<' in text  # six, rounded
    rows = text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Whole practice" in rows and therapist.display_name in rows
    assert other_therapist.display_name not in rows


def test_one_small_caseload_holds_back_the_next_smallest_so_the_total_cannot_give_it_away(
    client, lead, practice_of_twelve, third_therapist
):
    client.force_login(lead)
    text = page(client, therapist=str(third_therapist.public_id)).text
    assert 'data-figure="active_clients">Held back: would reveal a smaller figure<' in text


def test_every_table_says_why_its_rows_may_not_add_up(client, lead, practice_of_twelve):
    """Five, one and five clients show as 5, fewer than 5 and 5, the practice's
    twelve as 10: the note says why, under each table."""
    client.force_login(lead)
    text = " ".join(page(client).text.split()).replace("&#x27;", "'")
    note = (
        "Rows may not add up to the whole practice: each figure is rounded to the nearest 5 "
        "on its own, and a held-back figure still counts in the practice's total."
    )
    assert text.count(note) == text.count("<table")
    assert text.split("</table>")[0].split("<table")[1].count("<tr") > 1
    assert note in text.split("</table>")[1].split("<table")[0]


def test_safety_figures_on_too_few_clients_are_held_back_in_one_sentence(client, lead, therapist):
    """Two clients answered yes to the crisis question: every safety figure rests on
    them, so the section says why once instead of six cards saying "held back"."""
    for _ in range(2):
        checkin_history(
            ClientFactory(practice=lead.practice, therapist=therapist), [{"in_crisis": True}]
        )
    for _ in range(5):
        checkin_history(ClientFactory(practice=lead.practice, therapist=therapist), [{}])
    client.force_login(lead)
    text = " ".join(page(client).text.split())
    safety = text.split('id="section-safety"')[1].split("</section>")[0]
    assert (
        "Safety figures are held back: fewer than 5 clients had a crisis answer or a safety flag "
        "in this period, too few to show without singling someone out."
    ) in safety
    assert "data-figure=" not in safety and "<table" not in safety
    assert 'data-figure="active_clients">5<' in text, "the rest of the page still shows"


def test_a_therapist_of_another_practice_cannot_be_chosen(client, lead, practice_of_twelve):
    stranger = TherapistFactory(practice=PracticeFactory())
    client.force_login(lead)
    response = page(client, therapist=str(stranger.public_id))
    assert response.status_code == 200
    assert "could not be used" in response.text
    assert "Select a valid choice" in response.text
    assert stranger.display_name not in response.text
    assert 'data-figure="active_clients">10<' in response.text  # the whole practice instead


@pytest.mark.parametrize("bad", [{"period": "1999-Q9"}, {"therapist": "not-a-uuid"}])
def test_a_bad_choice_gets_a_message_and_the_defaults_never_a_500(client, lead, bad):
    client.force_login(lead)
    response = page(client, **bad)
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert client.get(reverse("practice_outcomes_csv"), bad).status_code == 400


def test_a_lead_of_another_practice_sees_only_their_own(client, practice_of_twelve):
    elsewhere = PracticeFactory()
    lead = LeadFactory(practice=elsewhere)
    ClientFactory(practice=elsewhere, therapist=TherapistFactory(practice=elsewhere))
    client.force_login(lead)
    text = page(client).text
    assert elsewhere.name in text
    assert practice_of_twelve[0].practice.name not in text
    assert 'data-figure="active_clients">fewer than 5<' in text


def test_every_view_and_download_is_in_the_access_log(client, lead, practice_of_twelve):
    client.force_login(lead)
    page(client)
    client.get(reverse("practice_outcomes_csv"))
    rows = list(AccessLog.objects.filter(actor=lead).order_by("at", "pk"))
    assert [(r.view, r.client, r.outcome) for r in rows] == [
        ("practice_outcomes", None, AccessLog.Outcome.ALLOWED),
        ("practice_outcomes_csv", None, AccessLog.Outcome.ALLOWED),
    ]


def test_the_csv_holds_the_same_table_with_small_cells_held_back(
    client, lead, practice_of_twelve, therapist, other_therapist, third_therapist
):
    other_therapist.first_name, other_therapist.last_name = "=HYPERLINK(1)", ""
    other_therapist.save()
    client.force_login(lead)
    response = client.get(reverse("practice_outcomes_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    figures = [r["figure"] for r in rows if r["therapist"] == "Whole practice"]
    assert "Reliably improved over the course" in figures
    assert "Reliably deteriorated over the course" in figures
    assert rows[0]["therapist"] == "Whole practice" and rows[0]["period"] == "2026-Q4"
    active = {r["therapist"]: r for r in rows if r["figure_key"] == "active_clients"}
    assert list(active) == [
        "Whole practice",
        *sorted(
            [therapist.display_name, third_therapist.display_name, "'=HYPERLINK(1)"],
            key=list(active).index,
        ),
    ]
    assert active["Whole practice"]["value"] == "10", "twelve, rounded as on the page"
    assert active[therapist.display_name]["value"] == "5"
    small = active["'=HYPERLINK(1)"]
    assert (small["value"], small["held_back"]) == ("", "yes")
    assert small["reason"] == "rests on fewer than 5 clients"
    beside = active[third_therapist.display_name]
    assert (beside["value"], beside["held_back"]) == ("", "yes")
    assert "smaller figure" in beside["reason"]
    body = response.content.decode()
    assert SECRET_WORDS not in body and "Zebedee" not in body


def test_the_csv_follows_the_therapist_filter(client, lead, practice_of_twelve, therapist):
    client.force_login(lead)
    response = client.get(reverse("practice_outcomes_csv"), {"therapist": str(therapist.public_id)})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(dict.fromkeys(r["therapist"] for r in rows)) == [
        "Whole practice",
        therapist.display_name,
    ]


def test_the_csv_keeps_numbers_in_numeric_columns_and_says_why_one_is_missing(
    client, lead, practice_of_twelve
):
    client.force_login(lead)
    response = client.get(reverse("practice_outcomes_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert set(rows[0]) >= {"value", "unit", "count", "base", "clients", "held_back", "reason"}
    for row in rows:
        for column in ("value", "count", "base", "clients"):
            assert row[column] == "" or float(row[column]) >= 0, (row["figure_key"], column)
        assert row["held_back"] in ("yes", "no")
        if row["held_back"] == "yes":
            assert row["value"] == "" and row["reason"], row["figure_key"]
    shares = [r for r in rows if r["unit"] == "%" and r["value"]]
    assert shares, "some shares are shown"
    for row in shares:
        assert float(row["value"]) == 100 * float(row["count"]) / float(row["base"])
        assert row["base_unit"] in ("weeks", "courses", "clients")
    by_key = {r["figure_key"]: r for r in rows if r["therapist"] == "Whole practice"}
    assert by_key["active_clients"]["unit"] == "count"
    assert by_key["median_weeks"]["unit"] == "weeks"


def test_a_lead_signs_in_with_two_factor_and_lands_on_the_outcomes(client, lead):
    response = sign_in(client, lead)
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("practice_outcomes")


def test_a_lead_without_two_factor_sets_it_up_before_seeing_anything(client, practice):
    lead = LeadFactory(practice=practice, two_factor=False)
    client.force_login(lead)
    response = page(client)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_therapist_who_is_also_a_lead_sees_both(client, therapist, practice_of_twelve):
    therapist.is_clinical_lead = True
    therapist.save()
    client.force_login(therapist)
    assert page(client).status_code == 200
    caseload = client.get(reverse("caseload"))
    assert caseload.status_code == 200
    assert reverse("practice_outcomes") in caseload.text  # in the navigation


def test_a_lead_needs_a_practice_and_a_client_cannot_be_one(practice, client_a):
    with pytest.raises(ValidationError, match="needs a practice"):
        User(email="x@example.com", is_clinical_lead=True).full_clean()
    client_a.is_clinical_lead = True
    with pytest.raises(ValidationError, match="cannot be a clinical lead"):
        client_a.full_clean()
    with pytest.raises(IntegrityError):
        client_a.save()


def test_staff_end_a_clients_therapy_in_the_admin_and_the_history_stays(client, staff, client_a):
    client.force_login(staff)
    response = client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "end_therapy", "_selected_action": [client_a.pk]},
    )
    assert response.status_code == 302
    assignment = CaseloadAssignment.objects.get(client=client_a)
    assert assignment.ended_at is not None
    assert User.objects.get(pk=client_a.pk).is_active


def test_staff_who_may_only_view_people_cannot_end_a_therapy(client, practice, client_a):
    from django.contrib.auth.models import Permission

    from tests.factories import StaffFactory

    viewer = StaffFactory(practice=practice, is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "end_therapy", "_selected_action": [client_a.pk]},
    )
    assert CaseloadAssignment.objects.get(client=client_a).ended_at is None
