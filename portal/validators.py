"""Password rules beyond Django's own."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext


class MaximumLengthValidator:
    """Refuse absurdly long passwords: hashing a megabyte is a way to tie up the
    server, and no one types one. 200 characters leaves room for any passphrase."""

    def __init__(self, max_length: int = 200):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Please use at most %(max)d character.",
                    "Please use at most %(max)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max": self.max_length},
            )

    def get_help_text(self):
        return gettext("Your password can be up to %(max)d characters long.") % {
            "max": self.max_length
        }
