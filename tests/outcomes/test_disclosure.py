"""No held-back figure can be worked out from the figures that are shown: not from
one page, and not by subtracting one quarter's from the next.

A practice in America/New_York, seen on Wednesday 18 November 2026:

- Tess: twelve clients since June. Five ended on 12 August (third quarter); of
  the seven who stayed, six check in every week of October and November and
  one stops after 12 October. Two new clients join on 14 October and check in
  on 19 October and 9 November.
- Uma: six clients since June, each checking in on 2 and 9 November, with a
  crisis answer on the 9th.

Exactly, Tess had 12 active clients and 5 endings in the third quarter, then
9 active and 2 new in the fourth: 9 - (12 - 5) = 2 gives her held-back new
clients away.
"""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from outcomes.charts import BAR_MAX
from outcomes.figures import FIGURES, Kind
from tests.factories import LeadFactory, PracticeFactory, TherapistFactory
from tests.outcomes.test_queries import JUNE, check_in, client_of, weekly

pytestmark = pytest.mark.usefixtures("midweek")

NEW_CLIENTS_OF_TESS = 2


@pytest.fixture
def two_quarters(db):
    practice = PracticeFactory(time_zone="America/New_York")
    tess = TherapistFactory(practice=practice, first_name="Tess", last_name="Quill")
    uma = TherapistFactory(practice=practice, first_name="Uma", last_name="Reyes")
    staying = [client_of(tess, JUNE) for _ in range(7)]
    for _ in range(5):
        client_of(tess, JUNE, date(2026, 8, 12))
    joining = [client_of(tess, date(2026, 10, 14)) for _ in range(NEW_CLIENTS_OF_TESS)]
    for n, client in enumerate(staying):
        last = date(2026, 10, 12) if n == 0 else date(2026, 11, 9)
        for monday in weekly(client, date(2026, 10, 5), last):
            check_in(client, monday)
    for client in joining:
        check_in(client, date(2026, 10, 19))
        check_in(client, date(2026, 11, 9))
    for _ in range(6):
        client = client_of(uma, JUNE)
        check_in(client, date(2026, 11, 2))
        check_in(client, date(2026, 11, 9), in_crisis=True)
    return {"lead": LeadFactory(practice=practice), "tess": tess, "uma": uma}


def csv_rows(http, **params) -> dict[str, dict[str, dict[str, str]]]:
    """Each therapist's figures by key, each with its value, base and reason."""
    response = http.get(reverse("practice_outcomes_csv"), params)
    assert response.status_code == 200
    rows: dict[str, dict[str, dict[str, str]]] = {}
    for r in csv.DictReader(io.StringIO(response.content.decode())):
        rows.setdefault(r["therapist"], {})[r["figure_key"]] = r
    return rows


def page(http, **params) -> str:
    response = http.get(reverse("practice_outcomes"), params)
    assert response.status_code == 200
    return response.text


def headline(text: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', text))


def number(text: str) -> int:
    return int(text.replace(",", ""))


def could_be(shown: str) -> range:
    """Every true count a shown figure allows, read by the page's own rule: a
    count rounded to the nearest 5 was up to 2 either side of it, and a shown
    one rests on at least 5 clients."""
    if shown["held_back"] == "yes":
        assert shown["reason"] == "rests on fewer than 5 clients"
        return range(1, 5)
    n = number(shown["value"])
    return range(max(n - 2, 0), n + 3)


def test_last_quarters_figures_taken_from_this_quarters_leave_a_range_not_the_held_back_count(
    client, two_quarters
):
    client.force_login(two_quarters["lead"])
    tess = two_quarters["tess"].display_name
    q3, q4 = csv_rows(client, period="2026-Q3")[tess], csv_rows(client, period="2026-Q4")[tess]
    assert (q4["new_clients"]["value"], q4["new_clients"]["held_back"]) == ("", "yes")

    active_now, active_before, ended_before = (
        q4["active_clients"],
        q3["active_clients"],
        q3["ended_clients"],
    )
    guess = number(active_now["value"]) - (
        number(active_before["value"]) - number(ended_before["value"])
    )
    assert guess != NEW_CLIENTS_OF_TESS, "the subtraction gives the held-back figure away"

    possible = {
        now - (before - ended)
        for now in could_be(active_now)
        for before in could_be(active_before)
        for ended in could_be(ended_before)
    } & set(could_be(q4["new_clients"]))
    assert NEW_CLIENTS_OF_TESS in possible
    assert len(possible) > 1, f"the figures pin the held-back count to {possible}"


def test_every_count_in_the_csv_is_a_multiple_of_5_or_held_back(client, two_quarters):
    client.force_login(two_quarters["lead"])
    counts = [f.key for f in FIGURES if f.kind == Kind.COUNT]
    for period in ("2026-Q3", "2026-Q4"):
        rows = csv_rows(client, period=period)
        assert set(rows) == {
            "Whole practice",
            two_quarters["tess"].display_name,
            two_quarters["uma"].display_name,
        }
        for name, row in rows.items():
            for key in counts:
                value = row[key]["value"]
                assert value == "" or number(value) % 5 == 0, (period, name, key, value)


def test_every_number_on_the_page_that_counts_people_weeks_or_answers_is_a_multiple_of_5(
    client, two_quarters
):
    client.force_login(two_quarters["lead"])
    for params in ({}, {"therapist": str(two_quarters["tess"].public_id)}):
        text = page(client, **params)
        # The tables' and cards' plain numbers are counts: shares carry a %
        # and medians their unit.
        bare = re.findall(r"<td>([\d,]+)</td>", text)
        bare += [v for v in headline(text).values() if re.fullmatch(r"[\d,]+", v)]
        assert bare, "the page shows counts"
        assert [n for n in bare if number(n) % 5] == []
        # What each figure rests on: "40 of 50 weeks", "5 clients".
        rests_on = re.findall(r"([\d,]+) of ([\d,]+)", text)
        rests_on += [(n,) for n in re.findall(r">([\d,]+) clients?<", text)]
        assert rests_on, "the page says what its shares rest on"
        assert [r for r in rests_on if any(number(n) % 5 for n in r)] == []


def test_the_headline_never_shows_an_unrounded_small_count(client, two_quarters):
    """Tess's check-ins stopped for 1 of her 9 clients still there: exact, that is
    one person in a group a lead can name."""
    client.force_login(two_quarters["lead"])
    text = page(client, therapist=str(two_quarters["tess"].public_id))
    stopped = headline(text)["checkins_stopped"]
    assert stopped == "fewer than 5 of 10"
    assert "1 of 9" not in text and "11%" not in text
    crisis = headline(page(client))["crisis_answers"]
    assert crisis == "5", "six crisis answers, rounded"


def test_shares_are_worked_out_from_the_rounded_figures_on_the_page_the_chart_and_the_csv(
    client, two_quarters
):
    """Tess checked in 42 of 50 weeks (84%): rounded, 40 of 50, so 80%."""
    client.force_login(two_quarters["lead"])
    tess = two_quarters["tess"]
    text = page(client, therapist=str(tess.public_id))
    assert headline(text)["completion_rate"] == "80%"
    assert "40 of 50 weeks" in text
    for percent, count, base in re.findall(
        r'data-figure="\w+">(\d+)%</p>\s*<p[^>]*>([\d,]+) of ([\d,]+) ', text
    ):
        assert int(percent) == round(100 * number(count) / number(base))
    chart = text.split('id="bars-completion_rate-desc"')[1].split("</svg>")[0]
    assert f'width="{round(BAR_MAX * 0.8, 1)}" height="12" class="bar-fill"' in chart
    assert f"{tess.display_name}: 80%" in text
    completion = csv_rows(client)[tess.display_name]["completion_rate"]
    assert (completion["value"], completion["count"], completion["base"]) == ("80.0", "40", "50")
