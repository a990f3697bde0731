"""The shared vocabulary of the clinical core: answers, flag kinds, severities and
how each severity is presented. Plain choices, no database: the trend rules,
the advice rules and the models all speak these words."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Homework(models.TextChoices):
    NONE_SET = "none_set", _("No homework was set")
    NOT_DONE = "not_done", _("I didn't get to it")
    SOME = "some", _("I did some of it")
    MOST = "most", _("I did most of it")
    ALL = "all", _("I did all of it")


# Homework in a word or two, for table columns scanned down a page.
HOMEWORK_SHORT = {
    Homework.NONE_SET: _("None set"),
    Homework.NOT_DONE: _("Not done"),
    Homework.SOME: _("Some"),
    Homework.MOST: _("Most"),
    Homework.ALL: _("All"),
}

# How much of the homework was done, as a share, for trends and charts.
HOMEWORK_SHARE = {
    Homework.NOT_DONE: 0.0,
    Homework.SOME: 1 / 3,
    Homework.MOST: 2 / 3,
    Homework.ALL: 1.0,
}


class Barrier(models.TextChoices):
    TIME = "time", _("Time")
    MONEY = "money", _("Money")
    ENERGY = "energy", _("Energy")
    LIFE_EVENTS = "life_events", _("Things happening in my life")


class FlagKind(models.TextChoices):
    CRISIS = "crisis", _("Crisis answer")
    SAFETY_ITEM = "safety_item", _("Thoughts of death or self-harm (PHQ-9 item 9)")
    RELIABLE_DETERIORATION = "reliable_deterioration", _("Questionnaire scores reliably worse")
    NOT_ON_TRACK = "not_on_track", _("Questionnaire scores not on track")
    NO_RELIABLE_IMPROVEMENT = (
        "no_reliable_improvement",
        _("No reliable improvement in questionnaire scores"),
    )
    DETERIORATION = "deterioration", _("Wellbeing clearly worse than baseline")
    WELLBEING_FALLING = "wellbeing_falling", _("Wellbeing falling")
    DISCOMFORT = "discomfort", _("Discomfort with the therapist")
    CHECKINS_STOPPED = "checkins_stopped", _("Check-ins stopped")
    EXPECTATIONS_UNMET = "expectations_unmet", _("Expectations unmet")
    NO_IMPROVEMENT = "no_improvement", _("No improvement after many sessions")
    WORSE_AFTER_SESSIONS = "worse_after_sessions", _("Feeling worse after sessions")
    HOMEWORK_FALLING = "homework_falling", _("Homework falling off")
    BARRIERS = "barriers", _("Barriers reported")
    AGENDA_FOLLOW_UP = "agenda_follow_up", _("Agenda item not resolved")
    STOPPING_CONSIDERED = "stopping_considered", _("Thinking about stopping or changing therapy")


class Severity(models.IntegerChoices):
    LOW = 1, _("Worth a mention")
    MEDIUM = 2, _("Worth raising")
    HIGH = 3, _("Raise this session")
    URGENT = 4, _("Needs attention now")


# Flags about the client's safety: their own actions (contacted, safety plan,
# cleared) instead of "raised in session" or "dismissed", and escalation when
# nobody acts in time.
SAFETY_KINDS = frozenset({FlagKind.CRISIS, FlagKind.SAFETY_ITEM})

# Flags no trend rule produces: opened by what the client said, they stay until
# the therapist handles them, whatever the rules find.
CLIENT_KINDS = frozenset({FlagKind.AGENDA_FOLLOW_UP, FlagKind.STOPPING_CONSIDERED})


class AgendaOutcome(models.TextChoices):
    """The client's answer, at the next check-in, to "How did that conversation go?"."""

    HELPED = "helped", _("It helped")
    SOMEWHAT = "somewhat", _("Somewhat")
    NOT_REALLY = "not_really", _("Not really")
    NOT_REACHED = "not_reached", _("We did not get to it")


# Answers that bring the item back to the therapist: the conversation did not
# happen, or the client says it did not help. "Somewhat" closes it: the
# conversation happened and moved something, and asking again at once would
# nag; the trend itself still reopens its flag if it gets worse.
UNRESOLVED = frozenset({AgendaOutcome.NOT_REALLY, AgendaOutcome.NOT_REACHED})


# What is worth the therapist raising, as opposed to worth a mention. Outcome
# monitoring systems flag about one client in ten to one in five at a time;
# past that, clinicians stop reading the flags. So only signals of risk or of
# therapy going off track are "worth raising" (and count as flagged on the
# dashboard): crisis, deterioration, discomfort with the therapist,
# expectations unmet for weeks, no improvement after many sessions, feeling
# worse after sessions repeatedly, check-ins stopped. Homework falling off and
# barriers are context ("worth a mention"): shown, never counted as flagged.
WORTH_RAISING = Severity.MEDIUM


@dataclass(frozen=True)
class Tier:
    """How a severity looks, decided once: colour and words, never a badge alone."""

    label: str
    css: str  # the card's and the marker's class in portal.css
    worth_raising: bool


TIERS = {
    Severity.URGENT: Tier(_("Needs attention now"), "tier-urgent", True),
    Severity.HIGH: Tier(_("Raise this session"), "tier-high", True),
    Severity.MEDIUM: Tier(_("Worth raising"), "tier-medium", True),
    Severity.LOW: Tier(_("Worth a mention"), "tier-low", False),
}
