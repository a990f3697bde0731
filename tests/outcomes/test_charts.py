"""The per-therapist bar charts say each value in words, and draw no bar for a
figure that is held back."""

from outcomes.charts import BAR_MAX, share_chart
from outcomes.figures import FIGURES_BY_KEY, Cell

FIGURE = FIGURES_BY_KEY["completion_rate"]


def test_bars_are_as_long_as_their_share_and_carry_it_in_words():
    chart = share_chart(
        "completion_rate",
        "Check-in completion",
        [
            ("Whole practice", Cell(FIGURE, 0.5, 12, 6, 12)),
            ("Maya Okafor", Cell(FIGURE, 1.0, 6, 6, 6)),
        ],
        5,
    )
    assert [(b.name, b.text, b.width) for b in chart.bars] == [
        ("Whole practice", "50%", BAR_MAX / 2),
        ("Maya Okafor", "100%", BAR_MAX),
    ]
    assert chart.description == "Whole practice: 50%; Maya Okafor: 100%"
    assert chart.bars[1].y > chart.bars[0].y and chart.height > chart.bars[1].y


def test_a_held_back_figure_draws_no_bar_and_says_why():
    chart = share_chart("completion_rate", "x", [("Dan Reyes", Cell(FIGURE, 0.9, 3, 9, 10))], 5)
    (bar,) = chart.bars
    assert (bar.width, bar.held_back, bar.text) == (0, True, "held back")


def test_the_svg_draws_each_shown_bar_and_escapes_names():
    chart = share_chart(
        "completion_rate",
        "x",
        [
            ("Whole practice", Cell(FIGURE, 0.5, 12, 6, 12)),
            ("<b>Dan</b> Reyes", Cell(FIGURE, 0.9, 3, 9, 10)),
        ],
        5,
    )
    svg = str(chart.bars_svg)
    assert svg.count('class="bar-track"') == 2
    assert svg.count('class="bar-fill"') == 1, "no bar for the held-back figure"
    assert f'width="{BAR_MAX / 2}" height="12" class="bar-fill"' in svg
    assert "&lt;b&gt;Dan&lt;/b&gt; Reyes" in svg and "<b>" not in svg
    assert 'class="bar-value held-back">held back</text>' in svg
    assert 'class="bar-value">50%</text>' in svg


def test_a_bar_is_as_long_as_the_rounded_share_it_is_labelled_with():
    """19 of 25 weeks shows as 20 of 25: the bar and its words say 80%, not 76%."""
    chart = share_chart(
        "completion_rate", "x", [("Maya Okafor", Cell(FIGURE, 19 / 25, 6, 19, 25))], 5
    )
    (bar,) = chart.bars
    assert (bar.text, bar.width) == ("80%", round(BAR_MAX * 0.8, 1))


def test_a_share_of_one_to_four_draws_no_bar():
    deteriorated = FIGURES_BY_KEY["episode_reliably_deteriorated"]
    chart = share_chart("x", "x", [("Dan Reyes", Cell(deteriorated, 1 / 20, 20, 1, 20))], 5)
    (bar,) = chart.bars
    assert (bar.width, bar.held_back, bar.text) == (0, True, "fewer than 5 of 20")
