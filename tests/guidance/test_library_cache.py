"""The advice library is read once and kept until it changes: every kind of write
to it, in this process or another, is seen by the next check-in."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from checkins.services import submit_checkin
from guidance.content import load_advice
from guidance.library import VERSION_KEY, advice_library, new_version
from guidance.models import Advice, ShownAdvice
from tests.factories import answers

KEY = "discomfort-with-therapist"


@pytest.fixture
def library(db):
    advice_library()  # read once: what follows must not be served the old one


def test_kept_library_is_served_without_a_query(library, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert KEY in advice_library()


def test_a_save_is_seen(library):
    advice = Advice.objects.get(key=KEY)
    advice.title_en = "A new heading"
    advice.save()
    assert advice_library()[KEY].title == "A new heading"


def test_a_queryset_update_is_seen(library):
    Advice.objects.filter(key=KEY).update(is_active=False)
    assert KEY not in advice_library()


def test_a_bulk_update_is_seen(library):
    advice = Advice.objects.get(key=KEY)
    advice.body_en = "Rewritten in bulk."
    Advice.objects.bulk_update([advice], ["body_en"])
    assert advice_library()[KEY].body == "Rewritten in bulk."


def test_a_delete_is_seen(library):
    Advice.objects.filter(key=KEY).delete()
    assert KEY not in advice_library()


def test_a_bulk_create_is_seen(library):
    Advice.objects.bulk_create(
        [Advice(key="new-piece", title_en="New", body_en="New.", audience="client")]
    )
    assert "new-piece" in advice_library()


def test_a_change_made_in_another_process_is_seen(library, django_assert_num_queries):
    # Another process writes to the database (here as plain SQL: no signals in this
    # one), then sets a new version in the shared cache, as its signals would.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE guidance_advice SET title_en = %s WHERE key = %s", ["Elsewhere", KEY]
        )
    assert advice_library()[KEY].title != "Elsewhere", "kept until the version changes"
    cache.set(VERSION_KEY, "set-by-another-process")
    with django_assert_num_queries(1):
        assert advice_library()[KEY].title == "Elsewhere"


def test_a_lost_version_reads_the_library_again(library, django_assert_num_queries):
    cache.delete(VERSION_KEY)  # evicted, or the cache restarted
    with django_assert_num_queries(1):
        advice_library()


def test_a_rolled_back_change_is_not_kept(library):
    with pytest.raises(RuntimeError), transaction.atomic():
        Advice.objects.filter(key=KEY).update(is_active=False)
        assert KEY not in advice_library(), "the transaction reads its own change"
        raise RuntimeError
    assert KEY in advice_library()


def test_the_next_submit_uses_the_changed_library(client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    assert ShownAdvice.objects.filter(key=KEY).exists()
    Advice.objects.filter(key=KEY).update(is_active=False)
    checkin = submit_checkin(client=client_a, data=answers(discomfort=4))
    assert not ShownAdvice.objects.filter(checkin=checkin, key=KEY).exists()


def test_a_new_version_is_a_new_value():
    cache.clear()
    new_version()
    first = cache.get(VERSION_KEY)
    new_version()
    assert cache.get(VERSION_KEY) not in (None, first)


# Committed for real (the tests above run inside one transaction that is rolled
# back): the new version must come from the write, not from the open transaction.
# (Run after the others, on tables emptied of the migrations' data: the library
# is loaded again.)
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loaded(transactional_db):
    load_advice(Advice)


@committed
def test_a_committed_update_is_seen(loaded):
    advice_library()
    Advice.objects.filter(key=KEY).update(is_active=False)
    assert KEY not in advice_library()


@committed
def test_a_save_committed_in_a_transaction_is_seen(loaded):
    advice_library()
    with transaction.atomic():
        advice = Advice.objects.get(key=KEY)
        advice.title_en = "A new heading"
        advice.save()
    assert advice_library()[KEY].title == "A new heading"


@committed
def test_a_committed_delete_is_seen(loaded):
    advice_library()
    with transaction.atomic():
        Advice.objects.filter(key=KEY).delete()
    assert KEY not in advice_library()


@committed
def test_what_a_transaction_read_before_its_commit_is_not_kept(loaded):
    advice_library()
    with transaction.atomic():
        Advice.objects.filter(key=KEY).update(is_active=False)
        advice_library()  # reads its own change, uncommitted
    assert KEY not in advice_library()
    Advice.objects.filter(key=KEY).update(is_active=True)
    assert KEY in advice_library()
