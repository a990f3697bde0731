from io import StringIO

from django.core.management import call_command

from portal.management.commands.seed_demo import CLIENTS, DEMO_PASSWORD, THERAPISTS
from portal.models import CaseloadAssignment, Practice, User


def test_seed_demo_builds_the_practice_once_and_prints_sign_ins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert Practice.objects.count() == 1
    assert User.objects.therapists().count() == len(THERAPISTS) == 2
    assert User.objects.clients().count() == len(CLIENTS) >= 8
    assert CaseloadAssignment.objects.count() == len(CLIENTS)
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for email, *_ in THERAPISTS + [(c[0],) for c in CLIENTS]:
        assert email in printed
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
