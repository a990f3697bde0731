from io import StringIO

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from checkins.demo import ORDINARY
from checkins.management.commands.seed_demo import CLIENTS, DEMO_PASSWORD, THERAPISTS
from checkins.models import CheckIn
from outcomes.figures import rounded
from portal.models import CaseloadAssignment, Practice, User


def test_seed_demo_builds_the_practice_once_and_prints_sign_ins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    checkins = CheckIn.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert CheckIn.objects.count() == checkins, "a second run adds nothing"
    assert Practice.objects.count() == 1
    assert User.objects.therapists().count() == len(THERAPISTS) == 3
    assert User.objects.clients().count() == len(CLIENTS) >= 8
    assert CaseloadAssignment.objects.count() == len(CLIENTS)
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for email, *_ in THERAPISTS + [(c[0],) for c in CLIENTS]:
        assert email in printed
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


def test_demo_history_spans_months_with_each_pattern(db):
    call_command("seed_demo", stdout=StringIO())
    by_email = {email: pattern for email, *_, pattern in CLIENTS}
    for client in User.objects.clients():
        weeks = CheckIn.objects.filter(client=client).count()
        pattern = by_email[client.email]
        if pattern == "new, with barriers":
            assert weeks == 3
        else:
            assert weeks >= 12, pattern
    crisis = User.objects.get(email=next(e for e, p in by_email.items() if p == "crisis answer"))
    assert CheckIn.objects.filter(client=crisis, in_crisis=True).exists()


def test_demo_therapists_have_two_factor_and_the_command_prints_the_code(client, db):
    call_command("seed_demo", stdout=StringIO())
    therapist = User.objects.get(email=THERAPISTS[0][0])
    out = StringIO()
    with time_machine.travel(timezone.now(), tick=False):  # the printed code stays valid
        call_command("seed_demo", "--totp-code", stdout=out)
        code = out.getvalue().strip()
        assert len(code) == 6 and code.isdigit()
        response = client.post(
            reverse("account_login"), {"login": therapist.email, "password": DEMO_PASSWORD}
        )
        client.post(response.url, {"code": code})
    assert client.get(reverse("caseload")).status_code == 200


def test_the_demo_caseload_is_not_all_flagged(db):
    """A caseload where everyone is flagged teaches a therapist to ignore the flags."""
    from checkins.models import Flag

    call_command("seed_demo", stdout=StringIO())
    for email, *_ in THERAPISTS:
        caseload = User.objects.caseload_of(User.objects.get(email=email))
        flagged = caseload.filter(pk__in=Flag.objects.worth_raising().values("client"))
        assert 0 < flagged.count() < caseload.count()
        nothing = caseload.exclude(pk__in=Flag.objects.active().values("client"))
        assert nothing.exists(), "some clients have nothing flagged at all"


def test_the_demo_lead_signs_in_and_sees_the_practice_in_aggregate(client, db):
    from checkins.management.commands.seed_demo import LEAD

    call_command("seed_demo", stdout=StringIO())
    lead = User.objects.get(email=LEAD[0])
    assert lead.is_lead and not lead.role
    with time_machine.travel(timezone.now(), tick=False):
        out = StringIO()
        call_command("seed_demo", "--totp-code", stdout=out)
        response = client.post(
            reverse("account_login"), {"login": lead.email, "password": DEMO_PASSWORD}
        )
        client.post(response.url, {"code": out.getvalue().strip()})
    page = client.get(reverse("practice_outcomes"))
    assert page.status_code == 200
    # Every demo client, counted to the nearest 5 as every figure there is.
    assert f'data-figure="active_clients">{rounded(len(CLIENTS))}<' in page.text
    # Clients are on the caseload from the week before their first check-in, so
    # the weeks they checked in count towards completion.
    assert 'data-figure="completion_rate">no data<' not in page.text
    assert 'data-figure="completion_rate">0%<' not in page.text
    for email, *_ in CLIENTS:
        assert email not in page.text


def test_the_demo_has_a_spanish_speaking_therapist_whose_clients_read_spanish(db):
    from checkins.management.commands.seed_demo import SPANISH
    from guidance.content_es import ADVICE_ES
    from guidance.models import ShownAdvice

    call_command("seed_demo", stdout=StringIO())
    therapist = User.objects.get(email="ana.beltran@demo.example")
    assert therapist.language == "es"
    clients = list(User.objects.caseload_of(therapist))
    assert len(clients) == sum(index == 2 for *_, index, _ in CLIENTS) >= 8
    assert {c.email for c in clients} <= SPANISH
    for client in clients:
        assert client.language == "es"
        assert CheckIn.objects.filter(client=client).count() >= 12, "months of history"
        shown = ShownAdvice.objects.filter(checkin__client=client)
        assert shown.exists()
        assert set(shown.values_list("language", flat=True)) == {"es"}
        # Word for word the Spanish library text, not the English.
        piece = shown.first()
        assert piece.title == ADVICE_ES[piece.key]["title"]
    sofia = User.objects.get(email="sofia.ramirez@demo.example")
    assert CheckIn.objects.filter(client=sofia, hoped_for__startswith="Sentirme").exists()


def test_each_demo_therapist_has_a_realistic_share_of_clients_worth_raising(db):
    """Outcome-monitoring systems flag roughly 10-15% of clients. The demo shows a
    few of each pattern worth raising, among enough ordinary clients that each
    caseload has 10-25% worth raising, as the dashboard counts them."""
    from checkins.dashboard import caseload_rows

    call_command("seed_demo", stdout=StringIO())
    pattern = {email: pattern for email, *_, pattern in CLIENTS}
    for email, *_ in THERAPISTS:
        rows = caseload_rows(User.objects.get(email=email), now=timezone.now())
        raising = [row.client.email for row in rows if row.open_flags]
        assert 0.10 <= len(raising) / len(rows) <= 0.25, f"{email}: {len(raising)}/{len(rows)}"
        # What is worth raising is what the demo shows on purpose, never an
        # ordinary client's ordinary weeks.
        assert not [e for e in raising if pattern[e] in ORDINARY], email


def test_the_showcased_patterns_still_show_among_the_ordinary_clients(db):
    from checkins.models import AgendaItem, Flag, FlagKind

    call_command("seed_demo", stdout=StringIO())

    def kinds(email: str) -> set[str]:
        return set(
            Flag.objects.worth_raising().filter(client__email=email).values_list("kind", flat=True)
        )

    assert FlagKind.DISCOMFORT in kinds("sam.lee@demo.example")
    assert AgendaItem.objects.filter(client__email="sam.lee@demo.example").count() == 2
    assert AgendaItem.objects.filter(
        client__email="jordan.patel@demo.example", talked_about_at__isnull=False
    ).exists()
    assert kinds("casey.nguyen@demo.example")
    assert FlagKind.CHECKINS_STOPPED in kinds("riley.brooks@demo.example")
    assert {FlagKind.CRISIS, FlagKind.SAFETY_ITEM} <= kinds("taylor.kim@demo.example")
    assert FlagKind.STOPPING_CONSIDERED in kinds("jamie.silva@demo.example")
    assert FlagKind.RELIABLE_DETERIORATION in kinds("avery.chen@demo.example")
    assert FlagKind.DISCOMFORT in kinds("mateo.rojas@demo.example")
    for steady in ("alex.morgan@demo.example", "sofia.ramirez@demo.example"):
        assert not kinds(steady)
    # Ordinary clients are not copies of each other: each has their own weeks.
    histories = {
        tuple(CheckIn.objects.filter(client__email=email).values_list("wellbeing", flat=True))
        for email, *_, pattern in CLIENTS
        if pattern in ORDINARY
    }
    assert len(histories) == sum(pattern in ORDINARY for *_, pattern in CLIENTS)
