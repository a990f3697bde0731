"""AnyOf finds what IN finds, on either database."""

from django.db.models import F

from checkins.models import CheckIn
from portal.lookups import AnyOf
from tests.factories import checkin_history


def test_any_of_is_in(client_a, client_b):
    checkin_history(client_a, [{"wellbeing": 2}, {"wellbeing": 7}, {"wellbeing": 5}])
    checkin_history(client_b, [{"wellbeing": 4}])
    ids = list(CheckIn.objects.values_list("id", flat=True))
    for wanted in ([], ids[:1], ids[1:], [*ids, None, -1], ids * 2):
        assert set(CheckIn.objects.filter(AnyOf(F("id"), wanted))) == set(
            CheckIn.objects.filter(id__in=wanted)
        )
