"""Weekly histories for the demo practice: one recognisable pattern per client.

Each pattern returns one entry per week, oldest first, ending last week (the
current week is left open so a demo client can fill it in). An entry is the
answers that differ from a neutral week, or None for a week with no check-in.
"""

from collections.abc import Callable

from clinical.measures import GAD7, PHQ9, example_answers

NEUTRAL = {
    "sessions_reason": "",
    "expectations": 3,
    "hoped_for": "",
    "discomfort": 1,
    "homework": "some",
    "wellbeing": 5,
    "felt_worse_after_session": False,
    "barrier_time": False,
    "barrier_money": False,
    "barrier_energy": False,
    "barrier_life_events": False,
    "to_raise": "",
    "share_text_with_therapist": True,
    "in_crisis": False,
}


def _week(sessions: int, **answers) -> dict:
    return {**NEUTRAL, "sessions_attended": sessions, **answers}


def _gaining(i: int) -> int:
    """Wellbeing that starts at 4 and gains a point every three weeks, up to 7:
    the ordinary course for a client whose pattern is about something else."""
    return 4 + min(3, i // 3)


def steady_progress(weeks: int) -> list[dict | None]:
    rows = []
    for i in range(weeks):
        rows.append(
            _week(
                i + 1,
                wellbeing=min(9, 4 + i * 5 // weeks + (i % 3 == 2)),
                expectations=3 if i < weeks // 3 else 4,
                discomfort=1 if i < 3 else 0,
                homework="most" if i % 4 else "all",
                hoped_for="Feel less anxious at work" if i == 0 else "",
            )
        )
    return rows


def rising_discomfort(weeks: int) -> list[dict | None]:
    rows = []
    for i in range(weeks):
        late = i - (weeks - 6)
        rows.append(
            _week(
                3 + i,
                wellbeing=_gaining(i) if late < 2 else 6,
                discomfort=0 if late < 0 else min(4, 1 + late // 2 + (late > 3)),
                expectations=4 if late < 2 else 3,
                to_raise="I find it hard to say when a session upsets me." if late == 5 else "",
            )
        )
    return rows


def homework_dropping(weeks: int) -> list[dict | None]:
    pattern = ["all", "all", "most", "most", "some", "some", "not_done", "not_done", "not_done"]
    rows = []
    for i in range(weeks):
        step = max(0, i - (weeks - len(pattern)))
        rows.append(
            _week(
                2 + i,
                homework=pattern[step] if i >= weeks - len(pattern) else "all",
                wellbeing=_gaining(i),
                expectations=4,
                barrier_energy=step >= 6,
            )
        )
    return rows


def stalled(weeks: int) -> list[dict | None]:
    return [
        _week(10 + i, wellbeing=4 + (i % 3 == 0), expectations=3 if i < 6 else 2, homework="some")
        for i in range(weeks)
    ]


def stopped_checking_in(weeks: int) -> list[dict | None]:
    rows: list[dict | None] = [
        _week(4 + i, wellbeing=_gaining(i), expectations=3, homework="most")
        for i in range(weeks - 4)
    ]
    rows[-1] = _week(4 + weeks - 5, wellbeing=5, expectations=2, barrier_time=True)
    return rows + [None] * 4


def crisis(weeks: int) -> list[dict | None]:
    rows = []
    for i in range(weeks):
        late = i - (weeks - 4)
        rows.append(
            _week(
                6 + i,
                wellbeing=6 if late < 0 else max(1, 4 - late),
                barrier_life_events=late >= 0,
                felt_worse_after_session=late >= 1,
                in_crisis=i == weeks - 1,
                share_text_with_therapist=True,
                to_raise="Things at home have become very hard." if i == weeks - 1 else "",
            )
        )
    return rows


def expectations_unmet(weeks: int) -> list[dict | None]:
    rows = []
    for i in range(weeks):
        late = i >= weeks - 5
        rows.append(
            _week(
                5 + i,
                expectations=2 if late else 3,
                felt_worse_after_session=late and i % 2 == 0,
                hoped_for="To understand why I keep falling out with people" if late else "",
                wellbeing=_gaining(i),
            )
        )
    return rows


def early_with_barriers(weeks: int) -> list[dict | None]:
    rows: list[dict | None] = [None] * (weeks - 3)
    for i in range(3):
        rows.append(
            _week(
                1 + i,
                expectations=2,
                wellbeing=4,
                homework="none_set" if i == 0 else "some",
                barrier_money=True,
                barrier_time=i == 2,
                hoped_for="Feel better quickly",
            )
        )
    return rows


def deteriorating(weeks: int) -> list[dict | None]:
    rows = []
    for i in range(weeks):
        late = i - (weeks - 6)
        rows.append(
            _week(
                2 + i,
                wellbeing=7 if late < 0 else max(2, 7 - late),
                expectations=4 if late < 2 else 3,
                to_raise="I have not told anyone how low I feel." if late == 5 else "",
                share_text_with_therapist=late != 5,
            )
        )
    return rows


def settled(weeks: int) -> list[dict | None]:
    """A client for whom therapy is going fine: nothing to flag, as for most clients."""
    return [
        _week(
            8 + i,
            wellbeing=6 + (i % 3 == 1),
            expectations=4,
            discomfort=0 if i % 4 else 1,
            homework="most" if i % 3 else "all",
        )
        for i in range(weeks)
    ]


def improving_busy_week(weeks: int) -> list[dict | None]:
    """Steady progress, and one week when energy got in the way: on track, not flagged."""
    rows = steady_progress(weeks)
    rows[-1] = {**rows[-1], "barrier_energy": True, "homework": "some"}
    return rows


# Most of a caseload: clients for whom therapy is going as it usually does.
# Each takes a variant (0, 1, 2...) so that two clients of one pattern differ in
# how long they have been coming, how they feel and what they say. Every one
# is clearly steady or improving in its last weeks, so none is worth raising.
HOPES = [
    "Sleep through the night again",
    "Handle stress at work better",
    "Feel closer to my family",
    "Stop avoiding my friends",
    "Feel like myself again",
]
HARD_WEEKS = [
    "A hard week: my father was in hospital.",
    "I lost my temper at work and it shook me.",
    "We had to move out at short notice.",
]
GOING_WELL = "Things are going well; I want to keep the routines going."


def _joined(weeks: int, variant: int) -> int:
    """Weeks since this client started checking in: 12 to the whole history."""
    return weeks - (variant * 3) % 5


def _started(weeks: int, rows: list[dict | None]) -> list[dict | None]:
    """A later start: no check-ins before the client joined."""
    return [None] * (weeks - len(rows)) + rows


def doing_well(weeks: int, variant: int = 0) -> list[dict | None]:
    """Well and staying well: high wellbeing, hopes met, homework done."""
    n = _joined(weeks, variant)
    level = 7 + variant % 2
    rows = [
        _week(
            6 + 2 * variant + i,
            wellbeing=level + (i % 5 == 2) - (i % 7 == 4 and i < n - 3),
            expectations=4 + (variant % 2 and i % 3 == 0),
            discomfort=0,
            homework="all" if i % 3 else "most",
            hoped_for=HOPES[variant % len(HOPES)] if i == 0 else "",
            to_raise=GOING_WELL if i == n - 2 and variant % 2 == 0 else "",
        )
        for i in range(n)
    ]
    return _started(weeks, rows)


def slowly_improving(weeks: int, variant: int = 0) -> list[dict | None]:
    """Small gains week after week: wellbeing up two or three points over months."""
    n = _joined(weeks, variant)
    rows = [
        _week(
            1 + variant + i,
            wellbeing=4 + round((2 + variant % 2) * i / (n - 1)),
            expectations=3 if i < n // 2 else 4,
            discomfort=1 if i < 4 else 0,
            homework="some" if i < n // 2 else "most",
            hoped_for=HOPES[(variant + 1) % len(HOPES)] if i == 0 else "",
        )
        for i in range(n)
    ]
    return _started(weeks, rows)


def bad_week_recovered(weeks: int, variant: int = 0) -> list[dict | None]:
    """Better than at the start and settled there, one hard week some weeks ago
    (life got in the way), and back since."""
    n = _joined(weeks, variant)
    level = 7 + variant % 2
    dip = n - 7 - variant % 3
    rows = []
    for i in range(n):
        hard = i == dip
        usual = min(level, 5 + i // 2)  # two points up over the first weeks
        rows.append(
            _week(
                4 + 2 * variant + i,
                wellbeing=usual - 3 if hard else usual - 1 if i == dip + 1 else usual,
                expectations=4,
                discomfort=0 if i % 4 else 1,
                homework="not_done" if hard else "most",
                barrier_life_events=hard,
                to_raise=HARD_WEEKS[variant % len(HARD_WEEKS)] if hard else "",
            )
        )
    return _started(weeks, rows)


def barrier_once(weeks: int, variant: int = 0) -> list[dict | None]:
    """Improving, and one week when time (or money) got in the way of the homework."""
    n = _joined(weeks, variant)
    once = n // 2 + variant % 3 - 1
    rows = [
        _week(
            2 + variant + i,
            wellbeing=min(8, 4 + variant % 3 + i * 3 // n),
            expectations=3 if i < 3 else 4,
            discomfort=1 if i < 2 else 0,
            homework="some" if i == once else "most",
            barrier_time=i == once and variant % 2 == 0,
            barrier_money=i == once and variant % 2 == 1,
            hoped_for=HOPES[(variant + 2) % len(HOPES)] if i == 0 else "",
        )
        for i in range(n)
    ]
    return _started(weeks, rows)


Course = Callable[[float], float]  # a score at a point in the history, 0 (first) to 1 (last)


def _line(first: float, last: float) -> Course:
    return lambda at: first + (last - first) * at


def with_scores(
    pattern: Callable[..., list[dict | None]],
    phq9: Course,
    gad7: Course,
    *,
    item9_last: int = 0,
) -> Callable[..., list[dict | None]]:
    """The pattern's weeks with the PHQ-9 and GAD-7 answered every other check-in
    (the practice default): the first, then every other one ending the week before
    last, so that they are due again in the demo's current week. A pattern with
    `item9_last` answers them in its last check-in too, item 9 at that value."""

    def weeks_with_scores(weeks: int, *variant: int) -> list[dict | None]:
        rows = pattern(weeks, *variant)
        answered = [i for i, row in enumerate(rows) if row is not None]
        for n, i in enumerate(answered):
            last = i == answered[-1]
            if not (n == 0 or (len(answered) - n) % 2 == 0 or (last and item9_last)):
                continue
            at = n / max(1, len(answered) - 1)
            safety = item9_last if last else 0
            rows[i] = {
                **rows[i],
                "measures": {
                    PHQ9.key: {
                        "answers": example_answers(
                            PHQ9, max(safety, round(phq9(at))), safety=safety
                        ),
                        "follow_up": 1,
                    },
                    GAD7.key: {"answers": example_answers(GAD7, round(gad7(at))), "follow_up": 1},
                },
            }
        return rows

    return weeks_with_scores


def _late_rise(first: float, rise: float) -> Course:
    """Level, then rising over the last third of the history."""
    return lambda at: first + rise * max(0.0, (at - 2 / 3) * 3)


# Each pattern's questionnaire course mirrors its answers: the settled and the
# improving move into or stay in the mild range, the stalled stay moderate, the
# deteriorating rise by more than a reliable change, the crisis week answers
# item 9.
PATTERNS: dict[str, Callable[[int], list[dict | None]]] = {
    "settled": with_scores(settled, _line(6, 5), _line(5, 4)),
    "improving, one busy week": with_scores(improving_busy_week, _line(14, 6), _line(11, 5)),
    "steady progress": with_scores(steady_progress, _line(13, 7), _line(9, 6)),
    "rising discomfort": with_scores(rising_discomfort, _line(8, 8), _line(7, 7)),
    "homework dropping": with_scores(homework_dropping, _line(9, 7), _line(7, 6)),
    "stalled after many sessions": with_scores(stalled, _line(15, 14), _line(12, 11)),
    "stopped checking in": with_scores(stopped_checking_in, _line(9, 8), _line(8, 7)),
    "crisis answer": with_scores(crisis, _late_rise(11, 6), _late_rise(9, 4), item9_last=2),
    "expectations unmet": with_scores(expectations_unmet, _line(9, 9), _line(7, 7)),
    "new, with barriers": with_scores(early_with_barriers, _line(13, 12), _line(10, 10)),
    "deteriorating": with_scores(deteriorating, _late_rise(8, 8), _late_rise(6, 5)),
}


def _varied(first: float, last: float, variant: int, spread: int = 2) -> Course:
    """A straight course, a point or two higher or lower for another variant."""
    shift = variant % (spread + 1) - spread // 2
    return _line(first + shift, last + shift // 2)


# The ordinary clients' patterns, by name: (weeks, variant) -> weeks. Their
# questionnaires stay mild, or start moderate and fall by more than a reliable
# change, so none of them is flagged for its scores.
ORDINARY: dict[str, Callable[[int, int], list[dict | None]]] = {
    "doing well": lambda weeks, v: with_scores(
        doing_well, _varied(5, 3, v), _varied(4, 3, v, spread=1)
    )(weeks, v),
    "slowly improving": lambda weeks, v: with_scores(
        slowly_improving, _varied(9, 5, v, spread=1), _varied(8, 5, v)
    )(weeks, v),
    "a bad week, recovered": lambda weeks, v: with_scores(
        bad_week_recovered, _varied(7, 5, v), _varied(6, 5, v)
    )(weeks, v),
    "a barrier once": lambda weeks, v: with_scores(
        barrier_once, _varied(13, 6, v), _varied(10, 5, v)
    )(weeks, v),
}


def demo_history(pattern: str, *, weeks: int, variant: int = 0) -> list[dict | None]:
    """The weeks of a demo client with this pattern: the n-th client of an ordinary
    pattern is its n-th variant; the showcased patterns have one history each."""
    if pattern in ORDINARY:
        return ORDINARY[pattern](weeks, variant)
    return PATTERNS[pattern](weeks)
