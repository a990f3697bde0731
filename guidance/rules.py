"""Rules that pick advice for one check-in and the client's earlier check-ins.

Each rule is a small pure function: it reads the check-in and its history
(oldest first, the current check-in last) and returns the advice that fits,
each with a weight (higher comes first) and a reason written for its reader.
Client pieces speak to the client ("you"); therapist pieces to the therapist.

Pieces are ranked by how strong the signal is in this client's own history
(how far, how many weeks in a row), not by a fixed order of kinds. Two rules
override the ranking, because they are about safety:
- a crisis answer makes the week a safety week: the crisis pieces only;
- while wellbeing is falling, nothing that tells the client to wait, be
  patient or pause (WAIT_KEYS) is shown.

Thresholds come from clinical.trends, the same ones the therapist's flags
use, so advice and flags never disagree.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from clinical.reading import Reading, read_week
from clinical.text import without_full_stop
from clinical.trends import (
    CheckInLike,
    Thresholds,
    felt_worse_count,
    homework_falling_off,
    repeated_barriers,
    trailing_run,
)
from clinical.vocabulary import SAFETY_KINDS, Barrier, FlagKind, Homework

# The piece every client list ends on: both articles close on the same point,
# that the first step is an honest conversation with the therapist.
CLOSING_KEY = "raise-it-with-your-therapist"
# Enough to read on a phone in a minute; more and nothing stands out.
MAX_CLIENT_PIECES = 4
MAX_THERAPIST_PIECES = 4

# A crisis week shows these and nothing else: help first, then one short piece
# saying that telling someone was right and that the therapist will see it.
CRISIS_CLIENT_KEY = "crisis-you-did-the-right-thing"
CRISIS_THERAPIST_KEY = "therapist-crisis-safety"

# Early in therapy the timeline answers much of what the other pieces ask
# (about half of clients improve by session 8: Howard et al., 1986), so it is
# never crowded out of the client's few pieces by them.
TIMELINE_KEY = "timeline-too-early"

# Pieces that counsel waiting, patience or a pause. Never shown while the
# client is falling or a safety flag is open (`excluded_keys`): a client who is
# clearly getting worse is not told to give it time (clients rarely worsen
# before they improve: Lambert, 2007).
WAIT_KEYS = frozenset(
    {
        TIMELINE_KEY,
        "working-but-unpleasant",
        "not-ready-yet",
        "clinician-not-magician",
        "therapist-early-sessions",
        "therapist-not-ready",
    }
)

# Pieces about stopping: never shown while a safety flag is open, when the next
# step is the therapist and the crisis contacts, not a decision to end therapy.
STOP_KEYS = frozenset({"choosing-to-stop"})

# Base weights: how much each kind of signal matters before its strength is
# added. A falling wellbeing outweighs everything; the alliance is the
# best-studied predictor of outcome (r = .28, Flückiger et al., 2018), so
# discomfort comes next; the rest add the strength of their own evidence
# (weeks in a row, how many barriers) so a strong minor signal can pass a
# weak major one.
W_FALLING = 100
W_DISCOMFORT = 50
W_STALLED = 40
W_IMPROVING = 35
W_TIMELINE = 30
W_BARRIERS = 20
W_EXPECTATIONS = 20
W_WORSE_AFTER = 15
W_HOMEWORK = 10
W_RETURNING = 20
# Per week in a row (or per extra barrier): a run of three outweighs a kind's
# head start of fifteen.
W_PER_WEEK = 5
# Past six weeks a run says nothing new, and it must not outgrow a falling
# wellbeing.
MAX_WEEKS_COUNTED = 6
W_DIALOGUE = 1


@dataclass(frozen=True)
class Match:
    key: str
    weight: float
    reason: str


Rule = Callable[[Sequence[CheckInLike], Reading, Thresholds], list[Match]]


def _weeks(run: int) -> float:
    return W_PER_WEEK * min(run, MAX_WEEKS_COUNTED)


def falling(history, reading, t):
    """A clear drop in wellbeing, or a steady fall: raise it, never reassure it away."""
    if not reading.falling:
        return []
    found = reading.decline
    if found is not None:
        client_reason = ngettext(
            "How you have been has dropped by about %(drop).0f points over your last "
            "%(count)d check-in. That is worth telling your therapist this week, "
            "not waiting out.",
            "How you have been has dropped by about %(drop).0f points over your last "
            "%(count)d check-ins. That is worth telling your therapist this week, "
            "not waiting out.",
            len(found.after),
        )
        therapist_reason = gettext(
            "Recent wellbeing is %(drop).1f points below the client's own level of %(level).1f."
        )
        numbers = {"drop": found.drop, "count": len(found.after), "level": found.reference}
        strength = found.drop
    elif worse := reading.worse:
        course = max(worse, key=lambda c: c.change.delta / c.instrument.reliable_change)
        # No numbers for the client: their practice may keep scores from them.
        client_reason = gettext(
            "Your answers to the %(measure)s questionnaire show things have got harder since you "
            "first answered it, by more than everyday ups and downs. That is worth telling your "
            "therapist this week, not waiting out."
        )
        therapist_reason = gettext(
            "%(measure)s reliably worse: %(first)s to %(latest)s (a change of %(reliable)s or "
            "more is reliable)."
        )
        numbers = {
            "measure": course.instrument.short_name,
            "first": course.change.first,
            "latest": course.change.latest,
            "reliable": course.instrument.reliable_change,
        }
        strength = course.change.delta / course.instrument.reliable_change * t.deterioration_points
    elif reading.sudden:
        before, now = history[-2].wellbeing, history[-1].wellbeing
        client_reason = gettext(
            "How you have been dropped from %(before)s to %(now)s out of 10 since your last "
            "check-in. That is worth telling your therapist this week, not waiting out."
        )
        therapist_reason = gettext("Wellbeing fell from %(before)s/10 to %(now)s/10 in a week.")
        numbers = {"before": before, "now": now}
        strength = before - now
    else:
        client_reason = gettext(
            "How you have been went down in each of your last three check-ins (%(scores)s out "
            "of 10). Tell your therapist this week rather than waiting to see."
        )
        therapist_reason = gettext(
            "Wellbeing fell in each of the last three check-ins (%(scores)s/10)."
        )
        numbers = {"scores": ", ".join(f"{c.wellbeing}" for c in history[-3:])}
        strength = history[-3].wellbeing - history[-1].wellbeing
    return [
        Match("hard-sessions-vs-decline", W_FALLING + strength, client_reason % numbers),
        Match("therapist-deterioration", W_FALLING + strength, therapist_reason % numbers),
    ]


def discomfort(history, reading, t):
    current = history[-1]
    if current.discomfort < t.discomfort_high:
        return []
    run = trailing_run(history, lambda c: c.discomfort >= t.discomfort_high)
    weight = W_DISCOMFORT + _weeks(run) + current.discomfort
    numbers = {"rating": current.discomfort, "run": run}
    if run > 1:
        therapist_reason = ngettext(
            "Discomfort with you rated %(rating)s/4, %(run)d check-in in a row.",
            "Discomfort with you rated %(rating)s/4, %(run)d check-ins in a row.",
            run,
        )
    else:
        therapist_reason = gettext("Discomfort with you rated %(rating)s/4 this week.")
    matches = [
        Match(
            "discomfort-with-therapist",
            weight,
            gettext("You rated feeling uneasy with your therapist %(rating)s out of 4 this week.")
            % numbers,
        ),
        Match("therapist-alliance-rupture", weight, therapist_reason % numbers),
    ]
    if run >= t.expectations_unmet_checkins:
        matches.append(
            Match(
                "new-therapist-not-failure",
                weight - 1,
                ngettext(
                    "You have felt uneasy with your therapist for %(run)d check-in in a row.",
                    "You have felt uneasy with your therapist for %(run)d check-ins in a row.",
                    run,
                )
                % numbers,
            )
        )
    return matches


def stalled(history, reading, t):
    """Many sessions without reliable improvement: look at the approach, not only at time."""
    if not reading.stalled:
        return []
    sessions = history[-1].sessions_attended
    count = {"count": sessions}
    weight = W_STALLED + sessions / t.no_improvement_sessions
    if reading.stalled_courses:
        # No scores for the client: their practice may keep them from clients.
        client_reason = ngettext(
            "You have had %(count)d session and your questionnaire answers have not changed "
            "much since you began.",
            "You have had %(count)d sessions and your questionnaire answers have not changed "
            "much since you began.",
            sessions,
        )
        therapist_reason = ngettext(
            "%(count)d session in, no reliable improvement on the questionnaires.",
            "%(count)d sessions in, no reliable improvement on the questionnaires.",
            sessions,
        )
    else:
        client_reason = ngettext(
            "You have had %(count)d session and how you have been has not moved much "
            "from where you started.",
            "You have had %(count)d sessions and how you have been has not moved much "
            "from where you started.",
            sessions,
        )
        therapist_reason = ngettext(
            "%(count)d session in, wellbeing is no higher than the client's baseline.",
            "%(count)d sessions in, wellbeing is no higher than the client's baseline.",
            sessions,
        )
    matches = [
        Match("change-the-approach", weight, client_reason % count),
        Match(
            "other-kinds-of-therapy",
            weight - 1,
            ngettext(
                "After %(count)d session, it may be worth asking about other ways of working.",
                "After %(count)d sessions, it may be worth asking about other ways of working.",
                sessions,
            )
            % count,
        ),
        Match("therapist-no-improvement", weight, therapist_reason % count),
        Match(
            "therapist-change-the-approach",
            weight - 1,
            gettext("No reliable gain after many sessions: another format may reach the client."),
        ),
    ]
    if history[-1].wellbeing <= 3:
        matches += [
            Match(
                "medication-as-complement",
                weight - 2,
                gettext("You have been low for a while despite therapy; extra support may help."),
            ),
            Match(
                "therapist-medication-and-other-care",
                weight - 2,
                gettext("Wellbeing %(wellbeing)s/10 with no gain after many sessions.")
                % {"wellbeing": history[-1].wellbeing},
            ),
        ]
    unmet = trailing_run(history, lambda c: c.expectations <= t.expectations_low)
    if unmet >= t.expectations_unmet_checkins:
        matches.append(
            Match(
                "choosing-to-stop",
                weight - 3,
                gettext(
                    "If you are thinking of stopping, talking it over first leaves the most doors "
                    "open."
                ),
            )
        )
    return matches


def improving(history, reading, t):
    """Doing clearly better than at the start: say so, and how to keep it going."""
    if not reading.improving:
        return []
    window = min(t.recent_checkins, len(history) // 2)
    start = sum(c.wellbeing for c in history[:window]) / window
    latest = sum(c.wellbeing for c in history[-window:]) / window
    return [
        Match(
            "keep-it-going",
            W_IMPROVING + latest - start,
            gettext(
                "How you have been is up from about %(start).0f to %(latest).0f out of 10 since "
                "your first check-ins."
            )
            % {"start": start, "latest": latest},
        )
    ]


def expectations(history, reading, t):
    current = history[-1]
    if current.expectations > t.expectations_low:
        return []
    run = trailing_run(history, lambda c: c.expectations <= t.expectations_low)
    weight = W_EXPECTATIONS + _weeks(run) + (t.expectations_low - current.expectations)
    numbers = {"rating": current.expectations, "run": run, "low": t.expectations_low}
    if run > 1:
        client_reason = ngettext(
            "You rated therapy %(rating)s out of 5 for meeting what you hoped for, "
            "%(run)d check-in in a row.",
            "You rated therapy %(rating)s out of 5 for meeting what you hoped for, "
            "%(run)d check-ins in a row.",
            run,
        )
    else:
        client_reason = gettext(
            "You rated therapy %(rating)s out of 5 for meeting what you hoped for this week."
        )
    matches = [Match("reassess-expectations", weight, client_reason % numbers)]
    if run >= 2:
        matches.append(
            Match(
                "short-term-goals",
                weight - 1,
                gettext(
                    "A small goal you could notice within a few weeks makes progress easier to see."
                ),
            )
        )
    if current.sessions_attended < t.early_sessions:
        matches.append(
            Match(
                "clinician-not-magician",
                weight - 3,
                ngettext(
                    "You are %(count)d session in; change takes the two of you working on it.",
                    "You are %(count)d sessions in; change takes the two of you working on it.",
                    current.sessions_attended,
                )
                % {"count": current.sessions_attended},
            )
        )
    if run >= t.expectations_unmet_checkins:
        matches += [
            Match(
                "therapists-role",
                weight - 2,
                gettext(
                    "Telling your therapist that therapy falls short is part of the work, not a "
                    "complaint."
                ),
            ),
            Match(
                "therapist-unmet-expectations",
                weight,
                ngettext(
                    "Expectations rated %(low)s or lower for %(run)d check-in in a row.",
                    "Expectations rated %(low)s or lower for %(run)d check-ins in a row.",
                    run,
                )
                % numbers,
            ),
        ]
    return matches


def felt_worse(history, reading, t):
    """Feeling worse after sessions: reassurance only when wellbeing is not falling
    (the falling rule speaks for that case)."""
    if not history[-1].felt_worse_after_session:
        return []
    count = felt_worse_count(history, t)
    numbers = {"count": count, "window": t.worse_after_window}
    if count > 1:
        client_reason = ngettext(
            "You felt worse after a session this week, and in %(count)d of your last "
            "%(window)s check-in. Say so if it keeps happening.",
            "You felt worse after a session this week, and in %(count)d of your last "
            "%(window)s check-ins. Say so if it keeps happening.",
            t.worse_after_window,
        )
    else:
        client_reason = gettext(
            "You felt worse after a session this week. Say so if it keeps happening."
        )
    matches = [
        Match("working-but-unpleasant", W_WORSE_AFTER + W_PER_WEEK * count, client_reason % numbers)
    ]
    if count >= t.worse_after_sessions:
        matches.append(
            Match(
                "therapist-worse-after-sessions",
                W_WORSE_AFTER + W_PER_WEEK * count,
                ngettext(
                    "Felt worse after sessions in %(count)d of the last %(window)s check-in.",
                    "Felt worse after sessions in %(count)d of the last %(window)s check-ins.",
                    t.worse_after_window,
                )
                % numbers,
            )
        )
    return matches


def homework(history, reading, t):
    current = history[-1]
    if current.homework not in (Homework.NOT_DONE, Homework.SOME):
        return []
    falling_off = homework_falling_off(history, t)
    weight = W_HOMEWORK + (current.homework == Homework.NOT_DONE) * 3 + falling_off * 2 * W_PER_WEEK
    if current.homework == Homework.NOT_DONE:
        reason = gettext("You did none of this week's homework.")
    else:
        reason = gettext("You did some of this week's homework.")
    matches = [Match("homework-between-sessions", weight, reason)]
    if falling_off:
        matches += [
            Match(
                "life-outside-therapy",
                weight - 1,
                gettext("Less of the homework has got done in recent weeks than before."),
            ),
            Match(
                "therapist-homework-falling-off",
                weight,
                ngettext(
                    "Homework done over the last %(window)s week it was set is half or "
                    "less of what it was before.",
                    "Homework done over the last %(window)s weeks it was set is half or "
                    "less of what it was before.",
                    t.homework_window,
                )
                % {"window": t.homework_window},
            ),
        ]
    return matches


def _named(barriers: list[str]) -> str:
    return ", ".join(Barrier(b).label.lower() for b in barriers)


def barriers(history, reading, t):
    """What got in the way, weighted by how much of it there is and whether it repeats.

    Energy and life events mean the client may have little room for therapy
    just now ("not ready yet"), most of all when the homework slipped too;
    time and money are practical limits with practical answers. A client who
    is improving and ticked one barrier is coping: no "not ready" piece.
    """
    current = history[-1]
    found = set(current.barriers)
    if not found:
        return []
    repeated = set(repeated_barriers(history, t))
    strained = current.homework in (Homework.NOT_DONE, Homework.SOME) or current.wellbeing <= 4
    matches = []
    practical = sorted(found & {Barrier.TIME, Barrier.MONEY})
    if practical:
        weight = W_BARRIERS + W_PER_WEEK * (len(practical) + len(repeated & set(practical)))
        named = {"barriers": _named(practical)}
        matches += [
            Match(
                "time-and-money",
                weight,
                gettext("You said %(barriers)s got in the way this week.") % named,
            ),
            Match("therapist-barriers", weight, gettext("Client reported: %(barriers)s.") % named),
        ]
    personal = sorted(found & {Barrier.ENERGY, Barrier.LIFE_EVENTS})
    # A client who is improving and had one hard week is coping, not "not ready":
    # only their own repeated answers bring the piece about pausing.
    room = repeated & set(personal) or (not reading.improving and (strained or len(personal) > 1))
    if personal and room:
        weight = (
            W_BARRIERS
            + W_PER_WEEK * (len(personal) + len(repeated & set(personal)))
            + W_PER_WEEK * strained
        )
        named = {"barriers": _named(personal)}
        matches += [
            Match(
                "not-ready-yet",
                weight,
                gettext("You said %(barriers)s got in the way this week.") % named,
            ),
            Match("therapist-not-ready", weight, gettext("Client reported: %(barriers)s.") % named),
        ]
        if current.homework in (Homework.NOT_DONE, Homework.SOME):
            matches.append(
                Match(
                    "life-outside-therapy",
                    weight - 1,
                    gettext(
                        "With this much going on, small changes in your week may matter more "
                        "than big ones."
                    ),
                )
            )
    return matches


def returning_after_gap(history, reading, t):
    """Back after weeks without a check-in: the quiet spell is worth asking about."""
    gap_weeks = reading.weeks_since_previous
    if gap_weeks < t.missed_weeks:
        return []
    return [
        Match(
            "therapist-dropout-risk",
            W_RETURNING + gap_weeks,
            ngettext(
                "First check-in after %(weeks)d week without one.",
                "First check-in after %(weeks)d weeks without one.",
                gap_weeks,
            )
            % {"weeks": gap_weeks},
        )
    ]


def timeline(history, reading, t):
    """Early on, impatience is understandable but it is too soon to judge."""
    current = history[-1]
    if current.sessions_attended >= t.early_sessions:
        return []
    if current.expectations > t.expectations_low and current.wellbeing > 4:
        return []
    # Fewer sessions in: the timeline matters more.
    weight = W_TIMELINE + (t.early_sessions - current.sessions_attended) / t.early_sessions
    sessions = current.sessions_attended
    numbers = {"count": sessions, "early": t.early_sessions}
    return [
        Match(
            TIMELINE_KEY,
            weight,
            ngettext(
                "You have had %(count)d session so far; in the research, about half of people "
                "notice real change by their %(early)sth session.",
                "You have had %(count)d sessions so far; in the research, about half of people "
                "notice real change by their %(early)sth session.",
                sessions,
            )
            % numbers,
        ),
        Match(
            "therapist-early-sessions",
            weight,
            ngettext(
                "%(count)d session in, with low expectations or wellbeing.",
                "%(count)d sessions in, with low expectations or wellbeing.",
                sessions,
            )
            % numbers,
        ),
    ]


def dialogue(history, reading, t):
    """Say plainly that talking is the first step, whenever anything else fits
    (`match_advice`). A client who is improving is not told therapy "feels
    stuck" unless their own answers say so this week (unease with the therapist,
    hopes unmet, feeling worse after a session)."""
    latest = history[-1]
    if reading.improving and not (
        latest.discomfort >= t.discomfort_high
        or latest.expectations <= t.expectations_low
        or latest.felt_worse_after_session
    ):
        return [
            Match(
                "therapist-open-the-conversation",
                W_DIALOGUE,
                gettext("Something in this check-in is worth opening up together."),
            )
        ]
    return [
        Match(
            "open-a-dialogue",
            W_DIALOGUE,
            gettext(
                "Whatever is not working, telling your therapist is the quickest way to change it."
            ),
        ),
        Match(
            "therapist-open-the-conversation",
            W_DIALOGUE,
            gettext("Something in this check-in is worth opening up together."),
        ),
    ]


RULES: list[Rule] = [
    falling,
    discomfort,
    stalled,
    improving,
    expectations,
    felt_worse,
    homework,
    barriers,
    returning_after_gap,
    timeline,
]


def crisis_week() -> list[Match]:
    return [
        Match(
            CRISIS_CLIENT_KEY,
            W_FALLING,
            gettext("You told us this week that you are in crisis."),
        ),
        Match(
            CRISIS_THERAPIST_KEY,
            W_FALLING,
            gettext("The client answered that they are in crisis this week."),
        ),
    ]


def excluded_keys(reading: Reading) -> frozenset[str]:
    """The pieces this reading must never show, on any page: nothing about waiting
    while the client is falling, nor about stopping while a safety flag is open."""
    if reading.crisis_now or reading.safety_open:
        return WAIT_KEYS | STOP_KEYS
    if reading.falling:
        return WAIT_KEYS
    return frozenset()


def match_advice(
    history: Sequence[CheckInLike], t: Thresholds, reading: Reading | None = None
) -> list[Match]:
    """All advice that fits the latest check-in in `history`, strongest first, keys unique.

    A crisis week gets the crisis pieces only. While the client is falling, or a
    safety flag is open from an earlier week, the pieces that counsel waiting
    (and, for an open safety flag, stopping) are left out. Ties keep rule order.
    The dialogue pieces are added when any rule fired.
    """
    if not history:
        return []
    reading = reading or read_week(history, t)
    if reading.crisis_now:
        return crisis_week()
    found: dict[str, Match] = {}
    for rule in RULES:
        for match in rule(history, reading, t):
            if match.key not in found or match.weight > found[match.key].weight:
                found[match.key] = match
    left_out = excluded_keys(reading)
    found = {key: match for key, match in found.items() if key not in left_out}
    if found:
        for match in dialogue(history, reading, t):
            found.setdefault(match.key, match)
    return sorted(found.values(), key=lambda m: -m.weight)


def closing_match() -> Match:
    return Match(
        CLOSING_KEY,
        0,
        gettext("Your next session is the place to bring up anything you noticed this week."),
    )


# The therapist pieces that fit each trend flag, most useful first. Every
# trend flag's list ends on opening the conversation, as both articles do; a
# safety flag's does not, since safety comes first.
FLAG_ADVICE: dict[str, list[str]] = {
    FlagKind.CRISIS: [CRISIS_THERAPIST_KEY],
    FlagKind.SAFETY_ITEM: [CRISIS_THERAPIST_KEY],
    FlagKind.RELIABLE_DETERIORATION: [
        "therapist-deterioration",
        "therapist-medication-and-other-care",
    ],
    FlagKind.NOT_ON_TRACK: ["therapist-deterioration", "therapist-change-the-approach"],
    FlagKind.NO_RELIABLE_IMPROVEMENT: ["therapist-no-improvement", "therapist-change-the-approach"],
    FlagKind.DETERIORATION: ["therapist-deterioration", "therapist-medication-and-other-care"],
    FlagKind.WELLBEING_FALLING: ["therapist-deterioration"],
    FlagKind.DISCOMFORT: ["therapist-alliance-rupture"],
    FlagKind.CHECKINS_STOPPED: ["therapist-dropout-risk"],
    FlagKind.EXPECTATIONS_UNMET: ["therapist-unmet-expectations", "therapist-early-sessions"],
    FlagKind.NO_IMPROVEMENT: ["therapist-no-improvement", "therapist-change-the-approach"],
    FlagKind.WORSE_AFTER_SESSIONS: ["therapist-worse-after-sessions"],
    FlagKind.HOMEWORK_FALLING: ["therapist-homework-falling-off"],
    FlagKind.STOPPING_CONSIDERED: ["therapist-dropout-risk", "therapist-change-the-approach"],
}

# The client's guided page before stopping or switching: the articles' steps,
# in the order they come to them, as the client pieces of the library.
BEFORE_STOPPING = [
    "open-a-dialogue",  # talk about it first
    TIMELINE_KEY,  # consider the timeline
    "reassess-expectations",
    "other-kinds-of-therapy",
    "new-therapist-not-failure",  # another therapist
    "medication-as-complement",
    "working-but-unpleasant",  # it may be working even if it is hard
    "choosing-to-stop",  # it is fine to stop, after talking it over
]


def before_stopping(reading: Reading, t: Thresholds) -> list[str]:
    """The steps worth reading before stopping or switching, chosen by the reading.

    Talking it over comes first, always. A client who is getting worse reads how
    to tell a hard patch from a real decline, and nothing about waiting; one who
    has stalled reads about changing the approach, not the timeline; the timeline
    only while it is early to judge. While a safety flag is open, nothing about
    waiting or stopping: the next step is the therapist and the crisis contacts.
    """
    keys = list(BEFORE_STOPPING)
    if reading.falling:
        keys.insert(1, "hard-sessions-vs-decline")
    if reading.stalled:
        keys.insert(1, "change-the-approach")
    if reading.sessions >= t.early_sessions:
        keys.remove(TIMELINE_KEY)
    left_out = excluded_keys(reading)
    return [key for key in keys if key not in left_out]


FLAG_ADVICE_CLOSING = "therapist-open-the-conversation"
# Barrier flags take the piece whose questions fit what was named, by the
# barrier's code: its label is in whatever language the flag was written in.
BARRIER_ADVICE = {
    Barrier.TIME: "therapist-barriers",
    Barrier.MONEY: "therapist-barriers",
    Barrier.ENERGY: "therapist-not-ready",
    Barrier.LIFE_EVENTS: "therapist-not-ready",
}
# Flags stored before their evidence carried the barrier's code name it only by
# its label, and labels were English then: as they read then, not as they read now.
BARRIERS_BY_STORED_LABEL = {
    "Time": Barrier.TIME,
    "Money": Barrier.MONEY,
    "Energy": Barrier.ENERGY,
    "Things happening in my life": Barrier.LIFE_EVENTS,
}


def _barrier_named(item: dict) -> str | None:
    """The code of the barrier one item of a barrier flag's evidence names, if any."""
    code = item.get("code")
    if code in BARRIER_ADVICE:
        return code
    return BARRIERS_BY_STORED_LABEL.get(item.get("value"))


def advice_keys_for_flag(kind: str, evidence: Sequence[dict] = ()) -> list[str]:
    if kind in SAFETY_KINDS:
        return FLAG_ADVICE[kind]
    if kind == FlagKind.BARRIERS:
        named = [_barrier_named(item) for item in evidence]
        keys = list(dict.fromkeys(BARRIER_ADVICE[code] for code in named if code))
    else:
        keys = FLAG_ADVICE.get(kind, [])
    return [*keys, FLAG_ADVICE_CLOSING]


# Which of the client's own words open which conversation: what they hoped to
# see, for a flag about therapy not meeting hopes or not helping; what they
# asked to raise, for one about how sessions feel.
HOPES_KINDS = frozenset(
    {
        FlagKind.EXPECTATIONS_UNMET,
        FlagKind.NO_IMPROVEMENT,
        FlagKind.NO_RELIABLE_IMPROVEMENT,
        FlagKind.NOT_ON_TRACK,
    }
)
SESSION_KINDS = frozenset({FlagKind.DISCOMFORT, FlagKind.WORSE_AFTER_SESSIONS})


def questions_from_their_words(kind: str, *, hoped_for: str = "", to_raise: str = "") -> list[str]:
    """Opening questions that quote what the client wrote (only text they shared is
    passed in), to put before the advice's fixed questions."""
    if kind in HOPES_KINDS and hoped_for:
        return [
            gettext("You said you hoped to see “%(words)s”. How close does that feel now?")
            % {"words": without_full_stop(hoped_for)}
        ]
    if kind in SESSION_KINDS and to_raise:
        return [
            gettext("You wrote “%(words)s”. Could we start there?")
            % {"words": without_full_stop(to_raise)}
        ]
    return []
