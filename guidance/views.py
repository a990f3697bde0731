from itertools import groupby

from django.shortcuts import render
from django.utils.translation import gettext

from .content import SOURCES
from .models import Advice


def library(request, *, left_out: frozenset[str] = frozenset()):
    """All advice, grouped by the article it comes from. Clients see the pieces
    written for them, less `left_out` (what their reading rules out: the caller
    knows their safety state, which lives in a layer above); therapists see every
    piece, with its questions."""
    pieces = (
        Advice.objects.active().exclude(key__in=left_out).order_by("source", "audience", "title")
    )
    if not request.user.is_therapist:
        pieces = pieces.for_clients()
    groups = [
        (
            gettext("From “%(title)s”") % {"title": SOURCES[source]}
            if source in SOURCES
            else gettext("The portal's safety guidance"),
            list(items),
        )
        for source, items in groupby(pieces, key=lambda advice: advice.source)
    ]
    return render(request, "guidance/library.html", {"groups": groups})
