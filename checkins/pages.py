"""The client's and the therapist's pages about check-ins and flags: the client's
home and data rights, the therapist's dashboard, client page and session prep."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from guidance.rules import FLAG_ADVICE_CLOSING, advice_keys_for_flag, questions_from_their_words
from portal.access import client_for_therapist_or_404, client_required, therapist_required
from portal.audit import record_access
from portal.formats import local_date
from portal.models import DeletionRequest, Invitation
from portal.services import CaseloadError

from .agenda_views import home_context
from .charts import client_charts
from .dashboard import caseload_rows, render_rows
from .data_rights import cancel_deletion, export_checkins_csv, export_client_data, request_deletion
from .forms import DismissFlagForm, RaiseFlagForm, SafetyActionForm, TalkedAboutForm
from .measure_charts import measure_charts
from .models import (
    Flag,
    SafetyActionKind,
)
from .safety import SafetyError, record_safety_action
from .selectors import client_overview, weeks_page
from .services import FlagError, begin_new_course, dismiss_flag, raise_flag


@client_required
def client_home(request):
    return render(request, "portal/client_home.html", home_context(request.user))


DASHBOARD_FILTERS = {
    "all": _("Everyone"),
    "flagged": _("Flagged"),
    "overdue": _("Overdue"),
}


@therapist_required
def caseload(request):
    """The dashboard: the caseload ranked by what is most worth raising."""
    show = request.GET.get("show", "all")
    if show not in DASHBOARD_FILTERS:
        show = "all"
    rows = render_rows(caseload_rows(request.user, now=timezone.now(), show=show))
    record_access(request, [row.client for row in rows])
    invitations = Invitation.objects.pending().filter(therapist=request.user)
    return render(
        request,
        "portal/caseload.html",
        {
            "rows": rows,
            "show": show,
            "show_label": DASHBOARD_FILTERS[show],
            "filters": DASHBOARD_FILTERS,
            "invitations": invitations,
        },
    )


# Session prep prints on one page: two questions a flag, and the client's words cut
# to about three printed lines.
PREP_QUESTIONS = 2
# A quote from the client in an opening question: a sentence or two.
QUOTE_WORDS = 25
PREP_WORDS = 60


def history_row(checkin) -> dict:
    """One week as the therapist's table shows it: the client's own words only where
    they chose to share them (decided here, not in the template)."""
    texts = [
        (gettext("What they hoped to see"), checkin.hoped_for),
        (gettext("Something to raise"), checkin.to_raise),
        (gettext("Why fewer sessions"), checkin.sessions_reason),
    ]
    written = [(label, text) for label, text in texts if text]
    shared = checkin.share_text_with_therapist
    return {
        "checkin": checkin,
        "notes": written if shared else [],
        "notes_short": [(label, Truncator(text).words(PREP_WORDS)) for label, text in written]
        if shared
        else [],
        "private": bool(written) and not shared,
    }


def _crisis_words(flag, checkins_by_week) -> dict:
    """The client's words from the week of a crisis answer, only if they shared them."""
    week = date.fromisoformat(flag.evidence[-1]["week"]) if flag.evidence else None
    checkin = checkins_by_week.get(week)
    words = checkin.to_raise if checkin and checkin.share_text_with_therapist else None
    return {"words": words, "words_private": bool(checkin and checkin.to_raise and not words)}


def _action_forms(flag, *, bound, today, now) -> dict:
    """The forms a flag takes: a crisis flag's own steps, or raise and dismiss."""
    if flag.is_safety:
        when = timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")
        forms = [
            (
                kind,
                label,
                bound.get((kind, flag.pk))
                or SafetyActionForm(
                    prefix=f"{kind}-{flag.pk}", kind=kind, initial={"done_at": when}
                ),
            )
            for kind, label in SafetyActionKind.choices
        ]
        return {"safety_forms": forms}
    return {
        "raise_form": bound.get(("raise", flag.pk))
        or RaiseFlagForm(prefix=f"raise-{flag.pk}", initial={"raised_on": today}),
        "dismiss_form": bound.get(("dismiss", flag.pk))
        or DismissFlagForm(prefix=f"dismiss-{flag.pk}"),
    }


def their_words(checkins) -> dict[str, str]:
    """The latest "what I hoped to see" and "something to raise" the client shared
    with their therapist (newest first in `checkins`), cut to a quotable length."""
    words = {}
    for checkin in checkins:
        if not checkin.share_text_with_therapist:
            continue
        for name in ("hoped_for", "to_raise"):
            text = getattr(checkin, name).strip()
            if text and name not in words:
                words[name] = Truncator(text).words(QUOTE_WORDS)
    return words


def _flag_item(flag, *, library, checkins_by_week, bound, today, now, words=None):
    """One flag as the client page and session prep show it."""
    # The piece every trend flag ends on is shown once for them all, not on each.
    keys = advice_keys_for_flag(flag.kind, flag.evidence)
    advice = [library[k] for k in keys if k in library and k != FLAG_ADVICE_CLOSING]
    fixed = advice[0].question_list if advice else []
    theirs = questions_from_their_words(flag.kind, **(words or {}))
    item = {
        "flag": flag,
        "advice": advice,
        "ask": (theirs + fixed)[:PREP_QUESTIONS],
        "their_question": theirs[0] if theirs else "",
        **_action_forms(flag, bound=bound, today=today, now=now),
    }
    if flag.is_safety:
        item.update(_crisis_words(flag, checkins_by_week))
    return item


def _flag_items(overview, bound) -> dict:
    """The client's flags as cards, split the ways the pages show them."""
    today, now = timezone.localdate(), timezone.now()
    words = their_words(reversed(overview.checkins))
    items = [
        _flag_item(
            flag,
            words=words,
            library=overview.library,
            checkins_by_week=overview.by_week,
            bound=bound,
            today=today,
            now=now,
        )
        for flag in overview.flags
    ]
    return {
        "flag_items": items,
        "safety_items": [item for item in items if item["flag"].is_safety],
        "trend_items": [item for item in items if not item["flag"].is_safety],
        # Context only worth a mention folds away under the flags worth raising.
        "raise_items": [
            item
            for item in items
            if not item["flag"].is_safety
            and (item["flag"].tier.worth_raising or not item["flag"].is_open)
        ],
        "mention_items": [
            item
            for item in items
            if not item["flag"].is_safety
            and item["flag"].is_open
            and not item["flag"].tier.worth_raising
        ],
        "open_items": [
            item for item in items if item["flag"].is_open and item["flag"].tier.worth_raising
        ],
        "opening_advice": overview.library.get(FLAG_ADVICE_CLOSING),
    }


def _agenda_items(items, bound) -> list:
    """The client's open agenda items, each with its "talked about" form."""
    for item in items:
        item.talked_form = bound.get(("talked", item.pk)) or TalkedAboutForm(
            prefix=f"talked-{item.pk}"
        )
    return items


def _client_page(request, client, *, template="portal/client_detail.html", bound=None, status=200):
    """Everything the therapist's client page and session-prep page show."""
    overview = client_overview(client=client)
    history = weeks_page(client, request.GET.get("page"))
    history.object_list = [history_row(c) for c in history.object_list]
    context = {
        "client": client,
        "checkins": overview.checkins[::-1],
        "latest_row": history_row(overview.checkins[-1]) if overview.checkins else None,
        # The latest week's reading: the same judgement the client's advice rests on.
        "trajectory": overview.checkins[-1].get_trajectory_display() if overview.checkins else "",
        "history": history,
        "charts": client_charts(overview.checkins, marks=overview.chart_marks, for_therapist=True),
        "reminders": overview.reminders,
        "last_reminder": overview.last_reminder,
        "measures": overview.measures,
        "episode": overview.episode,
        "agenda": _agenda_items(overview.agenda, bound or {}),
        "agenda_answered": overview.agenda_answered,
        "measure_charts": measure_charts(overview.responses, firsts=overview.measures),
        **_flag_items(overview, bound or {}),
    }
    return render(request, template, context, status=status)


@therapist_required
def client_detail(request, client_id):
    client = client_for_therapist_or_404(request, client_id)
    return _client_page(request, client)


@therapist_required
def session_prep(request, client_id):
    client = client_for_therapist_or_404(request, client_id)
    return _client_page(request, client, template="portal/session_prep.html")


@therapist_required
@require_POST
def new_course(request, client_id):
    """The client's therapist begins a new course of therapy with them: from now on
    change is measured from the new course's first scores."""
    client = client_for_therapist_or_404(request, client_id)
    try:
        begin_new_course(client=client, therapist=request.user)
    except CaseloadError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext(
                "A new course of therapy has begun for %(client)s. Change is now measured from "
                "their next questionnaire scores."
            )
            % {"client": client.display_name},
        )
    return redirect("client_detail", client_id=client.public_id)


def _flag_or_404(request, client_id, pk, *, safety: bool):
    """The therapist's client and one of their active flags of the kind the action is
    for (a crisis flag, or a trend); a 404 alike for missing, foreign or wrong kind."""
    client = client_for_therapist_or_404(request, client_id)
    flag = Flag.objects.active().filter(client=client, pk=pk).first()
    if flag is None or flag.is_safety != safety:
        raise Http404
    return client, flag


@sensitive_post_parameters()
@therapist_required
@require_POST
def flag_action(request, client_id, pk, action):
    client, flag = _flag_or_404(request, client_id, pk, safety=False)
    form_class = RaiseFlagForm if action == "raise" else DismissFlagForm
    form = form_class(request.POST, prefix=f"{action}-{flag.pk}")
    if form.is_valid():
        try:
            if action == "raise":
                raise_flag(flag=flag, by=request.user, **form.cleaned_data)
                done = gettext("“%(flag)s” marked as raised in session.")
            else:
                dismiss_flag(flag=flag, by=request.user, reason=form.cleaned_data["reason"])
                done = gettext("“%(flag)s” dismissed.")
        except FlagError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done % {"flag": flag.get_kind_display()})
            return redirect("client_detail", client_id=client.public_id)
    return _client_page(request, client, bound={(action, flag.pk): form}, status=400)


@sensitive_post_parameters()
@therapist_required
@require_POST
def safety_action(request, client_id, pk, kind):
    """Record a step on a crisis flag: contacted the client, safety plan reviewed, cleared."""
    client, flag = _flag_or_404(request, client_id, pk, safety=True)
    if kind not in SafetyActionKind.values:
        raise Http404
    form = SafetyActionForm(request.POST, prefix=f"{kind}-{flag.pk}", kind=kind)
    if form.is_valid():
        try:
            record_safety_action(flag=flag, by=request.user, kind=kind, **form.cleaned_data)
        except SafetyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Recorded: %(action)s.") % {"action": SafetyActionKind(kind).label.lower()},
            )
            return redirect("client_detail", client_id=client.public_id)
    return _client_page(request, client, bound={(kind, flag.pk): form}, status=400)


@client_required
def my_data(request):
    """Download everything, or ask for it to be deleted (and change one's mind).
    Asking takes two posts: the first shows what will go and when, the second,
    with confirm=yes, asks. A plain form, not a script's confirm(), which the
    content security policy would block."""
    client = request.user
    confirming = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete" and request.POST.get("confirm") == "yes":
            deletion = request_deletion(client=client)
            messages.success(
                request,
                gettext("Your data will be deleted on %(date)s. You can cancel until then.")
                % {"date": local_date(timezone.localtime(deletion.due_at, client.tz), "F j, Y")},
            )
        elif action == "delete":
            confirming = True
        elif action == "cancel":
            cancel_deletion(client=client)
            messages.success(request, gettext("Deletion cancelled. Your data stays."))
        if not confirming:
            return redirect("my_data")
    pending = DeletionRequest.objects.pending().filter(client=client).first()
    return render(
        request,
        "portal/my_data.html",
        {
            "pending": pending,
            "confirming": confirming and pending is None,
            "grace_days": settings.DELETION_GRACE_DAYS,
            # When a request made now would fall due, on the client's own calendar.
            "would_delete_on": timezone.localtime(
                timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS), client.tz
            ),
        },
    )


@client_required
def my_data_export(request, fmt):
    client = request.user
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = JsonResponse(export_client_data(client), json_dumps_params={"indent": 2})
        name = f"my-check-ins-{stamp}.json"
    else:
        response = HttpResponse(export_checkins_csv(client), content_type="text/csv; charset=utf-8")
        name = f"my-check-ins-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
