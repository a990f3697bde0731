"""The therapist's dashboard: the caseload ranked by what is most worth raising.

A fixed number of queries whatever the caseload or history size: the clients
with their latest check-in, their first and latest questionnaire scores in the
current course of therapy and its first and last paired scores
(subqueries on the (client, week) and (client, instrument, week) indexes), the
check-ins of a short recent window, and the active flags; and, when a crisis
flag is open, its recorded actions and its escalation (two more).
"""

import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from clinical.reading import Trajectory
from clinical.trends import weeks_missed
from clinical.vocabulary import HOMEWORK_SHARE
from portal.models import User

from .charts import LineChart, client_charts
from .measures import (
    EpisodeSummary,
    MeasureSummary,
    as_date,
    episode_from,
    score_ends,
    summaries_from,
)
from .models import CheckIn, Flag, FlagStatus, SafetyAction, week_start_for
from .safety import CrisisStanding, crisis_standing, escalations_with_on_call

logger = logging.getLogger(__name__)

# Eight weeks of sparkline: two months shows a direction without crowding a
# phone screen.
SPARKLINE_WEEKS = 8
# Big enough to read a direction at a glance beside its scale and latest value.
SPARKLINE_SIZE = {"width": 120, "height": 32, "compact": True, "for_therapist": True}


@dataclass(frozen=True, slots=True)
class RecentWeek:
    """One week of a sparkline: the answers the trend lines draw, and no more."""

    READ = ("week_start", "wellbeing", "expectations", "discomfort", "homework")

    week_start: date
    wellbeing: int
    expectations: int
    discomfort: int
    homework: str

    @property
    def homework_share(self) -> float | None:
        return HOMEWORK_SHARE.get(self.homework)


@dataclass
class DashboardRow:
    client: User
    current_week: date
    last_week: date | None
    sessions: int | None
    trajectory: str = ""  # the latest week's reading (clinical.reading.Trajectory)
    flags: list[Flag] = field(default_factory=list)
    measures: list[MeasureSummary] = field(default_factory=list)
    episode: EpisodeSummary | None = None  # the course's outcome, one marker
    recent: list[RecentWeek] = field(default_factory=list)  # the sparklines' weeks, oldest first
    html: str = ""  # the row as rendered (see render_rows)
    now: datetime | None = None  # when the page is drawn: how long a crisis has waited

    @cached_property
    def sparklines(self) -> list[LineChart]:
        """Drawn only when the row is rendered, not when it comes from the cache."""
        weeks = [self.current_week - timedelta(weeks=n) for n in range(SPARKLINE_WEEKS - 1, -1, -1)]
        charts = client_charts(self.recent, weeks=weeks, **SPARKLINE_SIZE)
        wellbeing = charts[0]
        # Eight weeks' first-to-last change can say "up" while the reading says the
        # client is getting worse (6, 9, 8, 7): the reading speaks, not the chart.
        if (self.trajectory == Trajectory.FALLING and wellbeing.change_css == "better") or (
            self.trajectory == Trajectory.IMPROVING and wellbeing.change_css == "worse"
        ):
            wellbeing.change, wellbeing.change_css = "", ""
        return charts

    @property
    def trajectory_label(self) -> str:
        """Which way therapy is going, in the reading's one word: the same judgement
        the client's advice rests on."""
        return Trajectory(self.trajectory).label if self.trajectory else ""

    @property
    def open_flags(self) -> list[Flag]:
        """Open flags worth raising: what makes a client "flagged"."""
        return [flag for flag in self.flags if flag.is_open and flag.tier.worth_raising]

    @property
    def mentions(self) -> list[Flag]:
        """Open flags only worth a mention: shown quietly, never counted as flagged."""
        return [flag for flag in self.flags if flag.is_open and not flag.tier.worth_raising]

    @property
    def tier_css(self) -> str:
        if not self.open_flags:
            return ""
        # A crisis acted on keeps its tier but loses the waiting one's heavy frame.
        crisis = (
            ("crisis-waiting" if self.crisis_waiting else "crisis-acted") if self.in_crisis else ""
        )
        return f"{self.open_flags[0].tier.css} {crisis}".strip()

    @property
    def handled_flags(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.status != FlagStatus.OPEN]

    @property
    def weeks_missed(self) -> int | None:
        """Whole weeks without a check-in before the current (still open) week."""
        if self.last_week is None:
            return None
        return weeks_missed(self.last_week, self.current_week)

    @property
    def overdue(self) -> bool:
        return self.last_week is None or self.weeks_missed >= 1

    @property
    def in_crisis(self) -> bool:
        return any(flag.is_safety for flag in self.open_flags)

    @cached_property
    def crisis_standings(self) -> dict[int, CrisisStanding]:
        """Where each open crisis flag stands, by flag id (see fetch_caseload)."""
        return {
            flag.pk: crisis_standing(
                opened_at=flag.opened_at,
                actions=flag.actions_recorded,
                escalations=flag.escalations,
                now=self.now,
            )
            for flag in self.open_flags
            if flag.is_safety
        }

    @property
    def open_flags_standing(self) -> list[tuple[Flag, CrisisStanding | None]]:
        """Each open flag with where it stands if it is a crisis flag."""
        return [(flag, self.crisis_standings.get(flag.pk)) for flag in self.open_flags]

    @property
    def crisis_waiting(self) -> bool:
        """A crisis flag nobody has acted on yet: it comes before one acted on."""
        return any(not standing.acted_on for standing in self.crisis_standings.values())

    @property
    def top_severity(self) -> int:
        return max((flag.severity for flag in self.open_flags), default=0)

    def rank_key(self):
        # Crisis first, one nobody has acted on before one acted on; then the
        # most severe flag worth raising, then how many, then mentions, then who
        # has been quiet longest; names break ties so the order is stable.
        return (
            not self.in_crisis,
            not self.crisis_waiting,
            -self.top_severity,
            -len(self.open_flags),
            -len(self.mentions),
            -(self.weeks_missed or 0),
            self.client.display_name.lower(),
        )


@dataclass
class CaseloadData:
    """What the dashboard reads from the database, before any of it is shaped."""

    clients: list[User]
    current_weeks: dict[int, date]
    recent: dict[int, list[RecentWeek]]
    flags: dict[int, list[Flag]]
    measures: dict[int, list[MeasureSummary]]
    now: datetime | None = None
    episodes: dict[int, EpisodeSummary] = field(default_factory=dict)


_LATEST = CheckIn.objects.filter(client=OuterRef("pk")).order_by("-week_start")


def _caseload_clients(therapist_id: int) -> QuerySet:
    """The caseload, each client with their latest week and their course's first and
    latest questionnaire scores, in one statement."""
    return User.objects.caseload_of(therapist_id).annotate(
        last_week=Subquery(_LATEST.values("week_start")[:1]),
        last_sessions=Subquery(_LATEST.values("sessions_attended")[:1]),
        last_trajectory=Subquery(_LATEST.values("trajectory")[:1]),
        **score_ends(),
    )


def _recent_weeks(therapist_id: int, since: date) -> QuerySet:
    """Only what the trend lines draw: the free text stays in the database."""
    return (
        CheckIn.objects.filter(
            client__in=User.objects.caseload_of(therapist_id).values("pk"), week_start__gte=since
        )
        .order_by("week_start")
        .values_list("client_id", *RecentWeek.READ)
    )


def _active_flags(therapist_id: int) -> QuerySet:
    return (
        Flag.objects.active()
        .filter(client__in=User.objects.caseload_of(therapist_id).values("pk"))
        .order_by("-severity", "pk")
    )


def fetch_caseload(therapist: User, *, now: datetime) -> CaseloadData:
    """Three queries, whatever the caseload or history size; two more when a crisis
    flag is open (its actions and its escalation, for the whole caseload at once)."""
    clients = list(_caseload_clients(therapist.pk))
    current = {client.pk: week_start_for(now, client.tz) for client in clients}
    recent: dict[int, list[RecentWeek]] = defaultdict(list)
    flags: dict[int, list[Flag]] = defaultdict(list)
    measures: dict[int, list[MeasureSummary]] = {}
    episodes: dict[int, EpisodeSummary] = {}
    for client in clients:
        client.last_week = as_date(client.last_week)
        if found := summaries_from(vars(client)):
            measures[client.pk] = found
        if episode := episode_from(vars(client)):
            episodes[client.pk] = episode
    if clients:
        since = min(current.values()) - timedelta(weeks=SPARKLINE_WEEKS - 1)
        for client_id, *answers in _recent_weeks(therapist.pk, since):
            recent[client_id].append(RecentWeek(*answers))
        found = list(_active_flags(therapist.pk))
        for flag in found:
            flags[flag.client_id].append(flag)
        prefetch_related_objects(
            [flag for flag in found if flag.is_safety and flag.is_open],
            Prefetch("safety_actions", SafetyAction.objects.all(), to_attr="actions_recorded"),
            Prefetch("alerts", escalations_with_on_call(), to_attr="escalations"),
        )
    return CaseloadData(clients, current, recent, flags, measures, now=now, episodes=episodes)


def build_rows(data: CaseloadData, *, show: str = "all") -> list[DashboardRow]:
    """Shape the fetched data into ranked rows with their trend lines (no database)."""
    rows = []
    for client in data.clients:
        current = data.current_weeks[client.pk]
        row = DashboardRow(
            client=client,
            current_week=current,
            last_week=client.last_week,
            sessions=client.last_sessions,
            trajectory=client.last_trajectory or "",
            flags=data.flags.get(client.pk, []),
            measures=data.measures.get(client.pk, []),
            episode=data.episodes.get(client.pk),
            recent=data.recent.get(client.pk, []),
            now=data.now,
        )
        if show == "flagged" and not row.open_flags:
            continue
        if show == "overdue" and not row.overdue:
            continue
        rows.append(row)
    rows.sort(key=DashboardRow.rank_key)
    return rows


def caseload_rows(therapist: User, *, now: datetime, show: str = "all") -> list[DashboardRow]:
    return build_rows(fetch_caseload(therapist, now=now), show=show)


ROW_TEMPLATE = "portal/_dashboard_row.html"
# What a row's HTML is made by: the templates it includes, and every module of the
# layers that word it (tier labels, bands, flag kinds, names). A change to any of
# them is a new version of every row, so HTML drawn by one release is never
# served by another, during a rolling deploy included.
ROW_MADE_BY = (
    "templates/portal/_dashboard_row.html",
    "templates/portal/_measure_summary.html",
    "templates/portal/_sparklines.html",
    "checkins/*.py",
    "clinical/*.py",
    "portal/models.py",
    "portal/formats.py",
    "portal/templatetags/*.py",
    # A new translation is a new row.
    "locale/*/LC_MESSAGES/django.mo",
)
# An hour: long enough for a morning of looking before sessions, short enough that
# a client's erased data does not linger in the cache. Its key holds everything the
# row shows, so a new check-in, a changed flag or a new week is a new key anyway.
ROW_CACHE_SECONDS = 60 * 60


@lru_cache(maxsize=1)
def _made_by() -> str:
    digest = hashlib.sha256()
    for pattern in ROW_MADE_BY:
        for path in sorted(settings.BASE_DIR.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def row_cache_key(row: DashboardRow) -> str:
    """Everything the row shows, hashed: the client, the week, each flag as shown,
    the questionnaire scores, the sparklines' answers and the reader's language."""
    shown = (
        _made_by(),
        get_language(),
        row.client.pk,
        str(row.client.public_id),
        row.client.display_name,
        row.current_week,
        row.last_week,
        row.sessions,
        row.trajectory,
        [
            (
                f.pk,
                f.kind,
                f.severity,
                f.status,
                # The message the summary is worded from (the reader's language is
                # above), and the stored words of a flag without one.
                json.dumps(f.summary_message, sort_keys=True),
                f.summary,
                f.client_said,
                f.closed_at,
            )
            for f in row.flags
        ],
        [(m.instrument.key, m.first, m.first_week, m.latest, m.latest_week) for m in row.measures],
        row.episode.as_key() if row.episode else None,
        [(c.week_start, c.wellbeing, c.expectations, c.discomfort, c.homework) for c in row.recent],
        # Each crisis flag's actions and escalation as recorded, and the words they
        # make in the reader's time zone (which also tell how long one has waited).
        [
            (
                f.pk,
                [(a.pk, a.kind, a.done_at, a.method) for a in f.actions_recorded],
                [(e.pk, e.sent_at, e.recipients, e.on_call_name) for e in f.escalations],
            )
            for f in row.flags
            if f.pk in row.crisis_standings
        ],
        [(pk, s.acted_on, s.lines) for pk, s in row.crisis_standings.items()],
    )
    return "dashboard-row:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def render_rows(rows: list[DashboardRow], *, cached: bool = True) -> list[DashboardRow]:
    """Each row's HTML, from the cache where it is there: a row is drawn (its
    sparklines included) once per change, not on every view of the dashboard."""
    keys = [row_cache_key(row) for row in rows] if cached else []
    found = _cached(keys) if cached else {}
    fresh = {}
    written = defaultdict(list)
    for index, row in enumerate(rows):
        key = keys[index] if cached else None
        if key in found:
            row.html = mark_safe(found[key])  # noqa: S308 - HTML this module rendered
        else:
            row.html = render_to_string(ROW_TEMPLATE, {"row": row})
            if cached:
                fresh[key] = str(row.html)
                written[row.client.pk].append(key)
    if fresh:
        try:
            cache.set_many({**fresh, **_row_indexes(written)}, ROW_CACHE_SECONDS)
        except Exception:  # a full or absent cache costs speed, never the page
            logger.warning("Dashboard rows were not cached.", exc_info=True)
    return rows


# A row's key is a hash of what it shows, so the rows showing a client cannot be
# found from the client alone: each client has an index of the keys of the rows
# drawn for them (each with when it was written), kept as long as the newest of
# them. Two workers drawing rows for one client at the same moment may each
# write the index without the other's key; that row is then left to expire.
def _row_index_key(client_id: int) -> str:
    return f"dashboard-rows-of:{client_id}"


def _row_indexes(written: dict[int, list[str]]) -> dict[str, dict[str, float]]:
    now = time.time()
    index_keys = {client_id: _row_index_key(client_id) for client_id in written}
    known = cache.get_many(list(index_keys.values()))
    indexes = {}
    for client_id, keys in written.items():
        entries = known.get(index_keys[client_id], {})
        alive = {key: at for key, at in entries.items() if at > now - ROW_CACHE_SECONDS}
        indexes[index_keys[client_id]] = alive | dict.fromkeys(keys, now)
    return indexes


def forget_rows(*, client_id: int) -> None:
    """Remove every cached dashboard row that shows the client, whoever's
    dashboard and whichever language it was drawn for."""
    index_key = _row_index_key(client_id)
    cache.delete_many([*cache.get(index_key, {}), index_key])


def _cached(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("The dashboard row cache could not be read.", exc_info=True)
        return {}
