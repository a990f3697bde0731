"""An email rendered once for many is, for each recipient, the email rendered for them."""

from datetime import date

import pytest

from checkins.models import NotificationKind
from checkins.notifications import UNSUBSCRIBE_REMINDERS, _reminder_email, unsubscribe_url
from portal.emails import templated_email, templated_email_for_each


def parts(message):
    return (
        message.subject,
        message.body,
        message.to,
        message.extra_headers,
        [tuple(alternative) for alternative in message.alternatives],
    )


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("follow_up", [False, True])
def test_each_recipient_gets_what_rendering_for_them_gives(language, follow_up):
    context = {
        "follow_up": follow_up,
        "checkin_url": "http://testserver/checkin/",
        "week_end": date(2026, 11, 8),
    }
    for_each = templated_email_for_each(
        template="checkins/email/reminder", context=context, language=language
    )
    for to, url in [
        ("a@example.com", "http://testserver/unsubscribe/abc:def/"),
        ("b@example.com", "http://testserver/unsubscribe/?a=1&b=<2>\"'"),
    ]:
        expected = templated_email(
            to=to,
            template="checkins/email/reminder",
            context=context,
            language=language,
            unsubscribe_url=url,
        )
        assert parts(for_each(to, url)) == parts(expected)


def test_a_batch_gives_each_client_their_own_link(client_a, client_b):
    rendered = {}
    week = date(2026, 11, 2)
    for person in (client_a, client_b, client_a):
        message = _reminder_email(person, NotificationKind.REMINDER, week, rendered)
        assert message.to == [person.email]
        link = unsubscribe_url(person, UNSUBSCRIBE_REMINDERS)
        assert link in message.body and link in message.alternatives[0][0]
        # As it was rendered for each client alone.
        alone = templated_email(
            to=person.email,
            template="checkins/email/reminder",
            language=person.language,
            context={
                "client": person,
                "follow_up": False,
                "checkin_url": "http://testserver/checkin/",
                "week_end": date(2026, 11, 8),
            },
            unsubscribe_url=link,
        )
        assert parts(message) == parts(alone)
