"""Weekly histories for the demo practice: one recognisable pattern per client.

Each pattern returns one entry per week, oldest first, ending last week (the
current week is left open so a demo client can fill it in). An entry is the
answers that differ from a neutral week, or None for a week with no check-in.
"""

from collections.abc import Callable

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


PATTERNS: dict[str, Callable[[int], list[dict | None]]] = {
    "settled": settled,
    "improving, one busy week": improving_busy_week,
    "steady progress": steady_progress,
    "rising discomfort": rising_discomfort,
    "homework dropping": homework_dropping,
    "stalled after many sessions": stalled,
    "stopped checking in": stopped_checking_in,
    "crisis answer": crisis,
    "expectations unmet": expectations_unmet,
    "new, with barriers": early_with_barriers,
    "deteriorating": deteriorating,
}
