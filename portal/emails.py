"""Sending the portal's emails: a plain-text and an HTML part from templates,
and an unsubscribe link in the headers where the email is optional."""

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape

# Stands in for each recipient's unsubscribe link in an email rendered once for
# many. The ampersand tells where a template escaped it (the HTML part) from
# where it did not (the plain text, the headers).
LINK_MARK = "unsubscribe-link&mark"


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


def templated_email_for_each(
    *, template: str, context: dict, language: str
) -> Callable[[str, str], EmailMultiAlternatives]:
    """`templated_email` for many recipients of the same email but for their
    unsubscribe links: rendered once, then, for each `(to, unsubscribe_url)`,
    the email `templated_email` would have rendered for them."""
    with translation.override(language):
        base = _render("", template, context, LINK_MARK)
    escaped_mark = conditional_escape(LINK_MARK)
    html, mimetype = base.alternatives[0]

    def with_link(text: str, url: str) -> str:
        return text.replace(escaped_mark, conditional_escape(url)).replace(LINK_MARK, url)

    def for_recipient(to: str, unsubscribe_url: str) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=with_link(base.subject, unsubscribe_url),
            body=with_link(base.body, unsubscribe_url),
            to=[to],
            headers={
                name: with_link(value, unsubscribe_url)
                for name, value in base.extra_headers.items()
            },
        )
        message.attach_alternative(with_link(html, unsubscribe_url), mimetype)
        return message

    return for_recipient


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
