"""Validated questionnaires as data, and what their scores mean.

An instrument is data: its published instructions, items and answer options
word for word (changing the wording invalidates the scores), how it is scored,
its severity bands, its clinical cut-off, its reliable-change figure and its
source. Adding another public-domain measure is one more `Instrument` in
`INSTRUMENTS`: the form, the scoring, the flags, the charts and the export
read it from here.

The definitions of change are the ones NHS Talking Therapies (formerly IAPT)
reports on, after Jacobson & Truax (1991):

- caseness: a score at or above the clinical cut-off;
- reliable improvement or deterioration: a change from the first score at
  least as large as the measure's reliable-change figure, the smallest change
  larger than the measurement error of the questionnaire;
- recovery: at or above the cut-off at the first score, below it now;
- reliable recovery: recovery and reliable improvement together.

`Change` applies them to one questionnaire; an episode of care is judged on
the PHQ-9 and the GAD-7 together (`episode_outcome`), and the per-questionnaire
change is its detail.

Pure functions only: no database, no clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str

    def __contains__(self, total: int) -> bool:
        return self.low <= total <= self.high


@dataclass(frozen=True)
class Wording:
    """An instrument's published translation: every word a reader sees, in the
    order of the English (items, answers and bands match one for one)."""

    language: str
    name: str
    about: str
    instructions: str
    items: tuple[str, ...]
    options: tuple[str, ...]
    band_labels: tuple[str, ...]
    source: str
    follow_up: str = ""
    follow_up_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instrument:
    key: str  # stored with every answer; never changes
    name: str
    short_name: str
    about: str  # what it measures, in a word or two
    instructions: str
    items: tuple[str, ...]
    options: tuple[Option, ...]
    bands: tuple[Band, ...]
    cutoff: int  # caseness: a total at or above this
    reliable_change: int  # points from the first score that count as real change
    source: str  # named on every page that shows the questions or the scores
    citation: str
    # Items whose every answer above the lowest goes to the crisis path at once
    # (numbered from 1, as printed).
    safety_items: tuple[int, ...] = ()
    # The closing question printed under the items: answered, kept, never scored.
    follow_up: str = ""
    follow_up_options: tuple[Option, ...] = ()
    # Published translations; English is the fields above.
    translations: tuple[Wording, ...] = ()

    def in_language(self, language: str | None) -> "Instrument":
        """The same instrument worded in `language` ("es", "es-us"), or in
        English where it has no published translation. Keys, values, cut-offs
        and scoring are untouched: a score means the same in either language."""
        code = (language or "").split("-")[0]
        wording = next((w for w in self.translations if w.language == code), None)
        if wording is None:
            return self

        def relabel(options, labels):
            return tuple(Option(o.value, label) for o, label in zip(options, labels, strict=True))

        return replace(
            self,
            name=wording.name,
            about=wording.about,
            instructions=wording.instructions,
            items=wording.items,
            options=relabel(self.options, wording.options),
            bands=tuple(
                Band(b.low, b.high, label)
                for b, label in zip(self.bands, wording.band_labels, strict=True)
            ),
            source=wording.source,
            follow_up=wording.follow_up,
            follow_up_options=relabel(self.follow_up_options, wording.follow_up_options),
        )

    @property
    def max_total(self) -> int:
        return len(self.items) * max(option.value for option in self.options)

    def option_label(self, value: int) -> str:
        """The printed answer for `value` (the bare number if none matches)."""
        return next((o.label for o in self.options if o.value == value), str(value))


# The four answers both questionnaires print, in their order and wording.
FREQUENCY = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)
DIFFICULTY = (
    Option(0, "Not difficult at all"),
    Option(1, "Somewhat difficult"),
    Option(2, "Very difficult"),
    Option(3, "Extremely difficult"),
)
PHQ_SOURCE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)

# The Spanish for the USA versions Pfizer publishes with the English ones
# (phqscreeners.com, "PHQ-9 Spanish for the USA" and "GAD-7 Spanish for the
# USA"), word for word, including the copyright line. Both address the reader
# as "usted", as the portal's own Spanish does. The band labels are the
# severity words of the scoring instructions, not part of the printed form.
FREQUENCY_ES = ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días")
DIFFICULTY_ES = ("No ha sido difícil", "Un poco difícil", "Muy difícil", "Extremadamente difícil")
INSTRUCTIONS_ES = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)
FOLLOW_UP_ES = (
    "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas "
    "para hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien con otras "
    "personas?"
)
PHQ_SOURCE_ES = (
    "Desarrollado por los Doctores Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke y "
    "colegas, con una beca educativa otorgada por Pfizer Inc. No se requiere permiso para "
    "reproducir, traducir, presentar o distribuir."
)

# The paper forms add "(Use ✔ to indicate your answer)" after the
# instructions; on screen the answer is a choice, so only that pencil
# direction is left out.
PHQ9 = Instrument(
    key="phq9",
    name="Patient Health Questionnaire (PHQ-9)",
    short_name="PHQ-9",
    about="depression",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    options=FREQUENCY,
    # Kroenke, Spitzer & Williams (2001), table 3.
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 19, "Moderately severe"),
        Band(20, 27, "Severe"),
    ),
    # NHS Talking Therapies Manual: caseness at 10, the cut-off with the best
    # balance of sensitivity and specificity for major depression (Kroenke et
    # al., 2001: 88% and 88%).
    cutoff=10,
    # NHS Talking Therapies Manual: 6 points is reliable change on the PHQ-9.
    reliable_change=6,
    source=PHQ_SOURCE,
    citation=(
        "Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: validity of a "
        "brief depression severity measure. Journal of General Internal Medicine, 16(9), 606-613."
    ),
    # Item 9 asks about thoughts of death or self-harm: any answer but "Not at
    # all" is a safety question for today, whatever the total.
    safety_items=(9,),
    follow_up=(
        "If you checked off any problems, how difficult have these problems made it for you to "
        "do your work, take care of things at home, or get along with other people?"
    ),
    follow_up_options=DIFFICULTY,
    translations=(
        Wording(
            language="es",
            name="Cuestionario sobre la salud del paciente (PHQ-9)",
            about="depresión",
            instructions=INSTRUCTIONS_ES,
            items=(
                "Poco interés o placer en hacer cosas",
                "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
                "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido "
                "demasiado",
                "Se ha sentido cansado(a) o con poca energía",
                "Sin apetito o ha comido en exceso",
                "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal "
                "con usted mismo(a) o con su familia",
                "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
                "periódico o ver la televisión",
                "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
                "contrario – muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo "
                "normal",
                "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
            ),
            options=FREQUENCY_ES,
            band_labels=("Mínima", "Leve", "Moderada", "Moderadamente severa", "Severa"),
            source=PHQ_SOURCE_ES,
            follow_up=FOLLOW_UP_ES,
            follow_up_options=DIFFICULTY_ES,
        ),
    ),
)

GAD7 = Instrument(
    key="gad7",
    name="Generalized Anxiety Disorder scale (GAD-7)",
    short_name="GAD-7",
    about="anxiety",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ),
    items=(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    options=FREQUENCY,
    # Spitzer et al. (2006): 5, 10 and 15 mark mild, moderate and severe.
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 21, "Severe"),
    ),
    # NHS Talking Therapies Manual: caseness at 8, the cut-off with the best
    # balance for any anxiety disorder (Kroenke et al., 2007: sensitivity 77%,
    # specificity 82%).
    cutoff=8,
    # NHS Talking Therapies Manual: 4 points is reliable change on the GAD-7.
    reliable_change=4,
    source=PHQ_SOURCE,
    citation=(
        "Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief measure for "
        "assessing generalized anxiety disorder: the GAD-7. Archives of Internal Medicine, "
        "166(10), 1092-1097."
    ),
    follow_up=(
        "If you checked off any problems, how difficult have these made it for you to do your "
        "work, take care of things at home, or get along with other people?"
    ),
    follow_up_options=DIFFICULTY,
    translations=(
        Wording(
            language="es",
            name="Escala del trastorno de ansiedad generalizada (GAD-7)",
            about="ansiedad",
            instructions=INSTRUCTIONS_ES,
            items=(
                "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
                "No ha sido capaz de parar o controlar su preocupación",
                "Se ha preocupado demasiado por motivos diferentes",
                "Ha tenido dificultad para relajarse",
                "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
                "Se ha molestado o irritado fácilmente",
                "Ha tenido miedo de que algo terrible fuera a pasar",
            ),
            options=FREQUENCY_ES,
            band_labels=("Mínima", "Leve", "Moderada", "Severa"),
            source=PHQ_SOURCE_ES,
            follow_up=FOLLOW_UP_ES,
            follow_up_options=DIFFICULTY_ES,
        ),
    ),
)

INSTRUMENTS: dict[str, Instrument] = {instrument.key: instrument for instrument in (PHQ9, GAD7)}


# How often a practice can ask, in weeks. Both questionnaires ask about "the
# last 2 weeks", so asking every other week covers every day once without
# overlap and keeps the weekly check-in near two minutes (16 more answers
# every other week, not every week). A practice that wants session-by-session
# scores, as NHS Talking Therapies collects them, can ask every week.
EVERY_CHECKIN, EVERY_TWO_WEEKS, EVERY_FOUR_WEEKS = 1, 2, 4
DEFAULT_EVERY_WEEKS = EVERY_TWO_WEEKS


def is_due(*, last_week: date | None, week: date, every_weeks: int) -> bool:
    """Whether the questionnaire belongs in the check-in of `week`, given the week it
    was last answered: always the first time (the baseline everything is measured
    from), then once `every_weeks` have passed."""
    if last_week is None or last_week == week:
        return True
    return (week - last_week).days >= 7 * every_weeks


def total(instrument: Instrument, answers: Sequence[int | None]) -> int | None:
    """The sum of the item answers, or None unless every item is answered: the
    published scoring sums all of them and defines no way to fill a gap."""
    if len(answers) != len(instrument.items) or any(a is None for a in answers):
        return None
    valid = {option.value for option in instrument.options}
    if any(a not in valid for a in answers):
        raise ValueError(f"{instrument.short_name} answers must be one of {sorted(valid)}")
    return sum(answers)


def example_answers(instrument: Instrument, score: int, *, safety: int = 0) -> list[int]:
    """Item answers that add up to `score`, spread evenly over the items, with every
    safety item at `safety`: for demo data and worked examples, never for a client."""
    answers = [0] * len(instrument.items)
    for number in instrument.safety_items:
        answers[number - 1] = safety
    others = [i for i in range(len(answers)) if i + 1 not in instrument.safety_items]
    left = score - sum(answers)
    if not 0 <= left <= 3 * len(others):
        raise ValueError(f"No {instrument.short_name} answers add up to {score}.")
    for n, index in enumerate(others):
        answers[index] = min(3, -(-left // (len(others) - n)))
        left -= answers[index]
    return answers


def band(instrument: Instrument, score: int) -> Band:
    return next(b for b in instrument.bands if score in b)


def is_case(instrument: Instrument, score: int) -> bool:
    return score >= instrument.cutoff


def safety_answers(instrument: Instrument, answers: Sequence[int | None]) -> list[tuple[int, int]]:
    """(item number, answer) for every safety item answered above the lowest option."""
    lowest = min(option.value for option in instrument.options)
    return [
        (number, answers[number - 1])
        for number in instrument.safety_items
        if number <= len(answers)
        and answers[number - 1] is not None
        and answers[number - 1] > lowest
    ]


@dataclass(frozen=True)
class Change:
    """What a score means against the client's first score on the same measure."""

    instrument: Instrument
    first: int
    latest: int

    @property
    def delta(self) -> int:
        """Points since the first score; positive is worse (higher scores are worse)."""
        return self.latest - self.first

    @property
    def reliably_improved(self) -> bool:
        return -self.delta >= self.instrument.reliable_change

    @property
    def reliably_deteriorated(self) -> bool:
        return self.delta >= self.instrument.reliable_change

    @property
    def recovered(self) -> bool:
        return is_case(self.instrument, self.first) and not is_case(self.instrument, self.latest)

    @property
    def reliably_recovered(self) -> bool:
        return self.recovered and self.reliably_improved

    @property
    def outcome(self) -> str:
        """The one label that says the most, best news last checked: deterioration
        first so that it can never be hidden behind anything else."""
        if self.reliably_deteriorated:
            return "Reliable deterioration"
        if self.reliably_recovered:
            return "Reliable recovery"
        if self.reliably_improved:
            return "Reliable improvement"
        if self.recovered:
            return "Recovered, within measurement error"
        return "No reliable change"


# ---------------------------------------------------------------------------
# The outcome of an episode of care, judged on the PHQ-9 and the GAD-7 together
# as NHS Talking Therapies judges it (NHS Talking Therapies for anxiety and
# depression manual, NHS England, 2024; reliable change after Jacobson &
# Truax, 1991). A client who falls reliably on one questionnaire while the
# other climbs to caseness has not recovered, whatever the first line says.
# ---------------------------------------------------------------------------

# The two questionnaires an episode is judged on, in the order they are shown.
EPISODE_MEASURES: tuple[Instrument, ...] = (PHQ9, GAD7)

# The categories, most urgent first: deterioration is never hidden behind
# anything else, as in `Change.outcome`.
RELIABLE_DETERIORATION = "reliable_deterioration"
RELIABLE_RECOVERY = "reliable_recovery"
RELIABLE_IMPROVEMENT = "reliable_improvement"
RECOVERY = "recovery"
NO_RELIABLE_CHANGE = "no_reliable_change"
EPISODE_CATEGORIES = {
    RELIABLE_DETERIORATION: _("Reliable deterioration"),
    RELIABLE_RECOVERY: _("Reliable recovery"),
    RELIABLE_IMPROVEMENT: _("Reliable improvement"),
    RECOVERY: _("Recovered, within measurement error"),
    NO_RELIABLE_CHANGE: _("No reliable change"),
}


@dataclass(frozen=True)
class EpisodeOutcome:
    """The episode's outcome on its paired first and last scores (instrument key
    -> total), each rule as the manual words it."""

    first: dict[str, int]
    last: dict[str, int]

    @property
    def changes(self) -> list[Change]:
        """Each questionnaire's own change: the detail under the outcome."""
        return [
            Change(instrument, self.first[instrument.key], self.last[instrument.key])
            for instrument in EPISODE_MEASURES
            if instrument.key in self.first
        ]

    @property
    def case(self) -> bool:
        """At caseness on either questionnaire at the first paired score."""
        return any(is_case(c.instrument, c.first) for c in self.changes)

    @property
    def recovered(self) -> bool:
        """A case at the start, and below caseness on both at the end."""
        return self.case and not any(is_case(c.instrument, c.latest) for c in self.changes)

    @property
    def reliably_improved(self) -> bool:
        """One falls by its reliable change, and neither rises by its own."""
        changes = self.changes
        return any(c.reliably_improved for c in changes) and not any(
            c.reliably_deteriorated for c in changes
        )

    @property
    def reliably_deteriorated(self) -> bool:
        """One rises by its reliable change, and the other does not fall by its own."""
        changes = self.changes
        return any(
            c.reliably_deteriorated and not any(o.reliably_improved for o in changes if o is not c)
            for c in changes
        )

    @property
    def reliably_recovered(self) -> bool:
        return self.recovered and self.reliably_improved

    @property
    def category(self) -> str:
        if self.reliably_deteriorated:
            return RELIABLE_DETERIORATION
        if self.reliably_recovered:
            return RELIABLE_RECOVERY
        if self.reliably_improved:
            return RELIABLE_IMPROVEMENT
        if self.recovered:
            return RECOVERY
        return NO_RELIABLE_CHANGE

    @property
    def label(self) -> str:
        return EPISODE_CATEGORIES[self.category]


def episode_outcome(first: dict[str, int], last: dict[str, int]) -> EpisodeOutcome:
    """The outcome of an episode from its first and last paired scores: totals by
    instrument key, both answered in the same check-in. Where only one
    questionnaire was ever asked (a practice that asks the PHQ-9 alone, say), the
    episode is judged on that one alone: pass it alone in both."""
    keys = {instrument.key for instrument in EPISODE_MEASURES}
    if not first or first.keys() != last.keys() or not first.keys() <= keys:
        raise ValueError("An episode is judged on the same questionnaires at both ends.")
    return EpisodeOutcome(dict(first), dict(last))


def paired_ends(
    scores: Sequence[dict[str, int]], asked: set[str]
) -> tuple[dict[str, int], dict[str, int]] | None:
    """The first and last paired scores among an episode's check-ins, oldest
    first (each a mapping of instrument key to total): a check-in is paired when
    it has a score on every questionnaire in `asked` (the ones the client has
    ever been asked). None until two check-ins are paired."""
    wanted = asked & {instrument.key for instrument in EPISODE_MEASURES}
    if not wanted:
        return None
    paired = [{key: totals[key] for key in wanted} for totals in scores if wanted <= totals.keys()]
    if len(paired) < 2:
        return None
    return paired[0], paired[-1]


# The expected-change curve. This is a heuristic, not a fitted trajectory like
# OQ-Analyst's, which needs thousands of cases to build: it takes the shape of
# the dose-effect curve (Howard, Kopta, Krause & Orlinsky, 1986: about half
# of clients improved by the 8th session, three quarters by the 26th) and
# applies it to the distance between the first score and the cut-off. After s
# sessions the expected score is
#
#     first - (first - (cutoff - 1)) * s / (s + HALF_GAIN_SESSIONS)
#
# which has covered half that distance at session 8 and 76% of it at session
# 26. A client is "not on track" when their score sits above that curve by
# half the reliable-change figure or more: the curve is a rough guide, so the
# margin is generous, and a whole reliable change is already its own flag.
HALF_GAIN_SESSIONS = 8
OFF_TRACK_MARGIN = 0.5  # of the reliable-change figure


def expected_score(instrument: Instrument, first: int, sessions: int) -> float:
    """Where the curve above expects a client who started at `first` to be after
    `sessions` more sessions; a client below the cut-off is expected to stay put."""
    goal = instrument.cutoff - 1
    if first <= goal or sessions <= 0:
        return float(first)
    return first - (first - goal) * sessions / (sessions + HALF_GAIN_SESSIONS)


def off_track_by(instrument: Instrument, first: int, latest: int, sessions: int) -> float:
    """How many points above the expected curve the latest score sits (0 when at or
    below it)."""
    return max(0.0, latest - expected_score(instrument, first, sessions))


def is_off_track(instrument: Instrument, first: int, latest: int, sessions: int) -> bool:
    return (
        is_case(instrument, first)
        and off_track_by(instrument, first, latest, sessions)
        >= OFF_TRACK_MARGIN * instrument.reliable_change
    )
