"""Showing two-factor secrets so that a person can read them off the screen."""

from django import template

register = template.Library()


@register.filter
def in_fours(secret: str) -> str:
    """The secret in groups of four, as authenticator apps accept it typed
    with or without the spaces: easier to copy by eye than 32 letters in a row."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
