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
