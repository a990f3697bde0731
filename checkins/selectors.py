"""What the therapist's client page and session prep read, in one place."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, Prefetch, Subquery

from clinical.reading import Reading, Trajectory
from clinical.vocabulary import SAFETY_KINDS
from guidance.models import Advice, ShownAdvice
from guidance.rules import advice_keys_for_flag
from portal.models import User

from .measures import EpisodeSummary, MeasureSummary, as_date, course_summaries
from .models import (
    AgendaItem,
    CheckIn,
    Flag,
    MeasureResponse,
    NotificationKind,
    NotificationPreference,
    SentNotification,
)

# The items talked about lately that the therapist sees with the client's answer.
AGENDA_ANSWERED_SHOWN = 5

# The charts of a client's history draw the year up to their latest check-in:
# long enough to see a season's change, and bounded, so a page costs the same
# after ten years of weekly check-ins as after one. Older weeks are in the
# paginated table (`weeks_page`); first scores come from `course_summaries`.
RECENT_WEEKS = 52
# A quarter of a year of weekly check-ins per page of the table: enough to
# compare recent weeks at a glance, short enough that the page stays about
# two screens high.
HISTORY_WEEKS_PER_PAGE = 12


def client_reading(client: User, *, week_start: date) -> Reading:
    """The client's reading as it stands: their latest week's, as stored when it was
    saved, with the safety state as it is now (a safety flag open from any week),
    in one statement. `week_start` is the client's current week: a crisis answer
    counts as this week's when this week's check-in gives it, or when a safety
    flag opened this week is still open (the answer was given on a form that
    still needs another look, so no check-in holds it yet)."""
    open_safety = Flag.objects.open().filter(client_id=client.pk, kind__in=SAFETY_KINDS)
    this_week_began = datetime.combine(week_start, time.min, tzinfo=client.tz)
    latest = (
        User.objects.filter(pk=client.pk)
        .annotate(
            safety_open=Exists(open_safety),
            safety_this_week=Exists(open_safety.filter(opened_at__gte=this_week_began)),
        )
        .values("safety_open", "safety_this_week")
        .annotate(
            **{
                name: Subquery(
                    CheckIn.objects.filter(client_id=client.pk)
                    .order_by("-week_start")
                    .values(name)[:1]
                )
                for name in ("week_start", "trajectory", "sessions_attended", "in_crisis")
            }
        )
        .get()
    )
    crisis_now = latest["safety_this_week"] or (
        as_date(latest["week_start"]) == week_start and bool(latest["in_crisis"])
    )
    return Reading(
        latest["trajectory"] or Trajectory.EARLY,
        latest["sessions_attended"] or 0,
        crisis_now=crisis_now,
        safety_open=latest["safety_open"] or crisis_now,
    )


@dataclass
class ClientOverview:
    client: User
    checkins: list[CheckIn]  # the recent weeks (RECENT_WEEKS), oldest first
    flags: list[Flag]  # safety first, then what is still open, then the most severe
    library: dict[str, Advice]  # the active advice the flags point to, by key
    reminders: NotificationPreference
    last_reminder: SentNotification | None
    responses: list[MeasureResponse]  # questionnaire answers of the recent weeks, oldest first
    # First and latest score of each questionnaire in the current course, and the
    # course's outcome on both together.
    measures: list[MeasureSummary]
    episode: EpisodeSummary | None
    agenda: list[AgendaItem]  # the client's open items, in their order
    agenda_answered: list[AgendaItem]  # the latest items talked about, newest first
    # The weeks of a safety flag's answer older than the charted year: the
    # therapist still reads what the client wrote that week.
    older_evidence: list[CheckIn]

    @property
    def by_week(self) -> dict[date, CheckIn]:
        return {checkin.week_start: checkin for checkin in [*self.older_evidence, *self.checkins]}

    @property
    def chart_marks(self) -> dict[date, str]:
        """The latest week of evidence of each open flag, to mark on the charts."""
        return {
            date.fromisoformat(flag.evidence[-1]["week"]): flag.get_kind_display()
            for flag in self.flags
            if flag.is_open and flag.evidence
        }


def client_overview(*, client: User) -> ClientOverview:
    """A fixed number of queries, whatever the length of the history."""
    overview = _read_overview(client)
    # Each week's questionnaire answers, from the responses already read.
    answers: dict[int, dict] = {}
    for response in overview.responses:
        answers.setdefault(response.checkin_id, {})[response.instrument] = response.answers
    for checkin in overview.checkins:
        checkin.measure_answers = answers.get(checkin.pk, {})
    return overview


def recent_weeks(client: User) -> tuple[date, list[CheckIn]]:
    """The first week the charts draw (RECENT_WEEKS up to the latest check-in), and
    the check-ins from it on, oldest first."""
    latest = (
        CheckIn.objects.for_client(client)
        .order_by("-week_start")
        .values_list("week_start", flat=True)
        .first()
    )
    since = latest - timedelta(weeks=RECENT_WEEKS - 1) if latest else date.min
    checkins = CheckIn.objects.for_client(client).filter(week_start__gte=since)
    return since, list(checkins.order_by("week_start"))


def weeks_page(client: User, number, *, left_out: frozenset[str] = frozenset()) -> Page:
    """One page of the client's weeks, newest first, each with the advice they
    were shown less `left_out` (what the client's reading rules out today): two
    queries and a page of rows, however long the history."""
    shown = ShownAdvice.objects.for_clients().exclude(key__in=left_out)
    weeks = (
        CheckIn.objects.for_client(client)
        .order_by("-week_start")
        .prefetch_related(
            Prefetch("shown_advice", shown, to_attr="client_advice"),
            "measure_responses",  # each week's questionnaire answers (an item-9 week is marked)
        )
    )
    return Paginator(weeks, HISTORY_WEEKS_PER_PAGE).get_page(number)


def _read_overview(client: User) -> ClientOverview:
    since, checkins = recent_weeks(client)
    flags = list(
        Flag.objects.active()
        .filter(client=client)
        .select_related("handled_by")
        .prefetch_related("safety_actions__by", "alerts")
    )
    flags.sort(
        key=lambda flag: (not (flag.is_safety and flag.is_open), not flag.is_open, -flag.severity)
    )
    keys = {key for flag in flags for key in advice_keys_for_flag(flag.kind, flag.evidence)}
    older = {
        date.fromisoformat(flag.evidence[-1]["week"])
        for flag in flags
        if flag.is_safety and flag.evidence
    } - {checkin.week_start for checkin in checkins}
    measures, episode = course_summaries([client]).get(client.pk, ([], None))
    return ClientOverview(
        client=client,
        checkins=checkins,
        flags=flags,
        library={advice.key: advice for advice in Advice.objects.active().filter(key__in=keys)},
        reminders=NotificationPreference.objects.for_user(client),
        responses=list(
            MeasureResponse.objects.filter(client=client, week_start__gte=since).order_by(
                "week_start"
            )
        ),
        measures=measures,
        episode=episode,
        older_evidence=list(CheckIn.objects.for_client(client).filter(week_start__in=older))
        if older
        else [],
        agenda=list(AgendaItem.objects.open().filter(client=client).select_related("flag")),
        agenda_answered=list(
            AgendaItem.objects.filter(client=client, talked_about_at__isnull=False)
            .select_related("flag")
            .order_by("-talked_about_at")[:AGENDA_ANSWERED_SHOWN]
        ),
        last_reminder=SentNotification.objects.filter(
            user=client, kind__in=[NotificationKind.REMINDER, NotificationKind.FOLLOW_UP]
        ).first(),
    )
