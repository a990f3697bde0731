"""The outcome figures for one practice and one period, computed in the database.

Each family of figures is one grouped query (a row per therapist) and one
practice-wide aggregate over the same rows, so the page costs the same number
of queries for a practice of five clients or of five thousand, and no
check-in is loaded into Python.

Attribution: a check-in, a score or a flag belongs to the therapist whose
caseload the client was on when it was written, so a client moved between
therapists mid-period counts for each in their own weeks. A course's outcome
belongs to the therapist at its last paired score.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields import DateField
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from checkins.measures import paired_checkins
from checkins.models import (
    SAFETY_KINDS,
    CheckIn,
    Flag,
    FlagStatus,
    MeasureResponse,
    SafetyAction,
    SafetyAlert,
    SafetyAlertKind,
)
from clinical.measures import EPISODE_MEASURES, PHQ9
from portal.models import CaseloadAssignment, Practice, Role, User, course_end, course_start

from .db import EVERYONE, Agg, DayNumber, HoursBetween, summarize
from .figures import (
    FIGURES_BY_KEY,
    STOPPED_AFTER_MISSED_WEEKS,
    Cell,
    hold_back_complements,
    share,
)
from .periods import Period

# The key of the practice-wide row among the therapists' rows.
PRACTICE = "practice"


@dataclass
class Report:
    practice: Practice
    period: Period
    therapists: list[User]
    # PRACTICE and each therapist's pk -> figure key -> cell.
    rows: dict[object, dict[str, Cell]] = field(default_factory=dict)

    def row(self, key) -> dict[str, Cell]:
        return self.rows.get(key) or empty_row()


def empty_row() -> dict[str, Cell]:
    return {
        key: Cell(figure, 0 if figure.kind == "count" else None, 0)
        for key, figure in FIGURES_BY_KEY.items()
    }


def _cell(key: str, value, clients, count=None, base=None) -> Cell:
    return Cell(FIGURES_BY_KEY[key], value, clients or 0, count, base)


def _therapist_at(client: str, moment: str) -> Subquery:
    """The therapist whose caseload the client was on at that moment."""
    return Subquery(
        CaseloadAssignment.objects.filter(client=OuterRef(client), started_at__lte=OuterRef(moment))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef(moment)))
        .order_by("-started_at")
        .values("therapist")[:1]
    )


def _mondays_before(day) -> ExpressionWrapper:
    """How many Mondays from EPOCH_MONDAY up to (not including) `day`."""
    return ExpressionWrapper((DayNumber(day) + 6) / 7, output_field=IntegerField())


def _date(value: date) -> Value:
    return Value(value, output_field=DateField())


@dataclass(frozen=True)
class Window:
    """The period in the practice's time zone, and the parts of it already lived."""

    period: Period
    tz: zoneinfo.ZoneInfo
    now: datetime

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)

    @property
    def start(self) -> datetime:
        return self.midnight(self.period.start)

    @property
    def end(self) -> datetime:
        return self.midnight(self.period.end)

    @property
    def today(self) -> date:
        return timezone.localtime(self.now, self.tz).date()

    @property
    def weeks_until(self) -> date:
        """Weeks on the caseload count up to the current week, which is still open."""
        return min(self.period.end, self.today - timedelta(days=self.today.weekday()))

    @property
    def days_until(self) -> date:
        return min(self.period.end, self.today + timedelta(days=1))

    @property
    def closes_at(self) -> datetime:
        """The end of the period, or now if it has not ended."""
        return min(self.end, self.now)

    @property
    def stopped_on_or_before(self) -> date:
        """A last check-in in this week or earlier means check-ins have stopped."""
        last_day = min(self.period.end - timedelta(days=1), self.today)
        last_week = last_day - timedelta(days=last_day.weekday())
        return last_week - timedelta(weeks=STOPPED_AFTER_MISSED_WEEKS + 1)


def _bool(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _rows(rows: dict) -> dict:
    """The figures' groups under the report's keys: the practice, or a therapist."""
    return {PRACTICE if key == EVERYONE else key: row for key, row in rows.items()}


def caseload_and_engagement(practice: Practice, window: Window) -> dict:
    """One row per caseload assignment overlapping the period: who, for how many
    weeks, with how many check-ins, and whether it began or ended in the period."""

    def with_days(queryset):
        return queryset.annotate(
            start_day=TruncDate("started_at", tzinfo=window.tz),
            end_day=TruncDate("ended_at", tzinfo=window.tz),
        )

    # A course of therapy is a run of assignments with no day between them: a
    # move to another therapist ends one and starts the next on the same day.
    # A client whose therapy ended and who came back later starts a new course.
    assignments = with_days(CaseloadAssignment.objects.filter(client=OuterRef("client")))
    followed = with_days(
        CaseloadAssignment.objects.filter(
            client=OuterRef("client"), started_at__gt=OuterRef("started_at")
        )
    ).filter(start_day__lte=OuterRef("end_day"))
    last_gap = (
        assignments.filter(end_day__lt=OuterRef("start_day"))
        .annotate(followed=Exists(followed))
        .filter(followed=False)
        .order_by("-ended_at")
        .values("end_day")[:1]
    )
    started_day, ended_day = F("start_day"), F("end_day")
    until, days_until = _date(window.weeks_until), _date(window.days_until)
    last_day = Least(Coalesce(ended_day, days_until), days_until)
    episodes = (
        with_days(
            CaseloadAssignment.objects.filter(
                client__practice=practice, client__role=Role.CLIENT, started_at__lt=window.end
            )
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=window.start))
        .annotate(
            span_start=Greatest(_date(window.period.start), started_day),
            span_end=Least(until, Coalesce(ended_day, until)),
            last_gap=Subquery(last_gap),
        )
        .annotate(
            course_started=Subquery(
                assignments.filter(start_day__gt=Coalesce(OuterRef("last_gap"), _date(date.min)))
                .order_by("started_at")
                .values("start_day")[:1]
            ),
        )
        .annotate(
            therapist_at=F("therapist"),
            client_ref=F("client"),
            weeks_on=Greatest(
                Value(0), _mondays_before(F("span_end")) - _mondays_before(F("span_start"))
            ),
            weeks_checked=Coalesce(
                Subquery(
                    CheckIn.objects.filter(
                        client=OuterRef("client"),
                        week_start__gte=OuterRef("span_start"),
                        week_start__lt=OuterRef("span_end"),
                    )
                    .order_by()
                    .values("client")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            last_checkin=Subquery(
                CheckIn.objects.filter(client=OuterRef("client"), week_start__lt=window.period.end)
                .order_by("-week_start")
                .values("week_start")[:1]
            ),
            days_with_therapist=DayNumber(last_day) - DayNumber(started_day),
            days_in_therapy=DayNumber(last_day) - DayNumber(F("course_started")),
            started_in=_bool(Q(started_at__gte=window.start)),
            ended_in=_bool(Q(ended_at__lt=window.end)),
            open_at_end=_bool(Q(ended_at__isnull=True) | Q(ended_at__gte=window.closes_at)),
            # The first assignment of a course, the last of one, and the client's
            # latest in the period (one row per client).
            is_first=~Exists(
                assignments.filter(
                    started_at__lt=OuterRef("started_at"), end_day__gte=OuterRef("start_day")
                )
            ),
            ends_course=~Exists(
                assignments.filter(
                    started_at__gt=OuterRef("started_at"), start_day__lte=OuterRef("end_day")
                )
            ),
            is_last=~Exists(
                assignments.filter(started_at__gt=OuterRef("started_at"), started_at__lt=window.end)
            ),
        )
        .values(
            "therapist_at",
            "client_ref",
            "weeks_on",
            "weeks_checked",
            "last_checkin",
            "days_with_therapist",
            "days_in_therapy",
            "started_in",
            "ended_in",
            "open_at_end",
            "is_first",
            "ends_course",
            "is_last",
        )
    )
    had_checked_in = '"open_at_end" AND "last_checkin" IS NOT NULL'
    # A date we made, written as SQL's date literal.
    stopped = (
        f"{had_checked_in} AND \"last_checkin\" <= '{window.stopped_on_or_before.isoformat()}'"
    )
    rows = summarize(
        episodes,
        by="therapist_at",
        aggregates={
            "active": Agg("DISTINCT", "client_ref"),
            "new": Agg("DISTINCT", "client_ref", '"started_in"'),
            "ended": Agg("DISTINCT", "client_ref", '"ended_in"'),
            "weeks_on": Agg("SUM", "weeks_on"),
            "weeks_checked": Agg("SUM", "weeks_checked"),
            "engaged": Agg("DISTINCT", "client_ref", '"weeks_on" > 0'),
            "stopped": Agg("DISTINCT", "client_ref", stopped),
            "stopped_base": Agg("DISTINCT", "client_ref", had_checked_in),
            "median_days": Agg("MEDIAN", "days_with_therapist"),
        },
        # For the whole practice a move is neither a start nor an end, and time
        # in therapy runs from the start of the course (read on the latest
        # assignment, one row per client).
        everyone={
            "new": Agg("DISTINCT", "client_ref", '"started_in" AND "is_first"'),
            "ended": Agg("DISTINCT", "client_ref", '"ended_in" AND "ends_course"'),
            "median_days": Agg("MEDIAN", "days_in_therapy", '"is_last"'),
        },
    )
    return {
        group: {
            "active_clients": _cell("active_clients", r["active"], r["active"]),
            "new_clients": _cell("new_clients", r["new"], r["new"]),
            "ended_clients": _cell("ended_clients", r["ended"], r["ended"]),
            "completion_rate": _cell(
                "completion_rate",
                share(r["weeks_checked"], r["weeks_on"]),
                r["engaged"],
                r["weeks_checked"],
                r["weeks_on"],
            ),
            "checkins_stopped": _cell(
                "checkins_stopped",
                share(r["stopped"], r["stopped_base"]),
                r["stopped_base"],
                r["stopped"],
                r["stopped_base"],
            ),
            "median_weeks": _cell(
                "median_weeks",
                None if r["median_days"] is None else r["median_days"] / 7,
                r["active"],
            ),
        }
        for group, r in _rows(rows).items()
    }


def _first(key: str) -> str:
    return f'"first_{key}"'


def _last(key: str) -> str:
    return f'"last_{key}"'


def episode_conditions() -> dict[str, str]:
    """The rules of `clinical.measures.EpisodeOutcome` as SQL over an episode's
    columns first_<key> and last_<key> (NULL for a questionnaire the client is
    not asked), each threshold taken from the instrument's own figures."""

    def scored(key, condition):
        return f"({_first(key)} IS NOT NULL AND {condition})"

    case, still, fell, rose = {}, {}, {}, {}
    for instrument in EPISODE_MEASURES:
        key, cutoff, change = (
            instrument.key,
            int(instrument.cutoff),
            int(instrument.reliable_change),
        )
        case[key] = scored(key, f"{_first(key)} >= {cutoff}")
        still[key] = scored(key, f"{_last(key)} >= {cutoff}")
        fell[key] = scored(key, f"{_first(key)} - {_last(key)} >= {change}")
        rose[key] = scored(key, f"{_last(key)} - {_first(key)} >= {change}")

    def any_of(conditions) -> str:
        return "(" + " OR ".join(conditions) + ")" if conditions else "FALSE"

    is_case = any_of(case.values())
    recovered = f"{is_case} AND NOT {any_of(still.values())}"
    improved = f"{any_of(fell.values())} AND NOT {any_of(rose.values())}"
    deteriorated = any_of(
        f"({rose[key]} AND NOT {any_of([fell[k] for k in fell if k != key])})" for key in rose
    )
    return {
        "case": is_case,
        "recovered": recovered,
        "improved": improved,
        "deteriorated": deteriorated,
        "unchanged": f"NOT ({improved}) AND NOT {deteriorated}",
        "reliably_recovered": f"{recovered} AND {improved}",
    }


def episode_outcomes(practice: Practice, window: Window) -> dict:
    """Each course of therapy whose last paired score (PHQ-9 and GAD-7 in the same
    check-in) falls in the period, judged from the course's first paired score to
    that one on both questionnaires together: the NHS Talking Therapies rules of
    clinical.measures. A course with one paired score is in no share."""
    checkins = CheckIn.objects.filter(
        client__practice=practice,
        client__role=Role.CLIENT,
        week_start__gte=window.period.start,
        week_start__lt=window.period.end,
    )
    later = paired_checkins(
        CheckIn.objects.filter(
            client=OuterRef("client"),
            week_start__gt=OuterRef("week_start"),
            week_start__lt=window.period.end,
            submitted_at__lt=OuterRef("course_until"),
        )
    )
    first = paired_checkins(
        CheckIn.objects.filter(client=OuterRef("client"), submitted_at__gte=OuterRef("course_from"))
    ).order_by("week_start")
    totals = {}
    for instrument in EPISODE_MEASURES:
        scored = MeasureResponse.objects.filter(instrument=instrument.key)
        for end, checkin in (("first", "first_at"), ("last", "pk")):
            totals[f"{end}_{instrument.key}"] = Subquery(
                scored.filter(checkin=OuterRef(checkin)).values("total")[:1]
            )
    episodes = (
        paired_checkins(checkins)
        .alias(
            course_from=course_start(OuterRef("client"), OuterRef("submitted_at")),
            course_until=course_end(OuterRef("client"), OuterRef("submitted_at")),
        )
        .filter(~Exists(later))
        .annotate(first_at=Subquery(first.values("pk")[:1]))
        .annotate(
            **totals,
            therapist_at=_therapist_at("client", "submitted_at"),
            client_ref=F("client"),
            last_at=F("pk"),
        )
        .values("therapist_at", "client_ref", "first_at", "last_at", *totals)
    )
    rules = episode_conditions()
    rows = summarize(
        episodes,
        by="therapist_at",
        keep='"first_at" IS NOT NULL AND "first_at" <> "last_at"',
        aggregates={
            "scored": Agg("COUNT"),
            "clients": Agg("DISTINCT", "client_ref"),
            "cases": Agg("COUNT", where=rules["case"]),
            "case_clients": Agg("DISTINCT", "client_ref", rules["case"]),
            **{name: Agg("COUNT", where=rules[name]) for name in OUTCOME_COUNTS},
        },
    )

    def of(name, r, count, base, clients):
        return _cell(f"episode_{name}", share(r[count], r[base]), r[clients], r[count], r[base])

    return {
        group: {
            "episode_reliably_improved": of(
                "reliably_improved", r, "improved", "scored", "clients"
            ),
            "episode_recovered": of("recovered", r, "recovered", "cases", "case_clients"),
            "episode_reliably_recovered": of(
                "reliably_recovered", r, "reliably_recovered", "cases", "case_clients"
            ),
            "episode_no_reliable_change": of(
                "no_reliable_change", r, "unchanged", "scored", "clients"
            ),
            "episode_reliably_deteriorated": of(
                "reliably_deteriorated", r, "deteriorated", "scored", "clients"
            ),
        }
        for group, r in _rows(rows).items()
    }


# The outcomes counted per course, by their names in `episode_conditions`.
OUTCOME_COUNTS = ("recovered", "improved", "deteriorated", "unchanged", "reliably_recovered")


def safety(practice: Practice, window: Window) -> dict:
    """Crisis and item-9 answers, and how soon someone acted on the flags they opened."""
    crisis = summarize(
        CheckIn.objects.filter(
            client__practice=practice,
            week_start__gte=window.period.start,
            week_start__lt=window.period.end,
            in_crisis=True,
        )
        .annotate(therapist_at=_therapist_at("client", "submitted_at"), client_ref=F("client"))
        .values("therapist_at", "client_ref"),
        by="therapist_at",
        aggregates={"answers": Agg("COUNT"), "clients": Agg("DISTINCT", "client_ref")},
    )
    item = PHQ9.safety_items[0] - 1
    item9 = summarize(
        MeasureResponse.objects.filter(
            client__practice=practice,
            instrument=PHQ9.key,
            week_start__gte=window.period.start,
            week_start__lt=window.period.end,
            **{f"answers__{item}__gt": 0},
        )
        # A lookup per answer (they are few), not a join the planner may make
        # by reading every check-in.
        .annotate(
            submitted_at=Subquery(
                CheckIn.objects.filter(pk=OuterRef("checkin")).values("submitted_at")[:1]
            )
        )
        .annotate(therapist_at=_therapist_at("client", "submitted_at"), client_ref=F("client"))
        .values("therapist_at", "client_ref"),
        by="therapist_at",
        aggregates={"answers": Agg("COUNT"), "clients": Agg("DISTINCT", "client_ref")},
    )
    flags = summarize(
        Flag.objects.filter(
            client__practice=practice,
            kind__in=SAFETY_KINDS,
            opened_at__gte=window.start,
            opened_at__lt=window.end,
        )
        .annotate(
            first_action=Subquery(
                SafetyAction.objects.filter(flag=OuterRef("pk"))
                .order_by("done_at")
                .values("done_at")[:1]
            ),
        )
        .annotate(
            hours=HoursBetween("first_action", "opened_at"),
            escalated=Exists(
                SafetyAlert.objects.filter(flag=OuterRef("pk"), kind=SafetyAlertKind.ESCALATION)
            ),
            therapist_at=_therapist_at("client", "opened_at"),
            client_ref=F("client"),
        )
        .values("therapist_at", "client_ref", "hours", "escalated"),
        by="therapist_at",
        aggregates={
            "median_hours": Agg("MEDIAN", "hours"),
            "longest_hours": Agg("MAX", "hours"),
            "acted_clients": Agg("DISTINCT", "client_ref", '"hours" IS NOT NULL'),
            "no_action": Agg("COUNT", where='"hours" IS NULL'),
            "no_action_clients": Agg("DISTINCT", "client_ref", '"hours" IS NULL'),
            "escalations": Agg("COUNT", where='"escalated"'),
            "escalated_clients": Agg("DISTINCT", "client_ref", '"escalated"'),
        },
    )
    crisis, item9, flags = _rows(crisis), _rows(item9), _rows(flags)
    rows = {}
    for group in crisis.keys() | item9.keys() | flags.keys():
        c, i, f = crisis.get(group, {}), item9.get(group, {}), flags.get(group, {})
        rows[group] = {
            "crisis_answers": _cell("crisis_answers", c.get("answers", 0), c.get("clients")),
            "item9_answers": _cell("item9_answers", i.get("answers", 0), i.get("clients")),
            "hours_to_action_median": _cell(
                "hours_to_action_median", f.get("median_hours"), f.get("acted_clients")
            ),
            "hours_to_action_longest": _cell(
                "hours_to_action_longest", f.get("longest_hours"), f.get("acted_clients")
            ),
            "safety_no_action": _cell(
                "safety_no_action", f.get("no_action", 0), f.get("no_action_clients")
            ),
            "escalations": _cell(
                "escalations", f.get("escalations", 0), f.get("escalated_clients")
            ),
        }
    return rows


def follow_through(practice: Practice, window: Window) -> dict:
    """Trend flags opened in the period, and what became of them."""
    flags = (
        Flag.objects.filter(
            client__practice=practice, opened_at__gte=window.start, opened_at__lt=window.end
        )
        .exclude(kind__in=SAFETY_KINDS)
        .annotate(
            therapist_at=_therapist_at("client", "opened_at"),
            client_ref=F("client"),
            hours=HoursBetween("handled_at", "opened_at"),
        )
        .values("therapist_at", "client_ref", "status", "hours")
    )
    raised = f"\"status\" = '{FlagStatus.RAISED.value}'"
    dismissed = f"\"status\" = '{FlagStatus.DISMISSED.value}'"
    handled = f'({raised} OR {dismissed}) AND "hours" IS NOT NULL'
    rows = summarize(
        flags,
        by="therapist_at",
        aggregates={
            "opened": Agg("COUNT"),
            "opened_clients": Agg("DISTINCT", "client_ref"),
            "raised": Agg("COUNT", where=raised),
            "raised_clients": Agg("DISTINCT", "client_ref", raised),
            "dismissed": Agg("COUNT", where=dismissed),
            "dismissed_clients": Agg("DISTINCT", "client_ref", dismissed),
            "median_hours": Agg("MEDIAN", "hours", handled),
            "handled_clients": Agg("DISTINCT", "client_ref", handled),
        },
    )
    return {
        group: {
            "flags_opened": _cell("flags_opened", r["opened"], r["opened_clients"]),
            "flags_raised": _cell("flags_raised", r["raised"], r["raised_clients"]),
            "flags_dismissed": _cell("flags_dismissed", r["dismissed"], r["dismissed_clients"]),
            "days_to_handling_median": _cell(
                "days_to_handling_median",
                None if r["median_hours"] is None else r["median_hours"] / 24,
                r["handled_clients"],
            ),
        }
        for group, r in _rows(rows).items()
    }


def practice_outcomes(practice: Practice, period: Period, *, now: datetime | None = None) -> Report:
    """Every figure, for the practice and for each of its therapists."""
    window = Window(period, zoneinfo.ZoneInfo(practice.time_zone), now or timezone.now())
    families = [
        caseload_and_engagement(practice, window),
        episode_outcomes(practice, window),
        safety(practice, window),
        follow_through(practice, window),
    ]
    therapists = list(
        User.objects.therapists()
        .filter(practice=practice)
        .order_by("first_name", "last_name", "email")
    )
    report = Report(practice, period, therapists)
    shown_groups = [PRACTICE, *(t.pk for t in therapists)]
    # Activity of clients on no caseload of this practice's at the time: in the
    # practice's total, never a row of its own.
    unshown = {group for family in families for group in family} - set(shown_groups)
    rows = {}
    for group in [*shown_groups, *unshown]:
        rows[group] = empty_row()
        for family in families:
            rows[group].update(family.get(group, {}))
    hold_back_complements(
        [rows[group] for group in [*shown_groups[1:], *unshown]], settings.OUTCOMES_MIN_CLIENTS
    )
    report.rows = {group: rows[group] for group in shown_groups}
    return report
