"""What the outcomes page prints for a figure, and when it holds one back."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from outcomes.figures import (
    DEFAULT_MIN_CLIENTS,
    FIGURES,
    FIGURES_BY_KEY,
    SECTIONS,
    Cell,
    Shown,
    csv_record,
    display,
    hold_back_complements,
    publish,
    section_held_back,
    shown,
)
from outcomes.periods import periods_offered, quarter, quarter_of


def cell(key, value, clients, count=None, base=None):
    return Cell(FIGURES_BY_KEY[key], value, clients, count, base)


@pytest.mark.parametrize("clients", [1, 2, 3, 4])
def test_a_figure_resting_on_one_to_four_clients_is_held_back(clients):
    for key in ("active_clients", "completion_rate", "episode_reliably_improved", "median_weeks"):
        held = cell(key, 0.5 if key != "active_clients" else clients, clients)
        assert shown(held, DEFAULT_MIN_CLIENTS) == Shown.SUPPRESSED
        record = csv_record(held, DEFAULT_MIN_CLIENTS)
        assert (record["value"], record["held_back"]) == ("", "yes")
        assert record["reason"] == "rests on fewer than 5 clients"


def test_a_held_back_median_says_it_rests_on_few_clients_never_reads_as_its_value():
    """ "Median hours to first action: fewer than 5" would read as under 5 hours."""
    for key in ("hours_to_action_median", "median_weeks", "completion_rate", "crisis_answers"):
        assert display(cell(key, 30.0, 3), 5) == "Held back: rests on fewer than 5 clients", key


def test_a_small_count_of_clients_is_said_as_the_count_it_is():
    assert display(cell("active_clients", 3, 3), 5) == "fewer than 5"
    assert display(cell("new_clients", 2, 2), 5) == "fewer than 5"
    deteriorated = cell("episode_reliably_deteriorated", 2 / 20, 20, 2, 20)
    assert display(deteriorated, 5) == "fewer than 5 of 20"


def test_five_clients_are_enough_to_show_a_figure():
    assert display(cell("episode_reliably_improved", 0.5, 5, 5, 10), 5) == "50%"
    assert display(cell("active_clients", 5, 5), 5) == "5"
    assert csv_record(cell("completion_rate", 0.8125, 7, 39, 48), 5)["value"] == "80.0"


@pytest.mark.parametrize(
    ("exact", "shown"), [(5, "5"), (7, "5"), (8, "10"), (12, "10"), (13, "15"), (1234, "1,235")]
)
def test_counts_are_rounded_to_the_nearest_5_on_the_page_and_in_the_csv(exact, shown):
    figure = cell("crisis_answers", exact, 5)
    assert display(figure, 5) == shown
    assert csv_record(figure, 5)["value"] == shown.replace(",", "")
    assert publish(figure, 5).clients == 5


def test_a_share_is_worked_out_from_its_rounded_count_and_base():
    """19 of 25 weeks is 76%; the figures shown, 20 of 25, make 80%, and the page
    never prints a share its own two numbers contradict."""
    figure = cell("completion_rate", 19 / 25, 6, 19, 25)
    published = publish(figure, 5)
    assert (published.count, published.base, published.value) == (20, 25, 0.8)
    assert display(figure, 5) == "80%"
    record = csv_record(figure, 5)
    assert (record["value"], record["unit"], record["count"], record["base"]) == (
        "80.0",
        "%",
        "20",
        "25",
    )
    assert (record["base_unit"], record["held_back"], record["reason"]) == ("weeks", "no", "")


def test_a_share_of_one_to_four_says_fewer_than_5_never_a_rounded_0():
    """1 of 20 courses reliably deteriorated: rounded, that would read as none."""
    for count in (1, 2, 3, 4):
        figure = cell("episode_reliably_deteriorated", count / 20, 20, count, 20)
        assert display(figure, 5) == "fewer than 5 of 20"
        record = csv_record(figure, 5)
        assert (record["value"], record["count"], record["base"]) == ("", "", "20")
        assert (record["held_back"], record["reason"]) == (
            "yes",
            "counts fewer than 5, too few to round",
        )
        assert publish(figure, 5).state == Shown.FEW
    assert display(cell("episode_reliably_deteriorated", 0.0, 20, 0, 20), 5) == "0%"


def test_medians_keep_their_value_and_what_they_rest_on_is_rounded():
    figure = publish(cell("median_weeks", 24.4, 9), 5)
    assert (figure.value, figure.clients) == (24.4, 10)


def test_a_count_of_nobody_is_zero_and_any_other_figure_about_nobody_is_no_data():
    assert display(cell("crisis_answers", 0, 0), 5) == "0"
    assert display(cell("completion_rate", None, 0), 5) == "no data"
    assert display(cell("median_weeks", None, 0), 5) == "no data"
    record = csv_record(cell("median_weeks", None, 0), 5)
    assert (record["value"], record["held_back"], record["reason"]) == ("", "no", "no data")


def test_a_higher_threshold_holds_back_more():
    assert display(cell("active_clients", 7, 7), 10) == "fewer than 10"


def test_units_are_said_in_words():
    assert display(cell("median_weeks", 24.4, 9), 5) == "24 weeks"
    assert display(cell("median_weeks", 1.2, 9), 5) == "1 week"
    assert display(cell("hours_to_action_median", 3.0, 6), 5) == "3 hours"
    assert display(cell("days_to_handling_median", 4.0, 6), 5) == "4 days"


def test_every_figure_belongs_to_a_section_and_says_how_it_is_defined():
    sections = {s.key for s in SECTIONS}
    for figure in FIGURES:
        assert figure.section in sections, figure.key
        assert len(str(figure.definition)) > 20, figure.key
    assert len({f.key for f in FIGURES}) == len(FIGURES)


def test_the_outcome_definitions_name_each_questionnaires_own_figures():
    improved = str(FIGURES_BY_KEY["episode_reliably_improved"].definition)
    assert "(PHQ-9 6, GAD-7 4 points)" in improved and "neither up by its own" in improved
    assert "other not down by its own" in str(
        FIGURES_BY_KEY["episode_reliably_deteriorated"].definition
    )
    assert "(PHQ-9 10, GAD-7 8)" in str(FIGURES_BY_KEY["episode_recovered"].definition)
    assert "(PHQ-9 10, GAD-7 8)" in str(FIGURES_BY_KEY["episode_reliably_recovered"].definition)


def test_quarters_run_from_the_first_day_to_the_day_after_the_last():
    q4 = quarter(2026, 4)
    assert (q4.start, q4.end, q4.key) == (date(2026, 10, 1), date(2027, 1, 1), "2026-Q4")
    assert q4.label == "October to December 2026"
    assert quarter_of(date(2026, 3, 31)) == quarter(2026, 1)
    assert quarter_of(date(2026, 4, 1)) == quarter(2026, 2)


def test_the_current_quarter_comes_first_then_earlier_ones_and_none_overlap():
    offered = periods_offered(date(2026, 11, 23))
    assert [p.key for p in offered[:3]] == ["2026-Q4", "2026-Q3", "2026-Q2"]
    assert [p.key for p in offered[7:]] == ["2025-Q1"]
    for later, earlier in zip(offered, offered[1:], strict=False):
        assert earlier.end == later.start


def test_the_threshold_cannot_be_set_below_five(settings):
    settings.OUTCOMES_MIN_CLIENTS = 3
    with pytest.raises(SystemCheckError, match="OUTCOMES_MIN_CLIENTS"):
        call_command("check")
    settings.OUTCOMES_MIN_CLIENTS = 8
    call_command("check")


def rows_of(*clients_per_row, key="active_clients"):
    return [{key: cell(key, n, n)} for n in clients_per_row]


def test_one_held_back_therapist_takes_the_smallest_other_with_them():
    rows = rows_of(12, 3, 7, 9)
    hold_back_complements(rows, 5)
    states = [shown(row["active_clients"], 5) for row in rows]
    # Together the two held-back cells rest on 10 clients.
    assert states == [Shown.VALUE, Shown.SUPPRESSED, Shown.HELD_BACK, Shown.VALUE]
    assert display(rows[2]["active_clients"], 5) == "Held back: would reveal a smaller figure"
    record = csv_record(rows[2]["active_clients"], 5)
    assert (record["value"], record["held_back"]) == ("", "yes")
    assert "smaller figure" in record["reason"]


def test_a_zero_beside_a_held_back_cell_is_held_back_too():
    """Else the practice total minus the zero gives the held-back figure exactly."""
    rows = [
        {"crisis_answers": cell("crisis_answers", 2, 1)},
        {"crisis_answers": cell("crisis_answers", 0, 0)},
    ]
    hold_back_complements(rows, 5)
    assert shown(rows[1]["crisis_answers"], 5) == Shown.HELD_BACK


def test_two_held_back_cells_resting_on_five_or_more_protect_each_other():
    rows = rows_of(3, 4, 9)
    hold_back_complements(rows, 5)
    assert shown(rows[2]["active_clients"], 5) == Shown.VALUE


def test_two_held_back_cells_on_fewer_than_five_clients_take_another_with_them():
    """Practice 11, one therapist 9, two with 1 each: the two would be known."""
    rows = rows_of(9, 1, 1)
    hold_back_complements(rows, 5)
    assert shown(rows[0]["active_clients"], 5) == Shown.HELD_BACK


def test_shares_on_one_base_hold_back_the_same_rows_whatever_their_values():
    keys = (
        "episode_reliably_improved",
        "episode_no_reliable_change",
        "episode_reliably_deteriorated",
    )
    values = {"b": (0.5, 0.0, 0.5), "c": (0.0, 0.5, 0.5)}
    rows = [
        {k: cell(k, 1.0, 2, 2, 2) for k in keys},
        *({k: cell(k, v, 6, 3, 6) for k, v in zip(keys, values[r], strict=True)} for r in "bc"),
    ]
    hold_back_complements(rows, 5)
    for key in keys:
        assert [shown(row[key], 5) for row in rows] == [
            Shown.SUPPRESSED,
            Shown.HELD_BACK,
            Shown.VALUE,
        ], key


def test_nothing_is_held_back_when_nothing_is_small():
    rows = rows_of(5, 6, 9)
    hold_back_complements(rows, 5)
    assert [shown(r["active_clients"], 5) for r in rows] == [Shown.VALUE] * 3


def test_a_section_with_every_figure_held_back_says_so_once():
    safety = next(s for s in SECTIONS if s.key == "safety")
    keys = [f.key for f in FIGURES if f.section == "safety"]
    few = {key: cell(key, 2, 2) for key in keys}
    assert section_held_back(safety, few, 5) == (
        "Safety figures are held back: fewer than 5 clients had a crisis answer or a safety "
        "flag in this period, too few to show without singling someone out."
    )
    assert (
        section_held_back(safety, {**few, "crisis_answers": cell("crisis_answers", 6, 6)}, 5) == ""
    )
    zeros = {**few, "escalations": cell("escalations", 0, 0)}
    assert section_held_back(safety, zeros, 5), "a zero about the same few tells no more"
    nobody = {key: cell(key, 0 if FIGURES_BY_KEY[key].kind == "count" else None, 0) for key in keys}
    assert section_held_back(safety, nobody, 5) == "", "none is a plain 0, not held back"
