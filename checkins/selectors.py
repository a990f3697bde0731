"""What the therapist's client page and session prep read, in one place."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from guidance.models import Advice, ShownAdvice
from guidance.rules import advice_keys_for_flag
from portal.models import User

from .measures import MeasureSummary, summarize
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


@dataclass
class ClientOverview:
    client: User
    checkins: list[CheckIn]  # oldest first, each with the advice the client was shown
    flags: list[Flag]  # safety first, then what is still open, then the most severe
    library: dict[str, Advice]  # the active advice the flags point to, by key
    reminders: NotificationPreference
    last_reminder: SentNotification | None
    responses: list[MeasureResponse]  # questionnaire answers, oldest first
    agenda: list[AgendaItem]  # the client's open items, in their order
    agenda_answered: list[AgendaItem]  # the latest items talked about, newest first

    @property
    def measures(self) -> list[MeasureSummary]:
        return summarize(self.responses)

    @property
    def by_week(self) -> dict[date, CheckIn]:
        return {checkin.week_start: checkin for checkin in self.checkins}

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


def _read_overview(client: User) -> ClientOverview:
    checkins = list(
        CheckIn.objects.for_client(client)
        .order_by("week_start")
        .prefetch_related(
            Prefetch("shown_advice", ShownAdvice.objects.for_clients(), to_attr="client_advice")
        )
    )
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
    return ClientOverview(
        client=client,
        checkins=checkins,
        flags=flags,
        library={advice.key: advice for advice in Advice.objects.active().filter(key__in=keys)},
        reminders=NotificationPreference.objects.for_user(client),
        responses=list(MeasureResponse.objects.filter(client=client).order_by("week_start")),
        agenda=list(AgendaItem.objects.open().filter(client=client).select_related("flag")),
        agenda_answered=list(
            AgendaItem.objects.filter(client=client, talked_about_at__isnull=False).order_by(
                "-talked_about_at"
            )[:AGENDA_ANSWERED_SHOWN]
        ),
        last_reminder=SentNotification.objects.filter(
            user=client, kind__in=[NotificationKind.REMINDER, NotificationKind.FOLLOW_UP]
        ).first(),
    )
