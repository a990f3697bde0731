"""Attach advice to a check-in, and read it back."""

from collections.abc import Sequence

from django.utils.translation import get_language

from clinical.trends import CheckInLike, Thresholds, needs_crisis_help

from .models import Advice, Audience, ShownAdvice
from .rules import (
    CLOSING_KEY,
    MAX_CLIENT_PIECES,
    MAX_THERAPIST_PIECES,
    closing_match,
    match_advice,
)


def select_advice(
    history: Sequence[CheckInLike], t: Thresholds, library: dict[str, Advice]
) -> list[tuple[Advice, str]]:
    """Pick what to show for the latest check-in: a handful for the client, ending on
    the invitation to talk, and a handful for the therapist.

    Pure apart from `library`, the active advice by key; a rule whose piece was
    deactivated in the admin is skipped.
    """
    client, therapist = [], []
    for match in match_advice(history, t):
        advice = library.get(match.key)
        if advice is None or match.key == CLOSING_KEY:
            continue
        if advice.audience in (Audience.CLIENT, Audience.BOTH) and len(client) < MAX_CLIENT_PIECES:
            client.append((advice, match.reason))
        if advice.audience in (Audience.THERAPIST, Audience.BOTH) and len(therapist) < (
            MAX_THERAPIST_PIECES
        ):
            therapist.append((advice, match.reason))
    closing = library.get(CLOSING_KEY)
    # A crisis week ends on the crisis help, not on "bring it to your next session".
    if closing is not None and history and not needs_crisis_help(history[-1]):
        client.append((closing, closing_match().reason))
    return client + therapist


def attach_advice(*, checkin, history: Sequence[CheckInLike], t: Thresholds) -> list[ShownAdvice]:
    """Store, word for word, the advice chosen for `checkin` (replacing any earlier choice
    for the same week, since an edited check-in gets fresh advice), in the active
    language: the client's."""
    language = get_language()
    library = {advice.key: advice for advice in Advice.objects.active()}
    chosen = select_advice(history, t, library)
    ShownAdvice.objects.filter(checkin=checkin).delete()
    return ShownAdvice.objects.bulk_create(
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
    )


def client_advice(checkin) -> list[ShownAdvice]:
    return list(checkin.shown_advice.for_clients())
