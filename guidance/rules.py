"""Rules that pick advice for one check-in and the client's earlier check-ins.

Each rule is a small pure function: it reads the check-in and its history
(oldest first, the current check-in last) and returns the advice that fits,
each with a rank (lower comes first) and a reason written for its reader.
Client pieces speak to the client ("you"); therapist pieces to the therapist.

Thresholds come from checkins.trends, the same ones the therapist's flags
use, so advice and flags never disagree.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checkins.models import FlagKind, Homework
from checkins.trends import (
    CheckInLike,
    Thresholds,
    felt_worse_count,
    homework_falling_off,
    is_deteriorating,
    is_stalled,
    trailing_run,
    wellbeing_drop,
)

# The piece every client list ends on: both articles close on the same point,
# that the first step is an honest conversation with the therapist.
CLOSING_KEY = "raise-it-with-your-therapist"
# Enough to read on a phone in a minute; more and nothing stands out.
MAX_CLIENT_PIECES = 4
MAX_THERAPIST_PIECES = 4

# Ranks: what matters most for safety and for staying in therapy comes first.
RANK_DETERIORATION = 10
RANK_DISCOMFORT = 20
RANK_STALLED = 30
# Early on, "it is too soon to judge" is the most useful thing to hear, so the
# timeline comes before the expectations pieces it explains.
RANK_TIMELINE = 35
RANK_EXPECTATIONS = 40
RANK_WORSE_AFTER = 45
RANK_HOMEWORK = 50
RANK_BARRIERS = 60
RANK_DIALOGUE = 90


@dataclass(frozen=True)
class Match:
    key: str
    rank: int
    reason: str


Rule = Callable[[Sequence[CheckInLike], Thresholds], list[Match]]


def _sessions(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"


def deterioration(history, t):
    """A clear, sustained drop in wellbeing: raise it, never reassure it away."""
    if not is_deteriorating(history, t):
        return []
    drop = wellbeing_drop(history, t)
    return [
        Match(
            "hard-sessions-vs-decline",
            RANK_DETERIORATION,
            f"How you have been has dropped by about {drop:.0f} points over your last "
            f"{t.recent_checkins} check-ins. That is worth telling your therapist soon, "
            "not waiting out.",
        ),
        Match(
            "therapist-deterioration",
            RANK_DETERIORATION,
            f"Recent wellbeing is {drop:.1f} points below the client's own baseline.",
        ),
    ]


def discomfort(history, t):
    current = history[-1]
    if current.discomfort < t.discomfort_high:
        return []
    run = trailing_run(history, lambda c: c.discomfort >= t.discomfort_high)
    matches = [
        Match(
            "discomfort-with-therapist",
            RANK_DISCOMFORT,
            f"You rated feeling uneasy with your therapist {current.discomfort} out of 4 "
            "this week.",
        ),
        Match(
            "therapist-alliance-rupture",
            RANK_DISCOMFORT,
            f"Discomfort with you rated {current.discomfort}/4"
            + (f", {run} check-ins in a row." if run > 1 else " this week."),
        ),
    ]
    if run >= t.expectations_unmet_checkins:
        matches.append(
            Match(
                "new-therapist-not-failure",
                RANK_DISCOMFORT + 1,
                f"You have felt uneasy with your therapist for {run} check-ins in a row.",
            )
        )
    return matches


def stalled(history, t):
    """Many sessions without reliable improvement: look at the approach, not only at time."""
    if not is_stalled(history, t):
        return []
    sessions = history[-1].sessions_attended
    matches = [
        Match(
            "change-the-approach",
            RANK_STALLED,
            f"You have had {_sessions(sessions)} and how you have been has not moved much "
            "from where you started.",
        ),
        Match(
            "other-kinds-of-therapy",
            RANK_STALLED + 1,
            f"After {_sessions(sessions)}, it may be worth asking about other ways of working.",
        ),
        Match(
            "therapist-no-improvement",
            RANK_STALLED,
            f"{_sessions(sessions)} in, wellbeing is no higher than the client's baseline.",
        ),
        Match(
            "therapist-change-the-approach",
            RANK_STALLED + 1,
            "No reliable gain after many sessions: another format may reach the client.",
        ),
    ]
    if history[-1].wellbeing <= 3:
        matches += [
            Match(
                "medication-as-complement",
                RANK_STALLED + 2,
                "You have been low for a while despite therapy; extra support may help.",
            ),
            Match(
                "therapist-medication-and-other-care",
                RANK_STALLED + 2,
                f"Wellbeing {history[-1].wellbeing}/10 with no gain after many sessions.",
            ),
        ]
    unmet = trailing_run(history, lambda c: c.expectations <= t.expectations_low)
    if unmet >= t.expectations_unmet_checkins:
        matches.append(
            Match(
                "choosing-to-stop",
                RANK_STALLED + 3,
                "If you are thinking of stopping, talking it over first leaves the most doors "
                "open.",
            )
        )
    return matches


def expectations(history, t):
    current = history[-1]
    if current.expectations > t.expectations_low:
        return []
    run = trailing_run(history, lambda c: c.expectations <= t.expectations_low)
    matches = [
        Match(
            "reassess-expectations",
            RANK_EXPECTATIONS,
            f"You rated therapy {current.expectations} out of 5 for meeting what you hoped for"
            + (f", {run} check-ins in a row." if run > 1 else " this week."),
        ),
    ]
    if run >= 2:
        matches.append(
            Match(
                "short-term-goals",
                RANK_EXPECTATIONS + 1,
                "A small goal you could notice within a few weeks makes progress easier to see.",
            )
        )
    if current.sessions_attended < t.early_sessions:
        matches.append(
            Match(
                "clinician-not-magician",
                RANK_EXPECTATIONS + 3,
                f"You are {_sessions(current.sessions_attended)} in; change takes the two of "
                "you working on it.",
            )
        )
    if run >= t.expectations_unmet_checkins:
        matches += [
            Match(
                "therapists-role",
                RANK_EXPECTATIONS + 2,
                "Telling your therapist that therapy falls short is part of the work, not a "
                "complaint.",
            ),
            Match(
                "therapist-unmet-expectations",
                RANK_EXPECTATIONS,
                f"Expectations rated {t.expectations_low} or lower for {run} check-ins in a row.",
            ),
        ]
    return matches


def felt_worse(history, t):
    """Feeling worse after sessions. Reassurance only when wellbeing is not dropping."""
    if not history[-1].felt_worse_after_session or is_deteriorating(history, t):
        return []
    count = felt_worse_count(history, t)
    matches = [
        Match(
            "working-but-unpleasant",
            RANK_WORSE_AFTER,
            "You felt worse after a session this week"
            + (
                f", and in {count} of your last {t.worse_after_window} check-ins."
                if count > 1
                else "."
            )
            + " Say so if it keeps happening.",
        )
    ]
    if count >= t.worse_after_sessions:
        matches.append(
            Match(
                "therapist-worse-after-sessions",
                RANK_WORSE_AFTER,
                f"Felt worse after sessions in {count} of the last {t.worse_after_window} "
                "check-ins.",
            )
        )
    return matches


def homework(history, t):
    current = history[-1]
    if current.homework not in (Homework.NOT_DONE, Homework.SOME):
        return []
    matches = [
        Match(
            "homework-between-sessions",
            RANK_HOMEWORK,
            "You did "
            + ("none" if current.homework == Homework.NOT_DONE else "some")
            + " of this week's homework.",
        )
    ]
    if homework_falling_off(history, t):
        matches += [
            Match(
                "life-outside-therapy",
                RANK_HOMEWORK + 1,
                "Less of the homework has got done in recent weeks than before.",
            ),
            Match(
                "therapist-homework-falling-off",
                RANK_HOMEWORK,
                f"Homework done over the last {t.homework_window} weeks it was set is half or "
                "less of what it was before.",
            ),
        ]
    return matches


def barriers(history, t):
    current = history[-1]
    found = set(current.barriers)
    if not found:
        return []
    named = ", ".join(b.replace("_", " ") for b in current.barriers)
    matches = []
    if found & {"time", "money"}:
        matches.append(
            Match(
                "time-and-money",
                RANK_BARRIERS,
                f"You said {named} got in the way this week.",
            )
        )
    if found & {"energy", "life_events"}:
        matches.append(
            Match(
                "not-ready-yet",
                RANK_BARRIERS + 1,
                f"You said {named} got in the way this week.",
            )
        )
        matches.append(Match("therapist-not-ready", RANK_BARRIERS, f"Client reported: {named}."))
    matches.append(Match("therapist-barriers", RANK_BARRIERS, f"Client reported: {named}."))
    return matches


def returning_after_gap(history, t):
    """Back after weeks without a check-in: the quiet spell is worth asking about."""
    if len(history) < 2:
        return []
    gap_weeks = (history[-1].week_start - history[-2].week_start).days // 7 - 1
    if gap_weeks < t.missed_weeks:
        return []
    return [
        Match(
            "therapist-dropout-risk",
            RANK_BARRIERS - 5,
            f"First check-in after {gap_weeks} weeks without one.",
        )
    ]


def timeline(history, t):
    """Early on, impatience is understandable but it is too soon to judge."""
    current = history[-1]
    if current.sessions_attended >= t.early_sessions:
        return []
    if current.expectations > t.expectations_low and current.wellbeing > 4:
        return []
    return [
        Match(
            "timeline-too-early",
            RANK_TIMELINE,
            f"You have had {_sessions(current.sessions_attended)} so far; about half of people "
            f"notice real change by their {t.early_sessions}th session.",
        ),
        Match(
            "therapist-early-sessions",
            RANK_TIMELINE,
            f"{_sessions(current.sessions_attended)} in, with low expectations or wellbeing.",
        ),
    ]


def dialogue(history, t):
    """Whenever anything else fits, say plainly that talking is the first step."""
    return [
        Match(
            "open-a-dialogue",
            RANK_DIALOGUE,
            "Whatever is not working, telling your therapist is the quickest way to change it.",
        ),
        Match(
            "therapist-open-the-conversation",
            RANK_DIALOGUE,
            "Something in this check-in is worth opening up together.",
        ),
    ]


RULES: list[Rule] = [
    deterioration,
    discomfort,
    stalled,
    expectations,
    felt_worse,
    homework,
    barriers,
    returning_after_gap,
    timeline,
]


def match_advice(history: Sequence[CheckInLike], t: Thresholds) -> list[Match]:
    """All advice that fits the latest check-in in `history`, best first, keys unique.

    Ties keep rule order. The dialogue pieces are added when any rule fired.
    """
    if not history:
        return []
    found: dict[str, Match] = {}
    for rule in RULES:
        for match in rule(history, t):
            if match.key not in found or match.rank < found[match.key].rank:
                found[match.key] = match
    if found:
        for match in dialogue(history, t):
            found.setdefault(match.key, match)
    return sorted(found.values(), key=lambda m: m.rank)


def closing_match() -> Match:
    return Match(
        CLOSING_KEY,
        1000,
        "Your next session is the place to bring up anything you noticed this week.",
    )


# The therapist pieces that fit each trend flag, most useful first. Every
# flag's list ends on opening the conversation, as both articles do.
FLAG_ADVICE: dict[str, list[str]] = {
    FlagKind.CRISIS: ["therapist-deterioration", "therapist-not-ready"],
    FlagKind.DETERIORATION: ["therapist-deterioration", "therapist-medication-and-other-care"],
    FlagKind.DISCOMFORT: ["therapist-alliance-rupture"],
    FlagKind.CHECKINS_STOPPED: ["therapist-dropout-risk"],
    FlagKind.EXPECTATIONS_UNMET: ["therapist-unmet-expectations", "therapist-early-sessions"],
    FlagKind.NO_IMPROVEMENT: ["therapist-no-improvement", "therapist-change-the-approach"],
    FlagKind.WORSE_AFTER_SESSIONS: ["therapist-worse-after-sessions"],
    FlagKind.HOMEWORK_FALLING: ["therapist-homework-falling-off"],
    FlagKind.BARRIERS: ["therapist-barriers", "therapist-not-ready"],
}
FLAG_ADVICE_CLOSING = "therapist-open-the-conversation"


def advice_keys_for_flag(kind: str) -> list[str]:
    return [*FLAG_ADVICE.get(kind, []), FLAG_ADVICE_CLOSING]
