"""Mail backends for tests of what happens when the mail server is down."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    """Every send fails, as it does when the SMTP server refuses or is unreachable."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("the mail server is down")


class CountingBackend(LocmemBackend):
    """The test outbox, counting the connections made to it (one per instance)."""

    opened = 0

    def __init__(self, *args, **kwargs):
        type(self).opened += 1
        super().__init__(*args, **kwargs)


class FailsAfterBackend(LocmemBackend):
    """Takes `left` messages, then fails as a server that drops the connection does."""

    left = 0

    def send_messages(self, email_messages):
        if type(self).left < len(email_messages):
            raise smtplib.SMTPServerDisconnected("the connection dropped")
        type(self).left -= len(email_messages)
        return super().send_messages(email_messages)


class RefusesOneBackend(LocmemBackend):
    """Refuses one address for good (a 550), as a server does a mailbox that is gone."""

    refused = ""

    def send_messages(self, email_messages):
        for message in email_messages:
            if type(self).refused in message.to:
                raise smtplib.SMTPRecipientsRefused({type(self).refused: (550, b"No such user")})
        return super().send_messages(email_messages)
