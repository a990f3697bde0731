"""Bar charts of one share per therapist, side by side, drawn as SVG on the server.

Each bar carries its value in words beside it, a held-back figure says so in
place of a bar, and the table beside the chart holds the same numbers.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from .figures import Cell, Shown, display, publish

WIDTH = 320
ROW_HEIGHT = 36  # a name above its bar
BAR_LEFT, BAR_MAX = 4, 230
NAME_CHARS = 40


@dataclass(frozen=True)
class Bar:
    name: str
    text: str
    y: int
    width: float  # 0 when there is no bar to draw
    held_back: bool


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    bars: tuple[Bar, ...]
    width: int = WIDTH

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars) + 4

    @property
    def bars_svg(self) -> SafeString:
        """Every bar's name, track, fill and value as SVG, built here rather than in a
        template loop: a practice of 200 therapists draws a thousand bars."""
        fill = '<rect x="{0}" y="{1}" width="{2}" height="12" class="bar-fill"/>'
        return format_html_join(
            "\n",
            '<text x="{0}" y="{1}" class="bar-name">{2}</text>'
            '<rect x="{0}" y="{3}" width="{4}" height="12" class="bar-track"/>{5}'
            '<text x="{6}" y="{7}" class="bar-value{8}">{9}</text>',
            (
                (
                    BAR_LEFT,
                    bar.y + 13,
                    bar.name,
                    bar.y + 18,
                    BAR_MAX,
                    "" if bar.held_back else format_html(fill, BAR_LEFT, bar.y + 18, bar.width),
                    BAR_MAX + 8,
                    bar.y + 28,
                    " held-back" if bar.held_back else "",
                    bar.text,
                )
                for bar in self.bars
            ),
        )

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.name}: {bar.text}" for bar in self.bars)


def share_chart(key: str, title: str, rows: list[tuple[str, Cell]], min_clients: int) -> BarChart:
    bars = []
    for index, (name, cell) in enumerate(rows):
        figure = publish(cell, min_clients)
        bars.append(
            Bar(
                name=Truncator(name).chars(NAME_CHARS),
                text=display(cell, min_clients, short=True),
                y=index * ROW_HEIGHT,
                width=round(BAR_MAX * figure.value, 1) if figure.state == Shown.VALUE else 0,
                held_back=figure.state != Shown.VALUE,
            )
        )
    return BarChart(key, title, tuple(bars))
