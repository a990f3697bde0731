"""The clinical lead's outcomes page, its CSV and its printable form."""

import csv
import zoneinfo

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from checkins.data_rights import csv_safe
from portal.access import lead_required
from portal.audit import record_access

from .charts import share_chart
from .figures import (
    CSV_COLUMNS,
    FIGURES,
    ROUND_TO,
    SECTIONS,
    Cell,
    Kind,
    Shown,
    base_unit,
    csv_record,
    display,
    publish,
    section_held_back,
)
from .forms import OutcomesFilterForm
from .queries import PRACTICE, practice_outcomes

# The shares drawn per therapist beside each section's table: how engaged
# clients stay, and the two changes over a course a lead acts on.
CHARTED = (
    "completion_rate",
    "episode_reliably_improved",
    "episode_reliably_deteriorated",
)


def _detail(cell: Cell, min_clients: int) -> str:
    """What a shown figure rests on, in words, rounded as the figure is."""
    figure = publish(cell, min_clients)
    if figure.state != Shown.VALUE:
        return ""
    kind = figure.figure.kind
    terms = {"count": figure.count, "base": figure.base}
    unit = base_unit(figure.figure)
    if kind == Kind.SHARE and unit == "weeks":
        return (
            ngettext("%(count)s of %(base)s week", "%(count)s of %(base)s weeks", figure.base)
            % terms
        )
    if kind == Kind.SHARE and unit == "courses":
        return (
            ngettext("%(count)s of %(base)s course", "%(count)s of %(base)s courses", figure.base)
            % terms
        )
    if kind == Kind.SHARE:
        return (
            ngettext("%(count)s of %(base)s client", "%(count)s of %(base)s clients", figure.base)
            % terms
        )
    if (kind == Kind.COUNT and figure.figure.section == "caseload") or not figure.clients:
        return ""
    return ngettext("%(n)s client", "%(n)s clients", figure.clients) % {"n": figure.clients}


def _table_rows(rows) -> SafeString:
    """The table's body, the whole practice's row first and shaded: built here rather
    than in a template loop, since a practice of 200 therapists fills thousands of
    cells."""
    return format_html_join(
        "\n",
        '<tr{}><th scope="row">{}</th>{}</tr>',
        (
            (
                mark_safe(' class="table-light"') if index == 0 else "",
                name,
                format_html_join("", "<td>{}</td>", ((value,) for value in values)),
            )
            for index, (name, values) in enumerate(rows)
        ),
    )


def _title(figure) -> str:
    """The figure's label, saying so where it is about a whole course of therapy."""
    if figure.section == "episodes":
        return gettext("%(figure)s over the course") % {"figure": figure.label}
    return str(figure.label)


def _filtered(request, *, strict: bool = False):
    """The form, the report for what it asks, the therapist chosen and the rows to
    show. With `strict`, a choice that cannot be used gets no report (None)."""
    practice = request.user.practice
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(practice.time_zone))
    form = OutcomesFilterForm(request.GET or None, practice=practice, today=today)
    if strict and form.is_bound and not form.is_valid():
        return form, None, None, []
    period, therapist = form.chosen()
    report = practice_outcomes(practice, period)
    record_access(request, [None])
    groups = [(gettext("Whole practice"), report.row(PRACTICE))]
    groups += [
        (t.display_name, report.row(t.pk))
        for t in report.therapists
        if therapist is None or t.pk == therapist.pk
    ]
    return form, report, therapist, groups


@lead_required
def practice_outcomes_page(request):
    form, report, therapist, groups = _filtered(request)
    min_clients = settings.OUTCOMES_MIN_CLIENTS
    headline = report.row(therapist.pk if therapist else PRACTICE)
    sections = []
    practice_row = groups[0][1]
    for section in SECTIONS:
        figures = [f for f in FIGURES if f.section == section.key]
        sections.append(
            {
                "section": section,
                "figures": figures,
                # One sentence in place of figures none of which can be shown: for
                # the cards, and for the table too when even the practice's row is.
                "all_held_back": section_held_back(section, headline, min_clients),
                "table_held_back": bool(section_held_back(section, practice_row, min_clients)),
                "headline": [
                    {
                        "figure": f,
                        "text": display(headline[f.key], min_clients),
                        "held_back": publish(headline[f.key], min_clients).state != Shown.VALUE,
                        "detail": _detail(headline[f.key], min_clients),
                    }
                    for f in figures
                ],
                "table": _table_rows(
                    (name, [display(row[f.key], min_clients) for f in figures])
                    for name, row in groups
                ),
                "charts": [
                    share_chart(
                        f.key,
                        _title(f),
                        [(name, row[f.key]) for name, row in groups],
                        min_clients,
                    )
                    for f in figures
                    if f.key in CHARTED
                ],
            }
        )
    return render(
        request,
        "outcomes/outcomes.html",
        {
            "form": form,
            "report": report,
            "therapist": therapist,
            "sections": sections,
            "min_clients": min_clients,
            # What rounding to the nearest ROUND_TO means, as the page explains it.
            "rounding": {"step": ROUND_TO, "off": ROUND_TO // 2, "below": ROUND_TO - 1},
            "query": request.GET.urlencode(),
        },
    )


@lead_required
def practice_outcomes_csv(request):
    form, report, therapist, groups = _filtered(request, strict=True)
    if report is None:
        return HttpResponseBadRequest(
            gettext("Choose the period and therapist on the outcomes page, then download again."),
            content_type="text/plain; charset=utf-8",
        )
    min_clients = settings.OUTCOMES_MIN_CLIENTS
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{report.period.key}.csv"'
    writer = csv.writer(response)
    # One row per figure per therapist, so every column holds one type.
    writer.writerow(["period", "therapist", "section", "figure_key", "figure", *CSV_COLUMNS])
    for name, row in groups:
        for f in FIGURES:
            record = csv_record(row[f.key], min_clients)
            writer.writerow(
                [
                    report.period.key,
                    csv_safe(name),
                    f.section,
                    f.key,
                    _title(f),
                    *(record[column] for column in CSV_COLUMNS),
                ]
            )
    return response
