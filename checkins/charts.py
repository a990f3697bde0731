"""Small line charts of a client's answers over time, drawn as SVG on the server.

Each chart shows one measure, so nothing depends on telling colours apart:
points carry a marker and a text label, missed weeks break the line, and the
chart's description says the first and last values in words.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from portal.formats import local_date

from .models import (
    DISCOMFORT_MAX,
    DISCOMFORT_MIN,
    EXPECTATIONS_MAX,
    EXPECTATIONS_MIN,
    WELLBEING_MAX,
    WELLBEING_MIN,
    CheckIn,
)

WIDTH, HEIGHT = 320, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 28, 8, 8, 22
# The axis labels' width per character at their 9px font: the left margin grows
# to fit the longest one ("ninguna" is wider than "none").
AXIS_CHAR_WIDTH = 5.2


@dataclass
class Point:
    x: float
    y: float
    week: date
    value: float
    label: str


@dataclass
class Mark:
    """A week to point out on the chart (a flag raised that week, for example)."""

    x: float
    label: str


@dataclass
class LineChart:
    key: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    segments: list[str] = field(default_factory=list)  # SVG polyline "points" strings
    points: list[Point] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    scale: str = ""  # the measure's range in words: "0–10"
    change: str = ""  # the direction over the chart, in words: "up 2", "steady"
    change_css: str = ""  # "better", "worse" or "" (steady): colour that repeats the words
    pad_left: int = PAD_LEFT

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def plot_left(self) -> int:
        return self.pad_left

    @property
    def plot_right(self) -> int:
        return self.width - PAD_RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - PAD_BOTTOM

    @property
    def empty(self) -> bool:
        return not self.points

    def sparkline_svg(self) -> str:
        """The chart as a small inline SVG with no axes.

        Built here rather than in a template: a dashboard draws hundreds of
        points, and a template loop per point made rendering most of the
        page's cost. Only numbers and the escaped description go in.
        """
        parts = [
            f'<svg viewBox="0 0 {self.width} {self.height}" width="{self.width}" '
            f'height="{self.height}" role="img" aria-label="{escape(self.description)}">'
        ]
        parts += [f'<polyline points="{segment}" class="chart-line"/>' for segment in self.segments]
        parts += [
            f'<circle cx="{p.x}" cy="{p.y}" r="1.8" class="chart-point"/>' for p in self.points
        ]
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only

    def points_svg(self) -> str:
        """Each point as a marker with its week and value in a tooltip: drawn here,
        not in a template loop, so a year of points costs little to render."""
        tooltip = gettext("Week of %(week)s: %(value)s")
        return mark_safe(  # noqa: S308 - numbers and escaped text only
            "".join(
                f'<circle cx="{p.x}" cy="{p.y}" r="2.5" class="chart-point"><title>'
                + escape(tooltip % {"week": local_date(p.week, "M j"), "value": p.label})
                + "</title></circle>"
                for p in self.points
            )
        )


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def line_chart(
    *,
    key: str,
    title: str,
    weeks: list[date],
    values: list[float | None],
    y_min: float,
    y_max: float,
    value_label=_fmt,
    tick_label=_fmt,
    marks: dict[date, str] | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    compact: bool = False,
) -> LineChart:
    """Lay out one measure over consecutive weeks; None is a week with no answer.

    A compact chart (a sparkline) has no axes, so it needs no margins for them.
    """
    chart = LineChart(key=key, title=title, description="", width=width, height=height)
    ticks = (y_min, (y_min + y_max) / 2, y_max)
    widest = max(len(str(tick_label(v))) for v in ticks)
    left, right, top, bottom = (
        (3, 3, 3, 3)
        if compact
        else (
            max(PAD_LEFT, 6 + math.ceil(AXIS_CHAR_WIDTH * widest)),
            PAD_RIGHT,
            PAD_TOP,
            PAD_BOTTOM,
        )
    )
    chart.pad_left = left
    plot_w = width - left - right
    plot_h = height - top - bottom
    n = len(weeks)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - y_min) / (y_max - y_min))

    segment: list[str] = []
    for i, (week, value) in enumerate(zip(weeks, values, strict=True)):
        if value is None:
            if segment:
                chart.segments.append(" ".join(segment))
            segment = []
            continue
        x, y = round(x_at(i), 1), round(y_at(value), 1)
        segment.append(f"{x},{y}")
        chart.points.append(Point(x, y, week, value, value_label(value)))
    if segment:
        chart.segments.append(" ".join(segment))

    chart.y_ticks = [(round(y_at(v), 1), tick_label(v)) for v in ticks]
    if n and not compact:  # a sparkline draws no axes
        chart.x_ticks = [(round(x_at(0), 1), local_date(weeks[0], "M j"))]
        if n > 1:
            chart.x_ticks.append((round(x_at(n - 1), 1), local_date(weeks[-1], "M j")))
    index = {week: i for i, week in enumerate(weeks)}
    chart.marks = [
        Mark(round(x_at(index[week]), 1), label)
        for week, label in sorted((marks or {}).items())
        if week in index
    ]

    if chart.points:
        first, last = chart.points[0], chart.points[-1]
        chart.description = ngettext(
            "%(title)s: %(first)s in the week of %(first_week)s, "
            "%(last)s in the week of %(last_week)s, %(count)d check-in in all.",
            "%(title)s: %(first)s in the week of %(first_week)s, "
            "%(last)s in the week of %(last_week)s, %(count)d check-ins in all.",
            len(chart.points),
        ) % {
            "title": title,
            "first": first.label,
            "first_week": local_date(first.week, "M j, Y"),
            "last": last.label,
            "last_week": local_date(last.week, "M j, Y"),
            "count": len(chart.points),
        }
    else:
        chart.description = gettext("%(title)s: no answers yet.") % {"title": title}
    return chart


def weekly_series(checkins: list[CheckIn]) -> list[date]:
    """Every week from the first check-in to the last, so gaps show as gaps."""
    if not checkins:
        return []
    first = min(c.week_start for c in checkins)
    last = max(c.week_start for c in checkins)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _homework_label(share: float) -> str:
    if share == 0.0:
        return pgettext("homework done", "none")
    if share == 1.0:
        return pgettext("homework done", "all")
    return pgettext("homework done", "some") if share < 0.5 else pgettext("homework done", "most")


def _homework_tick(share: float) -> str:
    return {
        0.0: pgettext("homework done", "none"),
        0.5: pgettext("homework done", "half"),
        1.0: pgettext("homework done", "all"),
    }[share]


@dataclass(frozen=True)
class Measure:
    key: str
    client_title: str  # in the client's voice, on their own pages
    therapist_title: str  # in the therapist's voice, on theirs
    attr: str
    low: float
    high: float
    value_label: object = _fmt
    tick_label: object = _fmt
    # Which way is better, and the smallest move worth calling a change: one
    # step of the scale (a third of the way between homework answers).
    higher_is_better: bool = True
    step: float = 1


MEASURES = [
    Measure(
        "wellbeing",
        _("How I have been (0–10)"),
        _("Wellbeing (0–10)"),
        "wellbeing",
        WELLBEING_MIN,
        WELLBEING_MAX,
    ),
    Measure(
        "expectations",
        _("Therapy meets what I hoped for (1–5)"),
        _("Meets their hopes (1–5)"),
        "expectations",
        EXPECTATIONS_MIN,
        EXPECTATIONS_MAX,
    ),
    Measure(
        "discomfort",
        _("Uneasy with my therapist (0–4)"),
        _("Discomfort with you (0–4)"),
        "discomfort",
        DISCOMFORT_MIN,
        DISCOMFORT_MAX,
        higher_is_better=False,
    ),
    Measure(
        "homework",
        _("Homework done (weeks it was set)"),
        _("Homework done (when set)"),
        "homework_share",
        0,
        1,
        _homework_label,
        _homework_tick,
        step=1 / 3,
    ),
]


def describe_change(chart: LineChart, measure: Measure) -> None:
    """Say which way the measure moved over the chart, from the first answer to the
    latest, in words a glance can take in; colour only repeats the words."""
    if len(chart.points) < 2:
        return
    delta = chart.points[-1].value - chart.points[0].value
    if abs(delta) < measure.step - 1e-9:
        chart.change, chart.change_css = pgettext("trend", "steady"), ""
        return
    if measure.step != 1:
        chart.change = pgettext("trend", "up") if delta > 0 else pgettext("trend", "down")
    else:
        by = {"amount": _fmt(abs(delta))}
        chart.change = (
            pgettext("trend", "up %(amount)s")
            if delta > 0
            else pgettext("trend", "down %(amount)s")
        ) % by
    chart.change_css = "better" if (delta > 0) == measure.higher_is_better else "worse"


def client_charts(
    checkins: list[CheckIn],
    *,
    weeks: list[date] | None = None,
    marks: dict[date, str] | None = None,
    for_therapist: bool = False,
    **size,
) -> list[LineChart]:
    """The four charts of a client's history: wellbeing, expectations, discomfort, homework.

    `weeks` fixes the time axis (the dashboard's last eight weeks, say, so a
    client who went quiet shows a line that stops short); by default it runs
    from the first check-in to the last.
    """
    weeks = weeks if weeks is not None else weekly_series(checkins)
    by_week = {c.week_start: c for c in checkins}
    charts = []
    for measure in MEASURES:
        chart = line_chart(
            key=measure.key,
            title=measure.therapist_title if for_therapist else measure.client_title,
            weeks=weeks,
            values=[getattr(by_week[w], measure.attr) if w in by_week else None for w in weeks],
            y_min=measure.low,
            y_max=measure.high,
            value_label=measure.value_label,
            tick_label=measure.tick_label,
            marks=marks,
            **size,
        )
        chart.scale = f"{measure.tick_label(measure.low)}–{measure.tick_label(measure.high)}"
        describe_change(chart, measure)
        charts.append(chart)
    return charts
