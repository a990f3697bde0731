"""Every view of a client's data by a therapist or staff member leaves one log row."""

import pytest
from django.urls import reverse

from checkins.models import CheckIn, Flag
from checkins.services import submit_checkin
from portal.models import AccessLog, AppendOnlyError
from tests.factories import ClientFactory, answers


def rows():
    return list(
        AccessLog.objects.order_by("pk").values_list("actor_email", "client_ref", "view", "outcome")
    )


def test_the_dashboard_logs_one_row_per_client_shown(client, therapist):
    people = [ClientFactory(therapist=therapist) for _ in range(3)]
    client.force_login(therapist)
    client.get(reverse("caseload"))
    assert sorted(r[1] for r in rows()) == sorted(str(p.public_id) for p in people)
    assert {r[2] for r in rows()} == {"caseload"}
    assert {r[0] for r in rows()} == {therapist.email}


@pytest.mark.parametrize("page", ["client_detail", "session_prep"])
def test_a_client_page_logs_its_client(client, therapist, client_a, page):
    client.force_login(therapist)
    client.get(reverse(page, args=[client_a.public_id]))
    assert rows() == [(therapist.email, str(client_a.public_id), page, "allowed")]


def test_a_refused_look_is_logged_too(client, therapist, client_b):
    client.force_login(therapist)
    assert client.get(reverse("client_detail", args=[client_b.public_id])).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    client.get(reverse("client_detail", args=[missing]))
    assert rows() == [
        (therapist.email, str(client_b.public_id), "client_detail", "denied"),
        (therapist.email, "", "client_detail", "denied"),
    ]


def test_no_check_in_content_goes_into_the_log(client, therapist, client_a):
    submit_checkin(client=client_a, data=answers(to_raise="a very private sentence"))
    client.force_login(therapist)
    client.get(reverse("client_detail", args=[client_a.public_id]))
    for row in AccessLog.objects.values():
        assert "private" not in " ".join(str(v) for v in row.values())


def test_staff_views_in_the_admin_are_logged(client, staff, client_a, client_b):
    submit_checkin(client=client_a, data=answers())
    submit_checkin(client=client_b, data=answers(discomfort=4))
    client.force_login(staff)
    client.get(reverse("admin:checkins_checkin_changelist"))
    assert sorted(r[1] for r in rows()) == sorted(
        [str(client_a.public_id), str(client_b.public_id)]
    )
    checkin = CheckIn.objects.get(client=client_a)
    client.get(reverse("admin:checkins_checkin_change", args=[checkin.pk]))
    assert rows()[-1][:2] == (staff.email, str(client_a.public_id))
    flag = Flag.objects.get(client=client_b)
    client.get(reverse("admin:checkins_flag_change", args=[flag.pk]))
    assert rows()[-1][:2] == (staff.email, str(client_b.public_id))


def test_the_log_cannot_be_changed_or_deleted(client, staff, therapist, client_a):
    client.force_login(therapist)
    client.get(reverse("client_detail", args=[client_a.public_id]))
    entry = AccessLog.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.update(view="edited")
    client.force_login(staff)
    assert client.get(reverse("admin:portal_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_accesslog_change", args=[entry.pk])).status_code == 200
    assert (
        client.post(
            reverse("admin:portal_accesslog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:portal_accesslog_add")).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk, view="client_detail").exists()


def test_edits_to_check_ins_and_flags_keep_their_history(client, therapist, client_a):
    checkin = submit_checkin(client=client_a, data=answers(wellbeing=4, discomfort=4))
    submit_checkin(client=client_a, data=answers(wellbeing=6, discomfort=4))
    assert [h.wellbeing for h in checkin.history.order_by("history_date")] == [4, 6]
    flag = Flag.objects.get(client=client_a)
    client.force_login(therapist)
    client.post(
        reverse("flag_dismiss", args=[client_a.public_id, flag.pk]),
        {f"dismiss-{flag.pk}-reason": "Known and discussed"},
    )
    latest = flag.history.order_by("-history_date").first()
    assert latest.status == "dismissed"
    assert latest.history_user == therapist, "who changed it is recorded"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "recorded"),
    [
        (0, "6.6.6.6", "10.0.0.5", "10.0.0.5"),  # no proxy: the header is the client's own
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.1", "203.0.113.9"),  # what our proxy saw
        (1, "unknown", "10.0.0.1", None),
        (1, "203.0.113.5:4711", "10.0.0.1", None),
        (0, "", "not-an-ip", None),
    ],
)
def test_the_logged_address_cannot_be_forged_or_break_the_page(
    client, therapist, client_a, settings, proxies, forwarded, remote, recorded
):
    settings.TRUSTED_PROXY_COUNT = proxies
    client.force_login(therapist)
    response = client.get(
        reverse("client_detail", args=[client_a.public_id]),
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=remote,
    )
    assert response.status_code == 200
    assert AccessLog.objects.get().ip_address == recorded


def test_staff_never_read_what_a_client_wrote_and_change_no_check_in(client, staff, client_a):
    checkin = submit_checkin(client=client_a, data=answers(to_raise="my private words"))
    client.force_login(staff)
    page = client.get(reverse("admin:checkins_checkin_change", args=[checkin.pk]))
    assert page.status_code == 200
    assert "my private words" not in page.text
    response = client.post(
        reverse("admin:checkins_checkin_change", args=[checkin.pk]), {"wellbeing": 0}
    )
    assert response.status_code == 403
    checkin.refresh_from_db()
    assert checkin.wellbeing == 6


def test_history_pages_and_the_user_admin_are_logged_too(client, staff, client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = Flag.objects.get(client=client_a)
    client.force_login(staff)
    client.get(reverse("admin:checkins_flag_history", args=[flag.pk]))
    client.get(reverse("admin:portal_user_change", args=[client_a.pk]))
    views = [r[2] for r in rows()]
    assert views == ["admin:checkins_flag_history", "admin:portal_user_change"]
    assert {r[1] for r in rows()} == {str(client_a.public_id)}
