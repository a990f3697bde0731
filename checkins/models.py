"""The weekly check-in."""

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinical.measures import (
    DEFAULT_EVERY_WEEKS,
    EVERY_CHECKIN,
    EVERY_FOUR_WEEKS,
    EVERY_TWO_WEEKS,
    INSTRUMENTS,
    PHQ9,
    Band,
    Instrument,
    band,
)
from clinical.reading import Trajectory
from clinical.text import Joined, Message, decode, english, from_dict, without_full_stop
from clinical.trends import Evidence, needs_crisis_help
from clinical.vocabulary import (  # noqa: F401 - the vocabulary is read from here too
    CLIENT_KINDS,
    HOMEWORK_SHARE,
    HOMEWORK_SHORT,
    SAFETY_KINDS,
    TIERS,
    UNRESOLVED,
    WORTH_RAISING,
    AgendaOutcome,
    Barrier,
    FlagKind,
    Homework,
    Severity,
    Tier,
)
from portal.formats import local_date

logger = logging.getLogger(__name__)

INSTRUMENT_CHOICES = [(key, instrument.short_name) for key, instrument in INSTRUMENTS.items()]

# Limits on free text: long enough for a few honest sentences, short enough
# that a therapist reads it before a session.
HOPED_FOR_MAX_LENGTH = 500
TO_RAISE_MAX_LENGTH = 2000
SESSIONS_REASON_MAX_LENGTH = 200
# What a client writes in their own words: shown to the therapist only when the
# client shares it, never to staff, never read by the rules.
FREE_TEXT_FIELDS = ("hoped_for", "to_raise", "sessions_reason")
# Nobody attends more sessions than this in a course of therapy; a larger
# number is a typing slip.
SESSIONS_MAX = 500

EXPECTATIONS_MIN, EXPECTATIONS_MAX = 1, 5
DISCOMFORT_MIN, DISCOMFORT_MAX = 0, 4
WELLBEING_MIN, WELLBEING_MAX = 0, 10


def week_start_for(moment: datetime, tz) -> date:
    """The Monday of the week that `moment` falls in, in time zone `tz`."""
    local_day = timezone.localtime(moment, tz).date()
    return local_day - timedelta(days=local_day.weekday())


class CheckInQuerySet(models.QuerySet):
    def for_client(self, client):
        return self.filter(client=client)

    def for_week(self, client, week_start: date) -> "CheckIn | None":
        """The client's check-in for the week starting `week_start`, if there is one."""
        return self.filter(client=client, week_start=week_start).first()

    def this_and_previous(
        self, client, week_start: date
    ) -> tuple["CheckIn | None", "CheckIn | None"]:
        """The client's check-in for the week starting `week_start` (if made) and the
        latest one before it: one query."""
        latest = list(
            self.filter(client=client, week_start__lte=week_start).order_by("-week_start")[:2]
        )
        current = latest.pop(0) if latest and latest[0].week_start == week_start else None
        return current, (latest[0] if latest else None)

    def this_week(self, client, now: datetime | None = None) -> "CheckIn | None":
        """The client's check-in for their own current week, if they have made it."""
        return self.for_week(client, week_start_for(now or timezone.now(), client.tz))


class CheckIn(models.Model):
    """One client's answers for one week (the week in the client's own time zone)."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("client"),
    )
    week_start = models.DateField(
        _("week start"), help_text=_("Monday of the client's local week.")
    )

    sessions_attended = models.PositiveSmallIntegerField(
        _("sessions attended"), validators=[MaxValueValidator(SESSIONS_MAX)]
    )
    sessions_reason = models.CharField(
        _("sessions reason"), max_length=SESSIONS_REASON_MAX_LENGTH, blank=True
    )
    expectations = models.PositiveSmallIntegerField(
        _("expectations"),
        validators=[MinValueValidator(EXPECTATIONS_MIN), MaxValueValidator(EXPECTATIONS_MAX)],
    )
    hoped_for = models.TextField(_("hoped for"), max_length=HOPED_FOR_MAX_LENGTH, blank=True)
    discomfort = models.PositiveSmallIntegerField(
        _("discomfort"),
        validators=[MinValueValidator(DISCOMFORT_MIN), MaxValueValidator(DISCOMFORT_MAX)],
    )
    homework = models.CharField(_("homework"), max_length=16, choices=Homework.choices)
    wellbeing = models.PositiveSmallIntegerField(
        _("wellbeing"),
        validators=[MinValueValidator(WELLBEING_MIN), MaxValueValidator(WELLBEING_MAX)],
    )
    felt_worse_after_session = models.BooleanField(_("felt worse after session"))
    barrier_time = models.BooleanField(_("barrier time"), default=False)
    barrier_money = models.BooleanField(_("barrier money"), default=False)
    barrier_energy = models.BooleanField(_("barrier energy"), default=False)
    barrier_life_events = models.BooleanField(_("barrier life events"), default=False)
    to_raise = models.TextField(_("to raise"), max_length=TO_RAISE_MAX_LENGTH, blank=True)
    share_text_with_therapist = models.BooleanField(_("share text with therapist"), default=True)
    in_crisis = models.BooleanField(_("in crisis"), default=False)
    # The clinical reading of this week (clinical.reading), written by the submit
    # and the recompute, so every page reads the one judgement instead of making
    # its own. Derived, so kept out of the edit history.
    trajectory = models.CharField(
        _("trajectory"), max_length=16, choices=Trajectory.choices, blank=True, default=""
    )

    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CheckInQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "trajectory"])

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("check in")
        verbose_name_plural = _("check ins")
        constraints = [
            models.UniqueConstraint(fields=["client", "week_start"], name="one_checkin_per_week"),
            models.CheckConstraint(
                condition=Q(expectations__gte=EXPECTATIONS_MIN)
                & Q(expectations__lte=EXPECTATIONS_MAX),
                name="checkin_expectations_range",
            ),
            models.CheckConstraint(
                condition=Q(discomfort__gte=DISCOMFORT_MIN) & Q(discomfort__lte=DISCOMFORT_MAX),
                name="checkin_discomfort_range",
            ),
            models.CheckConstraint(
                condition=Q(wellbeing__gte=WELLBEING_MIN) & Q(wellbeing__lte=WELLBEING_MAX),
                name="checkin_wellbeing_range",
            ),
            models.CheckConstraint(
                condition=Q(homework__in=Homework.values), name="checkin_homework_known"
            ),
        ]
        indexes = [
            # The practice outcomes count crisis answers in a period: a handful
            # among hundreds of thousands of check-ins, which EXPLAIN showed
            # were otherwise read one by one.
            models.Index(
                fields=["week_start"], condition=Q(in_crisis=True), name="crisis_answer_idx"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(client)s — week of %(week)s") % {
            "client": self.client,
            "week": f"{self.week_start:%Y-%m-%d}",
        }

    def get_constraints(self):
        """The constraints that form validation checks: the unique week only.

        Every CheckConstraint above mirrors a field validator that form
        validation already runs in Python, and the database enforces them on
        write; checking them again would cost one query each per submit.
        """
        return [
            (model, [c for c in constraints if not isinstance(c, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def barriers(self) -> list[str]:
        return [barrier.value for barrier in Barrier if getattr(self, f"barrier_{barrier.value}")]

    @property
    def barrier_labels(self) -> list[str]:
        return [Barrier(value).label for value in self.barriers]

    @property
    def homework_short(self) -> str:
        return HOMEWORK_SHORT[self.homework]

    @property
    def homework_share(self) -> float | None:
        """Share of the homework done, or None when none was set."""
        return HOMEWORK_SHARE.get(self.homework)

    def is_editable(self, now: datetime | None = None) -> bool:
        """A check-in can be changed until its week closes in the client's time zone."""
        return self.week_start == week_start_for(now or timezone.now(), self.client.tz)

    @property
    def measure_answers(self) -> dict[str, list[int]]:
        """The week's questionnaire answers by instrument key, as the rules read them:
        from the saved responses (prefetched where many are read), or as set on an
        unsaved check-in."""
        if "_measure_answers" not in self.__dict__:
            self._measure_answers = (
                {r.instrument: r.answers for r in self.measure_responses.all()} if self.pk else {}
            )
        return self._measure_answers

    @measure_answers.setter
    def measure_answers(self, answers: dict[str, list[int]]) -> None:
        self._measure_answers = answers

    @property
    def needs_crisis_help(self) -> bool:
        """A crisis answer, or PHQ-9 item 9 above "Not at all": crisis help at once."""
        return needs_crisis_help(self)


AGENDA_TEXT_MAX_LENGTH = 500


class AgendaItemQuerySet(models.QuerySet):
    def open(self):
        """On the agenda for the next session: not yet talked about, not removed."""
        return self.filter(talked_about_at__isnull=True, removed_at__isnull=True)

    def awaiting_answer(self):
        """Talked about, and the client has not yet said how it went."""
        return self.filter(talked_about_at__isnull=False, outcome="")


class AgendaItem(models.Model):
    """Something the client wants to talk about at their next session: their own
    words, or a trend from their check-ins that they chose to add."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_items"
    )
    text = models.TextField(max_length=AGENDA_TEXT_MAX_LENGTH)
    # The trend the client added, if it is one (its client wording is the text).
    flag = models.ForeignKey(
        "Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    talked_about_at = models.DateTimeField(null=True, blank=True)
    talked_about_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    therapist_note = models.TextField(max_length=1000, blank=True)
    outcome = models.CharField(max_length=16, choices=AgendaOutcome.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = AgendaItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "added_at"]
        indexes = [models.Index(fields=["client", "talked_about_at"])]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return gettext("Agenda item of %(client)s") % {"client": self.client}

    @property
    def words(self) -> str:
        """What the item says to whoever reads it: the client's own text as they
        wrote it or, for one of their trends, the portal's wording of it in the
        reader's language (the stored text is in the language of the day)."""
        if self.flag_id:
            from .agenda import CLIENT_WORDING

            wording = CLIENT_WORDING.get(self.flag.kind)
            if wording is not None:
                return str(wording)
        return self.text


class MeasureResponse(models.Model):
    """One questionnaire answered in a week's check-in: every item answer, in the
    order printed, and the total computed from them on save (never typed in)."""

    checkin = models.ForeignKey(
        CheckIn,
        on_delete=models.CASCADE,
        related_name="measure_responses",
        verbose_name=_("checkin"),
    )
    # The client and week again, so first and latest scores are read on one index.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="measure_responses",
        verbose_name=_("client"),
    )
    week_start = models.DateField(_("week start"))
    instrument = models.CharField(_("instrument"), max_length=16, choices=INSTRUMENT_CHOICES)
    answers = models.JSONField(_("answers"))
    follow_up = models.PositiveSmallIntegerField(_("follow up"), null=True, blank=True)
    total = models.PositiveSmallIntegerField(_("total"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["week_start"]
        verbose_name = _("measure response")
        verbose_name_plural = _("measure responses")
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "instrument"], name="one_response_per_measure_per_checkin"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "instrument", "week_start"]),
            # PHQ-9 item 9 answered above "Not at all", for the practice outcomes
            # (rare, and otherwise found by reading every answer).
            models.Index(
                fields=["week_start"],
                condition=Q(instrument=PHQ9.key)
                & Q(**{f"answers__{PHQ9.safety_items[0] - 1}__gt": 0}),
                name="item9_answer_idx",
            ),
        ]

    def __str__(self) -> str:
        name = INSTRUMENTS[self.instrument].short_name if self.instrument in INSTRUMENTS else ""
        return gettext("%(measure)s %(total)s — week of %(week)s") % {
            "measure": name or self.instrument,
            "total": self.total,
            "week": self.week_start,
        }

    @property
    def instrument_data(self) -> Instrument:
        return INSTRUMENTS[self.instrument]

    @property
    def band(self) -> Band:
        return band(INSTRUMENTS[self.instrument], self.total)


class Frequency(models.IntegerChoices):
    NEVER = 0, _("Not asked")
    EVERY_CHECKIN = EVERY_CHECKIN, _("Every check-in")
    EVERY_TWO_WEEKS = EVERY_TWO_WEEKS, _("Every two weeks")
    EVERY_FOUR_WEEKS = EVERY_FOUR_WEEKS, _("Every four weeks")


class MeasureSchedule(models.Model):
    """How often a practice's clients answer one questionnaire. A practice with no
    row for an instrument asks it every two weeks (see clinical.measures)."""

    practice = models.ForeignKey(
        "portal.Practice",
        on_delete=models.CASCADE,
        related_name="measure_schedules",
        verbose_name=_("practice"),
    )
    instrument = models.CharField(_("instrument"), max_length=16, choices=INSTRUMENT_CHOICES)
    every_weeks = models.PositiveSmallIntegerField(
        _("asked"), choices=Frequency.choices, default=DEFAULT_EVERY_WEEKS
    )

    class Meta:
        verbose_name = _("measure schedule")
        verbose_name_plural = _("measure schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "instrument"], name="one_schedule_per_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()}: {self.get_every_weeks_display()}"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RAISED = "raised", _("Raised in session")
    DISMISSED = "dismissed", _("Dismissed")
    CLEARED = "cleared", _("Cleared")


class FlagQuerySet(models.QuerySet):
    def active(self):
        """Flags whose trend is still there (open, or handled but not yet over)."""
        return self.filter(closed_at__isnull=True)

    def open(self):
        return self.active().filter(status=FlagStatus.OPEN)

    def worth_raising(self):
        """Open flags that count as "flagged": not the ones only worth a mention."""
        return self.open().filter(severity__gte=WORTH_RAISING)


class Flag(models.Model):
    """A trend in one client's check-ins that is worth raising, with its evidence.

    Computed when a check-in is saved (never on a page view). While the trend
    lasts there is one active flag per client and kind. A flag the therapist
    raised or dismissed stays quiet until its score rises above the score it
    had then; when the trend ends the flag is closed, and a later return of
    the trend is a new flag.
    """

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    # How bad the trend is, on the rule's own scale; higher is worse.
    score = models.FloatField()
    # The summary in English, for the admin list and search; readers see
    # `summary_text`, worded from `summary_message` in their own language.
    summary = models.CharField(max_length=300)
    # The summary as a message (clinical.text): msgid and parameters, worded when
    # read. Empty on flags stored before messages were: they show `summary`.
    summary_message = models.JSONField(default=dict, blank=True)
    # Each item: week, measure and value in English, and the messages behind the
    # worded ones (measure_message, value_message) for `evidence_lines`.
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_score = models.FloatField(null=True, blank=True)
    raised_on = models.DateField(null=True, blank=True)
    note = models.TextField(max_length=1000, blank=True)
    # What the client said at their next check-in after it was talked about.
    client_said = models.CharField(max_length=16, choices=AgendaOutcome.choices, blank=True)

    objects = FlagQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-severity", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind"],
                condition=Q(closed_at__isnull=True),
                name="one_active_flag_per_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["client", "status"],
                condition=Q(closed_at__isnull=True),
                name="active_flag_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.client}"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN

    @property
    def is_safety(self) -> bool:
        return self.kind in SAFETY_KINDS

    @property
    def follows_a_trend(self) -> bool:
        """Whether a trend stands behind the flag (and brings it back if it worsens)."""
        return self.kind not in CLIENT_KINDS

    @property
    def shows_client_said(self) -> bool:
        """The client's word on the conversation, beside a trend (a flag opened by
        that word says it in its summary already)."""
        return bool(self.client_said) and self.kind not in CLIENT_KINDS

    @property
    def tier(self) -> "Tier":
        return TIERS[self.severity]

    def word(self, summary: Message | Joined, evidence: Sequence[Evidence] = ()) -> None:
        """Set the summary and evidence from their messages: stored to be worded
        for each reader, and in English beside them."""
        self.summary_message = summary.as_dict()
        self.summary = english(summary)[: self._meta.get_field("summary").max_length]
        self.evidence = [item.as_dict() for item in evidence]

    @property
    def summary_text(self) -> str:
        """The summary in the reader's (the active) language; the stored words for a
        flag stored without its message."""
        return _worded(self.summary_message, self.summary)

    @property
    def summary_clause(self) -> str:
        """The summary without its closing full stop, for a list that puts its own
        punctuation between summaries."""
        return without_full_stop(self.summary_text)

    @property
    def evidence_lines(self) -> list[str]:
        """The evidence in a line per measure, weeks in order, in the reader's
        language: "Wellbeing: 7/10 (Dec 1), 4/10 (Dec 8)"."""
        by_measure: dict[str, list[str]] = {}
        for item in self.evidence:
            week = date.fromisoformat(item["week"])
            measure = _worded(item.get("measure_message"), item["measure"], decode)
            value = _worded(item.get("value_message"), item["value"], decode)
            by_measure.setdefault(measure, []).append(f"{value} ({local_date(week, 'M j')})")
        return [f"{measure}: {', '.join(values)}" for measure, values in by_measure.items()]


def _worded(message, stored: str, read=from_dict) -> str:
    """A stored message worded in the active language, or the words stored beside
    it where there is none (or it no longer reads: a flag is never lost to it)."""
    if not message:
        return stored
    try:
        return str(read(message))
    except (KeyError, IndexError, TypeError, ValueError):
        logger.warning("A stored flag message could not be worded: %r", message, exc_info=True)
        return stored


class SafetyActionKind(models.TextChoices):
    CONTACTED = "contacted", _("Contacted the client")
    SAFETY_PLAN = "safety_plan", _("Safety plan reviewed")
    CLEARED = "cleared", _("Cleared")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    VIDEO = "video", _("Video call")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class SafetyAction(models.Model):
    """What the therapist did about a crisis flag: each step, when, how, and a note."""

    flag = models.ForeignKey(
        Flag, on_delete=models.CASCADE, related_name="safety_actions", verbose_name=_("flag")
    )
    kind = models.CharField(
        pgettext_lazy("kind of action", "kind"), max_length=16, choices=SafetyActionKind.choices
    )
    done_at = models.DateTimeField(_("done at"), help_text=_("When it happened."))
    method = models.CharField(_("method"), max_length=16, choices=ContactMethod.choices, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("done by", "by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["done_at", "pk"]
        verbose_name = _("safety action")
        verbose_name_plural = _("safety actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.flag})"


class SafetyAlertKind(models.TextChoices):
    THERAPIST = "therapist", _("Alert to the therapist")
    ESCALATION = "escalation", _("Escalation to the on-call contact")


class SafetyAlert(models.Model):
    """One email about a safety flag, kept until it is sent.

    The row is written with the flag (or by the escalation sweep) and sent by a
    background task after commit; a failed send leaves it unsent for the next
    try, so an outage delays an alert but never loses it. The unique constraint
    makes each kind go out once per flag.
    """

    flag = models.ForeignKey(
        Flag, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("flag")
    )
    kind = models.CharField(
        pgettext_lazy("kind of alert", "kind"), max_length=16, choices=SafetyAlertKind.choices
    )
    recipients = models.JSONField(_("recipients"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("safety alert")
        verbose_name_plural = _("safety alerts")
        constraints = [
            models.UniqueConstraint(fields=["flag", "kind"], name="one_alert_per_flag_and_kind"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="unsent_alert_idx"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s for flag %(flag)s") % {
            "kind": self.get_kind_display(),
            "flag": self.flag_id,
        }


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


# Friday evening leaves the weekend to fill a check-in that closes on Sunday,
# with room for the follow-up two days later, still inside the week.
DEFAULT_REMINDER_WEEKDAY = Weekday.FRIDAY
DEFAULT_REMINDER_HOUR = 18
# Before a typical working day starts, so the digest is read before sessions.
DEFAULT_DIGEST_HOUR = 7


class NotificationPreferenceQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationPreference":
        """The person's preferences, or the defaults (unsaved) if they never set any:
        reading them never writes a row."""
        return self.filter(user=user).first() or NotificationPreference(user=user)


class NotificationPreference(models.Model):
    """How a person wants to be reminded: clients of their check-in, therapists
    by a morning digest. Times are in the person's own time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminders_enabled = models.BooleanField(_("Send me a weekly reminder"), default=True)
    reminder_weekday = models.PositiveSmallIntegerField(
        pgettext_lazy("reminder weekday", "On"),
        choices=Weekday.choices,
        default=DEFAULT_REMINDER_WEEKDAY,
    )
    reminder_hour = models.PositiveSmallIntegerField(
        pgettext_lazy("hour of the day", "At"),
        default=DEFAULT_REMINDER_HOUR,
        validators=[MaxValueValidator(23)],
    )
    digest_enabled = models.BooleanField(
        _("Email me a morning digest on working days"), default=True
    )
    digest_hour = models.PositiveSmallIntegerField(
        pgettext_lazy("hour of the day", "At"),
        default=DEFAULT_DIGEST_HOUR,
        validators=[MaxValueValidator(23)],
    )

    objects = NotificationPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return gettext("Notifications for %(user)s") % {"user": self.user}


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Check-in reminder")
    FOLLOW_UP = "follow_up", _("Check-in follow-up")
    DIGEST = "digest", _("Therapist digest")


class SentNotification(models.Model):
    """One email of one kind for one period (the week of a reminder, the day of a
    digest). The unique constraint is what makes sending idempotent: a task
    claims the row before it sends, so a repeated schedule or two racing
    workers still send once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications_sent"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    period = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="one_notification_per_period"
            ),
        ]
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")

    def __str__(self) -> str:
        return gettext("%(kind)s to %(user)s for %(period)s") % {
            "kind": self.get_kind_display(),
            "user": self.user,
            "period": self.period,
        }
