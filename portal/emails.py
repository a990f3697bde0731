"""Sending the portal's emails: a plain-text and an HTML part from templates,
and an unsubscribe link in the headers where the email is optional."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(
    *, to: str, template: str, context: dict, language: str, unsubscribe_url: str | None = None
) -> int:
    """Render the email (see `templated_email`) and send it; returns how many
    messages the backend took (0 means none went)."""
    return templated_email(
        to=to,
        template=template,
        context=context,
        language=language,
        unsubscribe_url=unsubscribe_url,
    ).send()


def templated_email(
    *, to: str, template: str, context: dict, language: str, unsubscribe_url: str | None = None
) -> EmailMultiAlternatives:
    """`<template>_subject.txt`, `.txt` and `.html` rendered into one email to `to`,
    in the recipient's `language` whatever the sender's or the server's."""
    with translation.override(language):
        return _render(to, template, context, unsubscribe_url)


def _render(to, template, context, unsubscribe_url) -> EmailMultiAlternatives:
    context = {**context, "unsubscribe_url": unsubscribe_url}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    headers = {}
    if unsubscribe_url:
        # RFC 8058: mail clients can offer one-click unsubscribe with a POST.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
