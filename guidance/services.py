"""Attach advice to a check-in, and read it back."""

from collections.abc import Sequence

from django.utils.translation import get_language

from clinical.reading import Reading, read_week
from clinical.trends import CheckInLike, Thresholds

from .library import advice_library
from .models import Advice, Audience, ShownAdvice
from .rules import (
    CLOSING_KEY,
    MAX_CLIENT_PIECES,
    MAX_THERAPIST_PIECES,
    TIMELINE_KEY,
    closing_match,
    match_advice,
)


def select_advice(
    history: Sequence[CheckInLike],
    t: Thresholds,
    library: dict[str, Advice],
    reading: Reading | None = None,
) -> list[tuple[Advice, str]]:
    """Pick what to show for the latest check-in: a handful for the client, ending on
    the invitation to talk, and a handful for the therapist.

    Pure apart from `library`, the active advice by key; a rule whose piece was
    deactivated in the admin is skipped. The timeline piece, where it fits, is
    never crowded out of the client's handful (rules.TIMELINE_KEY says why).
    """
    reading = reading or read_week(history, t)
    client, therapist = [], []
    timeline = None
    for match in match_advice(history, t, reading):
        advice = library.get(match.key)
        if advice is None or match.key == CLOSING_KEY:
            continue
        if advice.audience in (Audience.CLIENT, Audience.BOTH):
            if len(client) < MAX_CLIENT_PIECES:
                client.append((advice, match.reason))
            elif match.key == TIMELINE_KEY:
                timeline = (advice, match.reason)
        if advice.audience in (Audience.THERAPIST, Audience.BOTH) and len(therapist) < (
            MAX_THERAPIST_PIECES
        ):
            therapist.append((advice, match.reason))
    if timeline is not None:
        client[-1] = timeline
    closing = library.get(CLOSING_KEY)
    # A crisis week ends on the crisis help, not on "bring it to your next session".
    if closing is not None and history and not reading.crisis_now:
        client.append((closing, closing_match().reason))
    return client + therapist


# What makes a piece of shown advice the same as another, for `attach_advice`.
SHOWN_AS = (
    "advice_id",
    "position",
    "key",
    "audience",
    "title",
    "body",
    "source",
    "research",
    "reason",
    "language",
)


def attach_advice(
    *,
    checkin,
    history: Sequence[CheckInLike],
    t: Thresholds,
    reading: Reading | None = None,
    replace: bool = True,
) -> list[ShownAdvice]:
    """Store, word for word, the advice chosen for `checkin` (replacing any earlier choice
    for the same week, since an edited check-in gets fresh advice), in the active
    language: the client's.

    `replace=False` says the check-in is new, so nothing is stored for it yet. An
    earlier choice that is the same, word for word, is kept as it is.
    """
    language = get_language()
    chosen = select_advice(history, t, advice_library(), reading)
    shown = [
        ShownAdvice(
            checkin=checkin,
            advice=advice,
            position=position,
            key=advice.key,
            audience=advice.audience,
            title=advice.title,
            body=advice.body,
            source=advice.source,
            research=advice.research,
            reason=reason,
            language=language,
        )
        for position, (advice, reason) in enumerate(chosen)
    ]
    if replace:
        earlier = list(ShownAdvice.objects.filter(checkin_id=checkin.pk).order_by("position"))
        if _as_shown(earlier) == _as_shown(shown):
            return earlier
        if earlier:
            ShownAdvice.objects.filter(checkin=checkin).delete()
    return ShownAdvice.objects.bulk_create(shown) if shown else []


def _as_shown(rows: list[ShownAdvice]) -> list[tuple]:
    return [tuple(getattr(row, name) for name in SHOWN_AS) for row in rows]


def client_advice(checkin, *, left_out: frozenset[str] = frozenset()) -> list[ShownAdvice]:
    """The advice a client was shown with `checkin`, less `left_out`: what the
    client's reading rules out today (rules.excluded_keys), on every page."""
    return list(checkin.shown_advice.for_clients().exclude(key__in=left_out))
