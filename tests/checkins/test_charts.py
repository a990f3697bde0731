import re
from datetime import date, timedelta

from checkins.charts import client_charts, line_chart, weekly_series
from tests.factories import checkin_history

WEEKS = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(5)]


def test_a_missed_week_breaks_the_line():
    chart = line_chart(
        key="w", title="Wellbeing", weeks=WEEKS, values=[4, 5, None, 7, 8], y_min=0, y_max=10
    )
    assert len(chart.segments) == 2
    assert [p.value for p in chart.points] == [4, 5, 7, 8]


def test_higher_values_are_drawn_higher():
    chart = line_chart(key="w", title="W", weeks=WEEKS[:2], values=[2, 9], y_min=0, y_max=10)
    low, high = chart.points
    assert high.y < low.y
    assert low.x < high.x


def test_the_description_says_the_trend_in_words():
    chart = line_chart(
        key="w", title="How I have been", weeks=WEEKS, values=[3, 4, 5, 6, 9], y_min=0, y_max=10
    )
    assert "3 in the week of Sep 7, 2026" in chart.description
    assert "9 in the week of Oct 5, 2026" in chart.description
    assert "5 check-ins" in chart.description


def test_an_empty_history_draws_no_line():
    (chart, *_) = client_charts([])
    assert chart.empty
    assert "no answers yet" in chart.description


def test_weeks_without_homework_set_leave_gaps_in_the_homework_chart(client_a):
    made = checkin_history(
        client_a, [{"homework": "all"}, {"homework": "none_set"}, {"homework": "not_done"}]
    )
    assert len(weekly_series(made)) == 3
    homework = next(c for c in client_charts(made) if c.key == "homework")
    assert [p.label for p in homework.points] == ["all", "none"]
    assert len(homework.segments) == 2


def test_the_homework_axis_reads_in_words():
    (homework,) = [c for c in client_charts([]) if c.key == "homework"]
    assert [label for _, label in homework.y_ticks] == ["none", "half", "all"]


def test_the_cut_off_label_sits_outside_the_plotted_points_where_no_line_crosses_it():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from checkins.measure_charts import measure_chart
    from clinical.measures import PHQ9

    weeks = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(8)]
    responses = [
        SimpleNamespace(week_start=w, total=t)
        for w, t in zip(weeks, [4, 9, 10, 11, 10, 9, 10, 12], strict=True)
    ]
    measure = measure_chart(PHQ9, responses)
    svg = render_to_string(
        "checkins/_line_chart.html", {"chart": measure.chart, "measure": measure}
    )
    tag = re.search(r'<text [^>]*class="chart-cutoff-label"[^>]*>', svg).group(0)
    x = float(re.search(r'\sx="([\d.]+)"', tag).group(1))
    assert 'text-anchor="end"' in tag
    assert x < min(point.x for point in measure.chart.points)
    assert x < measure.chart.plot_left
    assert "cut-off 10" in svg, "the words are in the chart's key"
