"""Questionnaire scores over time, with what the numbers mean drawn behind them:
the severity bands shaded and named, the clinical cut-off as a dashed line, and
the band of measurement error around the first score (a score inside it has
not reliably changed). Shading and words, never colour alone, so the chart
reads in print and in greyscale."""

from dataclasses import dataclass

from django.utils.translation import get_language, gettext

from clinical.measures import INSTRUMENTS, Instrument

from .charts import LineChart, line_chart

# Between the cut-off's score and the plot's left edge, as for the axis labels.
CUTOFF_LABEL_GAP = 4


@dataclass
class BandArea:
    y: float
    height: float
    label: str
    shade: int  # 0 (lightest) to 4: severity as a grey level


@dataclass
class MeasureChart:
    instrument: Instrument
    chart: LineChart
    bands: list[BandArea]
    cutoff_y: float
    error_band: BandArea | None  # the first score plus and minus the reliable change

    @property
    def key(self) -> str:
        return self.chart.key

    @property
    def cutoff_label_x(self) -> float:
        """The cut-off's score sits in the axis margin, right-aligned like the
        axis's own numbers: outside the plot, so no line can run through it."""
        return self.chart.plot_left - CUTOFF_LABEL_GAP

    @property
    def plot_width(self) -> float:
        return self.chart.plot_right - self.chart.plot_left


def measure_chart(
    instrument: Instrument, responses, *, title: str | None = None, first: int | None = None
) -> MeasureChart:
    """One questionnaire's scores, oldest first: `responses` have `week_start` and
    `total`. Points are the weeks it was answered, so a questionnaire asked every
    other week draws one unbroken line. `first` is the client's first score when
    the responses start later."""
    instrument = instrument.in_language(get_language())
    responses = sorted(responses, key=lambda r: r.week_start)
    chart = line_chart(
        key=f"measure-{instrument.key}",
        title=title or f"{instrument.short_name} (0–{instrument.max_total})",
        weeks=[r.week_start for r in responses],
        values=[r.total for r in responses],
        y_min=0,
        y_max=instrument.max_total,
    )
    chart.scale = f"0–{instrument.max_total}"
    top, bottom = chart.y_ticks[-1][0], chart.y_ticks[0][0]
    # Whole-number scores: the axis names its ends, the cut-off line its middle.
    chart.y_ticks = [(bottom, "0"), (top, str(instrument.max_total))]

    def y_at(value: float) -> float:
        return round(bottom - (bottom - top) * value / instrument.max_total, 1)

    # Each band spans from half a point below its lowest score to half above its
    # highest, so neighbouring bands meet without a gap.
    bands = [
        BandArea(
            y_at(min(b.high + 0.5, instrument.max_total)),
            round(y_at(max(b.low - 0.5, 0)) - y_at(min(b.high + 0.5, instrument.max_total)), 1),
            b.label,
            shade,
        )
        for shade, b in enumerate(instrument.bands)
    ]
    error = None
    if responses:
        first = responses[0].total if first is None else first
        high = min(first + instrument.reliable_change, instrument.max_total)
        low = max(first - instrument.reliable_change, 0)
        error = BandArea(
            y_at(high), round(y_at(low) - y_at(high), 1), gettext("No reliable change"), 0
        )
        # A sentence of its own after the chart's description.
        chart.description += " " + gettext(
            "The cut-off is %(cutoff)s; a change of %(change)s or more from the first score "
            "of %(first)s is reliable."
        ) % {
            "cutoff": instrument.cutoff,
            "change": instrument.reliable_change,
            "first": first,
        }
    return MeasureChart(instrument, chart, bands, y_at(instrument.cutoff - 0.5), error)


def measure_charts(responses, *, firsts=()) -> list[MeasureChart]:
    """A chart per questionnaire the client has answered, in the practice's order.
    `firsts` (MeasureSummary) give each measure's first score where `responses`
    are only the recent ones: the band of measurement error is around it."""
    by_instrument: dict[str, list] = {}
    for response in responses:
        by_instrument.setdefault(response.instrument, []).append(response)
    first = {summary.instrument.key: summary.first for summary in firsts}
    return [
        measure_chart(instrument, by_instrument[key], first=first.get(key))
        for key, instrument in INSTRUMENTS.items()
        if key in by_instrument
    ]
