"""People: practices, users and their roles, caseloads and invitations."""

import hashlib
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(gettext("“%(value)s” is not a known time zone.") % {"value": value})


# A new practice's stored text, in English; shown translated where no practice has its own.
DEFAULT_CRISIS_HELP = gettext_noop(
    "If you are in crisis or thinking about harming yourself, call or text 988 "
    "(the Suicide & Crisis Lifeline, US), or call 911 or go to your nearest emergency room."
)


# A number someone can dial or text: digits, with an optional leading + and the
# spaces, dots, dashes and brackets people write them with.
phone_number_validator = RegexValidator(
    r"^\+?[0-9][0-9 ().-]{1,30}$",
    _("Enter a phone number using digits (and + - . ( ) or spaces)."),
)


class Practice(models.Model):
    name = models.CharField(_("name"), max_length=200)
    crisis_help = models.TextField(
        _("where to get help in a crisis"),
        default=DEFAULT_CRISIS_HELP,
        help_text=_("Shown on every client page. Write it for where this practice's clients live."),
    )
    on_call_name = models.CharField(
        _("on-call contact"),
        max_length=200,
        blank=True,
        help_text=_("Who hears when a client's crisis answer has had no action in time."),
    )
    on_call_email = models.EmailField(
        _("on-call email"),
        blank=True,
        help_text=_("Escalations go here. Left empty, they go to the practice's staff accounts."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Default time zone for the practice's clients."),
    )
    show_scores_to_clients = models.BooleanField(
        _("show questionnaire scores to clients"),
        default=True,
        help_text=_(
            "Clients see their PHQ-9 and GAD-7 scores with what they mean. Some practices "
            "prefer to go through scores in session only."
        ),
    )
    show_trends_to_clients = models.BooleanField(
        _("suggest trends to clients for their agenda"),
        default=True,
        help_text=_(
            "Clients see, in plain words, the trends the portal noticed in their own check-ins, "
            "and may add them to the agenda for their next session."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.name


# When a line is open, as the admin's form suggests it: worded in the reader's
# language wherever a practice kept it as it is.
ALWAYS_OPEN = gettext_noop("24 hours a day, every day")


class Dialable:
    """Tap-to-call and tap-to-text links for a line's numbers, and its hours."""

    call_number: str
    text_number: str
    text_message: str
    hours: str

    @property
    def hours_text(self) -> str:
        hours = str(self.hours)
        return gettext(ALWAYS_OPEN) if hours == ALWAYS_OPEN else hours

    @staticmethod
    def _uri_number(number: str) -> str:
        return "".join(ch for ch in number if ch.isdigit() or ch == "+")

    @property
    def tel_href(self) -> str:
        return f"tel:{self._uri_number(self.call_number)}" if self.call_number else ""

    @property
    def sms_href(self) -> str:
        if not self.text_number:
            return ""
        href = f"sms:{self._uri_number(self.text_number)}"
        # "?&body=" is the form both iOS and Android messaging apps read.
        return f"{href}?&body={quote(self.text_message)}" if self.text_message else href


class CrisisContact(Dialable, models.Model):
    """A crisis line or emergency number a practice's clients can call or text.

    Shown with tap-to-call and tap-to-text links wherever a client may need
    help now. A practice with none set shows DEFAULT_CRISIS_CONTACTS.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="crisis_contacts")
    name = models.CharField(
        _("name"), max_length=120, help_text=_("For example “988 Suicide & Crisis Lifeline”.")
    )
    call_number = models.CharField(
        _("number to call"), max_length=32, blank=True, validators=[phone_number_validator]
    )
    text_number = models.CharField(
        _("number to text"), max_length=32, blank=True, validators=[phone_number_validator]
    )
    hours = models.CharField(_("when it is open"), max_length=120, default=ALWAYS_OPEN)
    # Clients see the lines that answer in their own language first.
    language = models.CharField(
        _("answers in"),
        max_length=8,
        blank=True,
        choices=[("", _("Any language")), *settings.LANGUAGES],
        default="",
        help_text=_("The language the line answers in; empty for any (911 finds an interpreter)."),
    )
    text_message = models.CharField(
        _("word to text"),
        max_length=32,
        blank=True,
        help_text=_("A word that starts the text conversation, such as “AYUDA” for Spanish."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower comes first.")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("crisis contact")
        verbose_name_plural = _("crisis contacts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(call_number="") | ~Q(text_number=""),
                name="crisis_contact_has_a_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not self.call_number and not self.text_number:
            raise ValidationError(gettext("Give a number to call, a number to text, or both."))


@dataclass(frozen=True)
class CrisisLine(Dialable):
    """A crisis line the portal knows without a practice setting it (not stored)."""

    name: str
    call_number: str
    hours: str
    text_number: str = ""
    text_message: str = ""
    language: str = ""


# Where a practice has set no contacts of its own: the US national lines. The
# lifeline's names are its own. Its Spanish-language service is reached on the
# same number: press 2 on a call, or text AYUDA (988lifeline.org, "What to
# expect").
DEFAULT_CRISIS_CONTACTS = (
    CrisisLine(
        name="988 Suicide & Crisis Lifeline",
        call_number="988",
        text_number="988",
        hours=_("24 hours a day, every day"),
        language="en",
    ),
    CrisisLine(
        name="988 Lifeline en español",
        call_number="988",
        text_number="988",
        text_message="AYUDA",
        hours=_("24 hours a day, every day; on a call, press 2 for Spanish"),
        language="es",
    ),
    CrisisLine(
        name=_("Emergency services"), call_number="911", hours=_("24 hours a day, every day")
    ),
)


def crisis_contacts_for(
    practice: "Practice | None", language: str = ""
) -> list[CrisisContact | CrisisLine]:
    """The contacts to show a practice's clients (its own, or the national
    defaults), the lines answering in `language` or any language first."""
    own = list(practice.crisis_contacts.all()) if practice is not None else []
    contacts = own or list(DEFAULT_CRISIS_CONTACTS)
    # A stable sort: within each group, the practice's own order stands.
    return sorted(contacts, key=lambda c: c.language not in ("", language))


def quick_links(contacts) -> list[tuple[str, Dialable]]:
    """The call and text links of `contacts`, in order, each number once: the
    short list at the top of every client page (the first line to answer in
    the reader's language wins a number two lines share)."""
    links, seen = [], set()
    for contact in contacts:
        for kind, number in (("call", contact.call_number), ("text", contact.text_number)):
            key = (kind, Dialable._uri_number(number))
            if number and key not in seen:
                seen.add(key)
                links.append((kind, contact))
    return links


class Role(models.TextChoices):
    CLIENT = "client", _("Client")
    THERAPIST = "therapist", _("Therapist")


class UserQuerySet(models.QuerySet):
    def clients(self):
        return self.filter(role=Role.CLIENT)

    def therapists(self):
        return self.filter(role=Role.THERAPIST)

    def caseload_of(self, therapist: "User"):
        """The clients currently assigned to `therapist`."""
        return self.filter(
            role=Role.CLIENT,
            assignments__therapist=therapist,
            assignments__ended_at__isnull=True,
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a client, a therapist, or practice staff.

    Staff (practice administrators) work in the Django admin and need no
    portal role; clients and therapists each have exactly one role.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # A non-sequential id for URLs, so an address reveals nothing about how
    # many people the practice has or who was invited when.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    practice = models.ForeignKey(
        Practice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("practice"),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    # Pages and emails for this person are in this language, whoever sends them.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Pages and emails are in this language."),
    )
    # So the therapist can reach a client the same day after a crisis answer.
    phone = models.CharField(
        _("phone number"), max_length=32, blank=True, validators=[phone_number_validator]
    )
    # A practice-level permission, granted by staff in the admin: the practice's
    # outcomes in aggregate, never one client's data. A lead may also be a therapist.
    is_clinical_lead = models.BooleanField(
        _("clinical lead"),
        default=False,
        help_text=_(
            "Sees the practice's outcomes in aggregate (no client names or answers). "
            "Needs a practice, and two-factor sign-in like therapists."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["", *Role.values]), name="user_role_known"
            ),
            models.CheckConstraint(
                condition=Q(is_clinical_lead=False)
                | (Q(practice__isnull=False) & ~Q(role=Role.CLIENT)),
                name="clinical_lead_has_practice_and_is_not_a_client",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_therapist(self) -> bool:
        return self.role == Role.THERAPIST

    @property
    def is_lead(self) -> bool:
        """A clinical lead of a practice: sees that practice's outcomes in aggregate."""
        return self.is_clinical_lead and self.practice_id is not None and not self.is_client

    def clean(self):
        super().clean()
        if self.is_clinical_lead and self.practice_id is None:
            raise ValidationError(
                {
                    "practice": gettext(
                        "A clinical lead needs a practice: theirs is the one they see."
                    )
                }
            )
        if self.is_clinical_lead and self.is_client:
            raise ValidationError(
                {"is_clinical_lead": gettext("A client cannot be a clinical lead.")}
            )

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def current_therapist(self) -> "User | None":
        assignment = (
            self.assignments.filter(ended_at__isnull=True).select_related("therapist").first()
        )
        return assignment.therapist if assignment else None


class CaseloadAssignment(models.Model):
    """A client on a therapist's caseload for a span of time.

    A client has at most one open assignment; moving to another therapist
    closes the old one, so the history of who saw whom is kept.
    """

    client = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("client")
    )
    therapist = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="caseload_assignments",
        verbose_name=_("therapist"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # A therapist starting a new course of therapy for a current client: the
    # only course start the assignments' dates cannot show (see course_start).
    starts_course = models.BooleanField(
        _("starts a new course"),
        default=False,
        help_text=_("A new course of therapy for a client already on the caseload."),
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("caseload assignment")
        verbose_name_plural = _("caseload assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_at__isnull=True),
                name="one_open_assignment_per_client",
            ),
        ]
        indexes = [
            models.Index(
                fields=["therapist", "client"],
                condition=Q(ended_at__isnull=True),
                name="open_caseload_idx",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(client)s with %(therapist)s") % {
            "client": self.client,
            "therapist": self.therapist,
        }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A therapist's invitation for a client to join the portal.

    Only a hash of the link's token is stored: someone who reads the database
    cannot use a pending invitation.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    therapist = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="invitations_sent",
        verbose_name=_("therapist"),
    )
    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # The invitation email is written in it; the account starts in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When it was last issued.
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The email goes out from a background task: when it reached the mail
    # server, and why not yet if it has not.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    delivery_error = models.CharField(_("delivery error"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    accepted_by = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
        verbose_name=_("accepted by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return gettext("Invitation for %(email)s") % {"email": self.email}

    @staticmethod
    def default_expiry(now=None):
        return (now or timezone.now()) + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class AppendOnlyError(Exception):
    """The access log is never changed or deleted, by anyone."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only.")


class AccessLog(models.Model):
    """One view of one client's data by a therapist or staff member.

    Append-only: rows are never changed or deleted by the application, and the
    admin offers no way to. It records who, whom, which view and when; never
    any check-in content.
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        DENIED = "denied", _("Denied")

    at = models.DateTimeField(pgettext_lazy("moment", "at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor")
    )
    actor_email = models.EmailField(_("actor email"))
    client = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("client")
    )
    # Kept when the client's account is gone, so the trail still reads.
    client_ref = models.CharField(_("client ref"), max_length=36, blank=True)
    view = models.CharField(pgettext_lazy("page viewed", "view"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(_("ip address"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "at"], name="access_client_idx")]
        verbose_name = _("access log")
        verbose_name_plural = _("access logs")

    def __str__(self) -> str:
        return gettext("%(actor)s %(outcome)s %(view)s %(client)s at %(at)s") % {
            "actor": self.actor_email,
            "outcome": self.outcome,
            "view": self.view,
            "client": self.client_ref,
            "at": f"{self.at:%c}",
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")


class DeletionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(cancelled_at__isnull=True, completed_at__isnull=True)


class DeletionRequest(models.Model):
    """A client's request to delete their data, and the record that it was done."""

    client = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="deletion_requests"
    )
    client_ref = models.CharField(max_length=36)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = DeletionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # However many times "delete my data" is pressed at once, one request.
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(cancelled_at__isnull=True, completed_at__isnull=True),
                name="one_pending_deletion_per_client",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Deletion of %(client)s due %(date)s") % {
            "client": self.client_ref,
            "date": f"{self.due_at:%Y-%m-%d}",
        }


# A return within this long of the last assignment's end continues the course: a
# move to another therapist closes one assignment and opens the next at once.
COURSE_GAP = timedelta(days=1)
# The open ends of a client's first and latest course, as moments a timestamp
# compares with on every database (far from the limits of a datetime, which a
# conversion to local time would overflow).
BEFORE_ANY_COURSE = datetime(1900, 1, 1, tzinfo=UTC)
AFTER_EVERY_COURSE = datetime(9000, 1, 1, tzinfo=UTC)


def _course_starts(assignments: QuerySet) -> QuerySet:
    """The assignments among `assignments` that begin a course: marked so by the
    therapist, or with no assignment of the client's open within COURSE_GAP
    before them."""
    continued = CaseloadAssignment.objects.filter(
        client=OuterRef("client"), started_at__lt=OuterRef("started_at")
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("started_at") - COURSE_GAP))
    return assignments.filter(Q(starts_course=True) | ~Exists(continued))


def course_start(client, moment=None) -> Coalesce:
    """When the client's course of therapy open at `moment` (now, if None) began,
    as an expression; BEFORE_ANY_COURSE while that is the client's first course,
    so everything the client wrote before their first assignment belongs to it.
    `client` and `moment` are values or references (OuterRef) to them.

    A course starts at the client's first assignment, at a return after a gap
    (no assignment open within `COURSE_GAP` before it), or where the therapist
    started a new course (`starts_course`). A check-in belongs to the course
    open when it was first submitted."""
    assignments = CaseloadAssignment.objects.filter(client=client)
    if moment is not None:
        assignments = assignments.filter(started_at__lte=moment)
    earlier = CaseloadAssignment.objects.filter(
        client=OuterRef("client"), started_at__lt=OuterRef("started_at")
    )
    return Coalesce(
        Subquery(
            _course_starts(assignments)
            .filter(Exists(earlier))
            .order_by("-started_at")
            .values("started_at")[:1]
        ),
        Value(BEFORE_ANY_COURSE, output_field=DateTimeField()),
    )


def course_end(client, moment) -> Coalesce:
    """When the course after the one open at `moment` began (AFTER_EVERY_COURSE
    if none has): the moment that course's check-ins stop."""
    later = CaseloadAssignment.objects.filter(client=client, started_at__gt=moment)
    return Coalesce(
        Subquery(_course_starts(later).order_by("started_at").values("started_at")[:1]),
        Value(AFTER_EVERY_COURSE, output_field=DateTimeField()),
    )


class SignedInSession(models.Model):
    """Which session keys a person is signed in with, so that every one of their
    sessions can be ended (on erasure) without reading every session there is.

    A row is written on each sign-in and dropped when the session is ended or,
    by the nightly `end_expired_sessions`, once the session has expired.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return gettext("Signed in at %(at)s") % {"at": f"{self.signed_in_at:%c}"}
