"""What the outcomes page reports, defined once for the page, the CSV and the
README: each figure's meaning, what it counts, when it is held back, and how
it is rounded before anyone sees it.

Pure: no database. The numbers come from `outcomes.queries`.
"""

from dataclasses import dataclass, replace

from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from clinical.measures import EPISODE_MEASURES
from clinical.trends import DEFAULT_THRESHOLDS

# The small-cell rule: a figure resting on fewer clients than this is not shown,
# so no figure singles a person out. Five is the portal's own choice, not a
# published standard: low enough that a small practice still sees its figures.
# Public bodies hold back more: CMS's cell-size suppression policy bars counts
# of 1 to 10 from Medicare and Medicaid data (cells under 11), and NHS England
# holds back sub-national counts of 1 to 7 in its Hospital Episode Statistics.
# A practice may set it higher with OUTCOMES_MIN_CLIENTS; lower is refused at
# start-up.
DEFAULT_MIN_CLIENTS = 5

# Check-ins "stopped" as the trend rule reads it: this many whole weeks missed.
STOPPED_AFTER_MISSED_WEEKS = DEFAULT_THRESHOLDS.missed_weeks


def _lazy(template: str, **terms) -> str:
    """A message with its terms filled in when it is read, in the reader's language."""
    return lazy(lambda: gettext(template) % terms, str)()


class Kind:
    COUNT = "count"
    SHARE = "share"
    WEEKS = "weeks"
    HOURS = "hours"
    DAYS = "days"


@dataclass(frozen=True)
class Figure:
    key: str
    section: str
    label: str
    kind: str
    definition: str
    # The value is itself a number of clients, so "fewer than 5" is the value
    # in words; for any other figure it would read as the value and mislead.
    counts_clients: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    # Said once in place of the section's figures when every one is held back
    # for resting on too few clients; %(n)s is the small-cell limit.
    all_held_back: str = gettext_noop(
        "These figures are held back: each rests on fewer than %(n)s clients in this period."
    )


SECTIONS = (
    Section("caseload", _("Caseload")),
    Section("engagement", _("Engagement")),
    Section("episodes", _("Outcomes per course of therapy, on the PHQ-9 and GAD-7 together")),
    Section(
        "safety",
        _("Safety"),
        gettext_noop(
            "Safety figures are held back: fewer than %(n)s clients had a crisis answer or a "
            "safety flag in this period, too few to show without singling someone out."
        ),
    ),
    Section("flags", _("Flags and follow-through")),
)


# The figures' terms: each questionnaire's cut-off and reliable change, as the
# definitions print them ("PHQ-9 10, GAD-7 8").
_TERMS = {
    "cutoffs": ", ".join(f"{i.short_name} {i.cutoff}" for i in EPISODE_MEASURES),
    "changes": ", ".join(f"{i.short_name} {i.reliable_change}" for i in EPISODE_MEASURES),
}


def _episode_figure(key: str, label, definition: str) -> Figure:
    return Figure(f"episode_{key}", "episodes", label, Kind.SHARE, _lazy(definition, **_TERMS))


# NHS Talking Therapies' rules (clinical.measures.EpisodeOutcome), on each
# course's first and last paired scores: PHQ-9 and GAD-7 in the same check-in.
EPISODE_FIGURES = (
    _episode_figure(
        "reliably_improved",
        _("Reliably improved"),
        gettext_noop(
            "One questionnaire down by its reliable change (%(changes)s points) or more and "
            "neither up by its own, from the course's first paired score to its last, out of "
            "courses with two or more paired scores, the last in the period."
        ),
    ),
    _episode_figure(
        "recovered",
        _("Recovered"),
        gettext_noop(
            "Below the cut-off on both at the last paired score, out of courses at or above it "
            "on either (%(cutoffs)s) at the first."
        ),
    ),
    _episode_figure(
        "reliably_recovered",
        _("Reliably recovered"),
        gettext_noop(
            "Recovered and reliably improved, out of courses at or above the cut-off on either "
            "(%(cutoffs)s) at the first paired score."
        ),
    ),
    _episode_figure(
        "no_reliable_change",
        _("No reliable change"),
        gettext_noop(
            "Neither reliably improved nor reliably deteriorated, out of courses with two or "
            "more paired scores, the last in the period: one questionnaire down and the other up, "
            "each by its reliable change, is here."
        ),
    ),
    _episode_figure(
        "reliably_deteriorated",
        _("Reliably deteriorated"),
        gettext_noop(
            "One questionnaire up by its reliable change (%(changes)s points) or more and the "
            "other not down by its own, out of courses with two or more paired scores, the last "
            "in the period."
        ),
    ),
)


FIGURES: tuple[Figure, ...] = (
    Figure(
        "active_clients",
        "caseload",
        _("Active clients"),
        Kind.COUNT,
        _("Clients on the caseload at any time in the period."),
        counts_clients=True,
    ),
    Figure(
        "new_clients",
        "caseload",
        _("New clients"),
        Kind.COUNT,
        _(
            "Clients who joined in the period. For a therapist, joined their caseload, "
            "a move from a colleague included."
        ),
        counts_clients=True,
    ),
    Figure(
        "ended_clients",
        "caseload",
        _("Clients who ended"),
        Kind.COUNT,
        _(
            "Clients whose therapy ended in the period. For a therapist, left their "
            "caseload, a move to a colleague included."
        ),
        counts_clients=True,
    ),
    Figure(
        "completion_rate",
        "engagement",
        _("Check-in completion"),
        Kind.SHARE,
        _(
            "Weeks with a check-in out of weeks on the caseload in the period, the week "
            "still open not counted."
        ),
    ),
    Figure(
        "checkins_stopped",
        "engagement",
        _("Check-ins stopped"),
        Kind.SHARE,
        _lazy(
            gettext_noop(
                "Clients on the caseload at the end of the period whose check-ins stopped "
                "(%(weeks)s or more weeks missed, as the trend flag reads it), out of those "
                "who had checked in."
            ),
            weeks=STOPPED_AFTER_MISSED_WEEKS,
        ),
    ),
    Figure(
        "median_weeks",
        "engagement",
        _("Median weeks in therapy"),
        Kind.WEEKS,
        _(
            "From joining the caseload to the end of therapy or of the period. For a "
            "therapist, weeks on their caseload."
        ),
    ),
    *EPISODE_FIGURES,
    Figure(
        "crisis_answers",
        "safety",
        _("Crisis answers"),
        Kind.COUNT,
        _("Check-ins in the period that answered yes to the crisis question."),
    ),
    Figure(
        "item9_answers",
        "safety",
        _("PHQ-9 item 9 answers"),
        Kind.COUNT,
        _("PHQ-9 answers in the period with item 9 above “Not at all”."),
    ),
    Figure(
        "hours_to_action_median",
        "safety",
        _("Median hours to first action"),
        Kind.HOURS,
        _(
            "From a safety flag opening (the answer) to the therapist's first recorded "
            "action: contact, safety plan or clearing."
        ),
    ),
    Figure(
        "hours_to_action_longest",
        "safety",
        _("Longest hours to first action"),
        Kind.HOURS,
        _("The longest of those times in the period."),
    ),
    Figure(
        "safety_no_action",
        "safety",
        _("Safety flags with no action yet"),
        Kind.COUNT,
        _("Safety flags opened in the period with no action recorded to date."),
    ),
    Figure(
        "escalations",
        "safety",
        _("Escalations"),
        Kind.COUNT,
        _("Safety flags opened in the period that went to the on-call contact."),
    ),
    Figure(
        "flags_opened",
        "flags",
        _("Flags opened"),
        Kind.COUNT,
        _("Trend flags opened in the period (safety flags are counted above)."),
    ),
    Figure(
        "flags_raised",
        "flags",
        _("Raised in session"),
        Kind.COUNT,
        _("Of those, raised with the client in session."),
    ),
    Figure(
        "flags_dismissed",
        "flags",
        _("Dismissed"),
        Kind.COUNT,
        _("Of those, dismissed by the therapist with a note."),
    ),
    Figure(
        "days_to_handling_median",
        "flags",
        _("Median days to handling"),
        Kind.DAYS,
        _("From a flag opening to the therapist raising or dismissing it."),
    ),
)

FIGURES_BY_KEY = {figure.key: figure for figure in FIGURES}


@dataclass(frozen=True)
class Cell:
    """One figure for one group: its value and how many clients it rests on.

    For a share, `count` and `base` are its numerator and denominator (in
    clients, or in weeks for the completion rate) and `clients` the clients
    behind the denominator.
    """

    figure: Figure
    value: float | None
    clients: int
    count: int | None = None
    base: int | None = None
    # Held back although it rests on enough clients: see hold_back_complements.
    held_back: bool = False


class Shown:
    VALUE = "value"
    SUPPRESSED = "suppressed"
    HELD_BACK = "held_back"
    NO_DATA = "no_data"
    # A share on enough clients whose count is too small to round (see publish).
    FEW = "few"


def shown(cell: Cell, min_clients: int) -> str:
    """Whether a cell is shown: never when it rests on 1 to min_clients - 1
    clients, nor when it is held back to protect such a cell; a count of
    nobody is a plain 0, any other figure about nobody is "no data"."""
    if 0 < cell.clients < min_clients:
        return Shown.SUPPRESSED
    if cell.held_back:
        return Shown.HELD_BACK
    if cell.value is None or (cell.clients == 0 and cell.figure.kind != Kind.COUNT):
        return Shown.NO_DATA
    return Shown.VALUE


def hold_back_complements(rows: list[dict[str, Cell]], min_clients: int) -> None:
    """Secondary suppression, across the rows that add up to the practice's row:
    each therapist's, and the activity of clients on no caseload at the time
    (never shown, but part of the total).

    In each column, the held-back cells together must rest on at least
    `min_clients` clients, or the practice total minus the shown cells would
    narrow them down to within the rounding of those figures (ROUND_TO): while
    they do not, the shown cell resting on the fewest clients (a zero
    included) is held back too. Ties go to the earlier row,
    never to the value, so the columns that share one base (a measure's
    improved, unchanged and deteriorated shares) hold back the same rows."""
    for key in rows[0].keys() if rows else ():
        hidden = [
            i for i, row in enumerate(rows) if shown(row[key], min_clients) == Shown.SUPPRESSED
        ]
        if not hidden:
            continue
        candidates = sorted(
            (i for i, row in enumerate(rows) if shown(row[key], min_clients) == Shown.VALUE),
            key=lambda i: (rows[i][key].clients, i),
        )
        while candidates and (
            len(hidden) < 2 or sum(rows[i][key].clients for i in hidden) < min_clients
        ):
            i = candidates.pop(0)
            rows[i][key] = replace(rows[i][key], held_back=True)
            hidden.append(i)


def share(count: int | None, base: int | None) -> float | None:
    return count / base if base else None


# Every count that leaves the portal, and both sides of every share, is rounded
# to the nearest multiple of this, as NHS England rounds the counts in its
# published statistics. Holding back small cells alone is undone by
# subtraction: this quarter's active clients minus last quarter's still on the
# caseload is this quarter's new clients, held back or not. Rounded, each
# figure may be 2 off either way, so any sum or difference of them is a range.
# Not a threshold: OUTCOMES_MIN_CLIENTS may rise, this stays.
ROUND_TO = 5


def rounded(n: int) -> int:
    """To the nearest multiple of ROUND_TO (a half, which an odd step never
    meets, up)."""
    return (n + ROUND_TO // 2) // ROUND_TO * ROUND_TO


@dataclass(frozen=True)
class Published:
    """A cell as the page, its charts and the CSV may show it: counts, bases and
    clients rounded, a share worked out from its rounded count and base."""

    figure: Figure
    state: str
    value: float | None
    clients: int
    count: int | None = None
    base: int | None = None


def publish(cell: Cell, min_clients: int) -> Published:
    """The only way a cell's numbers leave the portal. A share's count of 1 to
    ROUND_TO - 1 rounds to 0 or ROUND_TO, either of which misleads (a
    deterioration would read as none), so it says "fewer than 5" instead."""
    state, kind = shown(cell, min_clients), cell.figure.kind
    if state != Shown.VALUE:
        return Published(cell.figure, state, None, 0)
    clients = rounded(cell.clients)
    if kind == Kind.COUNT:
        return Published(cell.figure, state, rounded(int(cell.value)), clients)
    if kind == Kind.SHARE:
        count, base = rounded(cell.count), rounded(cell.base)
        if 0 < cell.count < ROUND_TO:
            state = Shown.FEW
        return Published(cell.figure, state, share(count, base), clients, count, base)
    return Published(cell.figure, state, cell.value, clients)


def base_unit(figure: Figure) -> str:
    """What a share's two numbers count: weeks, courses of therapy or clients."""
    if figure.key == "completion_rate":
        return "weeks"
    if figure.section == "episodes":
        return "courses"
    return "clients"


def held_back_reason(cell: Cell, min_clients: int) -> str:
    """Why a figure is not shown as a number, in words a lead reads at a glance;
    empty when it is shown."""
    figure = publish(cell, min_clients)
    if figure.state == Shown.SUPPRESSED:
        return gettext("rests on fewer than %(n)s clients") % {"n": min_clients}
    if figure.state == Shown.HELD_BACK:
        return gettext(
            "would reveal a smaller figure held back beside it, by subtraction from the total"
        )
    if figure.state == Shown.FEW:
        return gettext("counts fewer than %(n)s, too few to round") % {"n": ROUND_TO}
    if figure.state == Shown.NO_DATA:
        return gettext("no data")
    return ""


def display(cell: Cell, min_clients: int, *, short: bool = False) -> str:
    """The cell as the page prints it. A held-back figure says why, unless its
    value is itself a number of clients, which "fewer than 5" then states.
    `short` is for a chart's narrow label, with the table beside it in full."""
    figure = publish(cell, min_clients)
    if figure.state == Shown.SUPPRESSED and figure.figure.counts_clients:
        return gettext("fewer than %(n)s") % {"n": min_clients}
    if figure.state in (Shown.SUPPRESSED, Shown.HELD_BACK) and short:
        return gettext("held back")
    if figure.state == Shown.SUPPRESSED:
        return gettext("Held back: rests on fewer than %(n)s clients") % {"n": min_clients}
    if figure.state == Shown.HELD_BACK:
        return gettext("Held back: would reveal a smaller figure")
    if figure.state == Shown.NO_DATA:
        return gettext("no data")
    if figure.state == Shown.FEW:
        return gettext("fewer than %(n)s of %(base)s") % {
            "n": ROUND_TO,
            "base": number_format(figure.base, force_grouping=True),
        }
    kind, value = figure.figure.kind, figure.value
    if kind == Kind.COUNT:
        return number_format(value, force_grouping=True)
    if kind == Kind.SHARE:
        return f"{round(100 * value)}%"
    if kind == Kind.WEEKS:
        return ngettext("%(n)s week", "%(n)s weeks", round(value)) % {"n": round(value)}
    if kind == Kind.HOURS:
        return ngettext("%(n)s hour", "%(n)s hours", round(value)) % {"n": round(value)}
    return ngettext("%(n)s day", "%(n)s days", round(value)) % {"n": round(value)}


# The CSV's columns for each figure: numbers only in the numeric ones, so a
# spreadsheet or a script reads them as numbers; why a number is missing in its
# own column.
CSV_COLUMNS = (
    "value",
    "unit",
    "count",
    "base",
    "base_unit",
    "clients",
    "held_back",
    "reason",
)


def _number(n: float | None, places: int = 1) -> str:
    if n is None:
        return ""
    return str(n) if isinstance(n, int) else f"{n:.{places}f}"


def csv_record(cell: Cell, min_clients: int) -> dict[str, str]:
    """One figure for a spreadsheet, rounded as the page's: `value` a number or
    empty (a share as 0-100, with `unit` "%"), `count` and `base` a share's two
    numbers, `clients` what the figure rests on, `held_back` yes or no and
    `reason` why it is empty."""
    figure = publish(cell, min_clients)
    kind = figure.figure.kind
    shown_value = figure.state == Shown.VALUE
    record = dict.fromkeys(CSV_COLUMNS, "")
    record["unit"] = "%" if kind == Kind.SHARE else kind
    if kind == Kind.SHARE:
        record["base_unit"] = base_unit(figure.figure)
    if figure.state in (Shown.VALUE, Shown.FEW):
        record["clients"] = _number(figure.clients)
        record["base"] = _number(figure.base)
    if shown_value and kind == Kind.SHARE:
        record["value"] = _number(100 * figure.value)
        record["count"] = _number(figure.count)
    elif shown_value:
        record["value"] = _number(figure.value)
    record["held_back"] = (
        "yes" if figure.state in (Shown.SUPPRESSED, Shown.HELD_BACK, Shown.FEW) else "no"
    )
    record["reason"] = held_back_reason(cell, min_clients)
    return record


def section_held_back(section: Section, row: dict[str, Cell], min_clients: int) -> str:
    """In place of a section's figures, one sentence when some are held back for
    resting on too few clients and the rest show nothing but a zero or no data
    (a demonstration practice's handful of crisis answers, say): cards saying
    "held back" beside zeros about the same few clients tell a lead no more.
    Else empty."""
    published = [publish(row[f.key], min_clients) for f in FIGURES if f.section == section.key]
    states = {p.state for p in published}
    # "Fewer than 5" active clients is a value in words, not a figure held back.
    if any(p.state == Shown.SUPPRESSED and p.figure.counts_clients for p in published):
        return ""
    if Shown.SUPPRESSED not in states or Shown.FEW in states:
        return ""
    if any(p.state == Shown.VALUE and (p.figure.kind != Kind.COUNT or p.value) for p in published):
        return ""
    return gettext(section.all_held_back) % {"n": min_clients}
