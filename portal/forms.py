import functools
import unicodedata
import zoneinfo
from pathlib import Path

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ResetPasswordKeyForm
from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext, to_locale
from django.utils.translation import gettext_lazy as _

from .models import User, phone_number_validator


class PortalFormHelper(FormHelper):
    """Crispy helper with the portal's defaults: POST, one labelled submit button."""

    def __init__(self, submit_label: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_method = "post"
        self.add_input(Submit("submit", submit_label, css_class="btn-primary"))


def phone_field(help_text: str = "") -> forms.CharField:
    """The client's own phone number, optional: how a therapist reaches them the same day."""
    reason = _(
        "So your therapist can reach you the same day if you ever tell us you are in crisis."
    )
    return forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=32,
        validators=[phone_number_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text=format_lazy("{} {}", reason, help_text) if help_text else reason,
    )


class ErrorSummaryMixin:
    """A rejected form lists its errors at the top, each linked to its field, so a
    person on a phone (or a screen reader) is taken to what needs fixing."""

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) for every error, in the order of the form."""
        rows = [("", "", message) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                rows.append((f"div_id_{self.add_prefix(name)}", field.label or name, message))
        return rows


# The longest address SMTP carries (RFC 5321), and what the database column holds.
EMAIL_MAX_LENGTH = 254
EMAIL_TOO_LONG = _("An email address can be at most %(limit_value)d characters long.")


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        max_length=EMAIL_MAX_LENGTH, error_messages={"max_length": EMAIL_TOO_LONG}, **kwargs
    )


class InviteClientForm(ErrorSummaryMixin, forms.Form):
    email = email_field(label=_("Client's email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    # Not required: left out, the therapist's own language is used.
    language = forms.ChoiceField(
        label=_("The client's language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The invitation email, and then the portal, are in this language."),
    )

    def __init__(self, *args, therapist=None, **kwargs):
        super().__init__(*args, **kwargs)
        if therapist is not None:
            self.initial.setdefault("language", therapist.language)
        self.helper = PortalFormHelper(gettext("Send invitation"))


class AddEmailForm(AllauthAddEmailForm):
    """Account settings' "add an email address" (ACCOUNT_FORMS). A client's
    address is the one their therapist invited: they add none, so nobody can
    have the portal write to a stranger's address in their name."""

    email = email_field(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        if self.user is not None and self.user.is_client:
            raise forms.ValidationError(
                gettext(
                    "Your email address is the one your therapist invited. "
                    "To change it, please ask your practice."
                ),
                code="clients_add_no_email",
            )
        return super().clean_email()


class ChoosePasswordForm(ResetPasswordKeyForm):
    """The page the emailed link opens (ACCOUNT_FORMS), labelled in the portal's
    words rather than allauth's Title Case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (
            ("password1", _("New password")),
            ("password2", _("New password again")),
        ):
            self.fields[name].label = label
            self.fields[name].widget.attrs.pop("placeholder", None)
            self.fields[name].widget.attrs["autocomplete"] = "new-password"


# The areas real places' zones are named under; the rest of the database is
# aliases and oddities ("Factory", "localtime", "Etc/GMT+5", "US/Eastern").
ZONE_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@functools.cache
def zone_countries() -> dict[str, str]:
    """Each canonical zone and its country, from the time zone database's zone.tab
    (empty where the system does not ship it: the zones are then listed by area)."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        if path.exists():
            rows = (line.split("\t") for line in path.read_text().splitlines())
            return {row[2]: row[0] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return {}


@functools.cache
def real_time_zones() -> list[str]:
    countries = zone_countries()
    zones = set(countries) or {
        name for name in zoneinfo.available_timezones() if name.split("/")[0] in ZONE_AREAS
    }
    return sorted((zones | {"UTC"}) & zoneinfo.available_timezones())


def _label(name: str) -> str:
    return _zone_label(name, get_language() or settings.LANGUAGE_CODE)


@functools.cache
def _zone_label(name: str, language: str) -> str:
    """A zone by its city and country in the reader's language, from Babel's copy
    of the Unicode locale data: "Nueva York (Estados Unidos)". A zone with no
    country (UTC) keeps its name."""
    country = zone_countries().get(name)
    try:
        locale = Locale.parse(to_locale(language))
        city = get_timezone_location(name, locale=locale, return_city=True)
    except (ValueError, LookupError, UnknownLocaleError):
        return name.replace("_", " ")
    region = locale.territories.get(country, "") if country else ""
    return f"{city} ({region})" if region and region != city else city


def _by_label(choices: list) -> list:
    """In the order a reader looks for them: by city, accents aside."""
    return sorted(choices, key=lambda choice: _plain(choice[1]))


def _plain(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


def time_zone_choices(near: str | None = None) -> list:
    """Real places only; the zones of the country of `near` (the practice's zone)
    first, then every zone."""
    zones = real_time_zones()
    country = zone_countries().get(near or "")
    everywhere = _by_label([(name, _label(name)) for name in zones])
    if near and near not in zones:  # an existing setting outside the list stays choosable
        everywhere.insert(0, (near, _label(near)))
    if not country:
        return everywhere
    nearby = _by_label(
        [(name, _label(name)) for name in zones if zone_countries().get(name) == country]
    )
    return [(gettext("Near your practice"), nearby), (gettext("All time zones"), everywhere)]


class TimeZoneSelect(forms.Select):
    """Preselects the browser's own zone on a new form (static/js/time-zone.js)."""

    def __init__(self, *args, preselect: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if preselect:
            self.attrs["data-browser-time-zone"] = "preselect"


class AcceptInvitationForm(ErrorSummaryMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        help_text=_("Your weekly check-in follows the week where you live."),
        widget=TimeZoneSelect,
    )
    phone = phone_field()
    # Not required: left out, the invitation's language is used.
    language = forms.ChoiceField(
        label=_("Your language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The portal and its emails are in this language. You can change it later."),
    )

    def __init__(self, *args, invitation, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        # The page's language: the invitation's, or the one the visitor picked.
        self.initial.setdefault("language", language or invitation.language)
        practice = invitation.therapist.practice
        self.fields["time_zone"].choices = time_zone_choices(
            practice.time_zone if practice else None
        )
        if practice and not self.is_bound:
            self.initial.setdefault("time_zone", practice.time_zone)
        self.helper = PortalFormHelper(gettext("Create my account"))

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", gettext("The two passwords do not match."))
        elif p1:
            # Validate against the person-to-be, so a password close to their
            # own email or name is refused.
            candidate = User(
                email=self.invitation.email,
                first_name=self.invitation.first_name,
                last_name=self.invitation.last_name,
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def local_path(url: str) -> str:
    """`url` if it is a path on this site, else "": never another site (`//host`,
    a scheme, a backslash trick), never a control character a redirect could
    not carry."""
    if (
        url.startswith("/")
        and not any(unicodedata.category(char)[0] == "C" for char in url)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        return url
    return ""


class LocalPathField(forms.CharField):
    """A page to come back to. Anything but a local path is dropped rather than
    refused: a tampered link still gets the rest of its form saved."""

    def to_python(self, value):
        return local_path(super().to_python(value))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("Pages and emails are in this language."),
    )
    # Where to go back to: the page the switcher was on.
    next = LocalPathField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper(gettext("Save"))
