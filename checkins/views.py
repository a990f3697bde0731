from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinical.measures import INSTRUMENTS
from guidance.rules import excluded_keys
from guidance.services import client_advice
from guidance.views import library
from portal.access import client_required, therapist_required

from .agenda import brought_back
from .agenda_views import client_agenda_context
from .charts import client_charts
from .forms import CheckInForm, DigestForm, ReminderForm
from .measure_charts import measure_charts
from .measures import due_instruments, in_plain_words, summaries_for
from .models import AgendaItem, CheckIn, MeasureResponse, NotificationPreference, week_start_for
from .notifications import read_unsubscribe_token, unsubscribe
from .selectors import client_reading, recent_weeks, weeks_page
from .services import record_safety_answer, submit_checkin
from .tasks import send_notification

# Under the crisis help on a form sent back for another look: what is saved, and
# what is not yet.
CRISIS_TOLD_FORM_NOT_SAVED = gettext_noop(
    "Your answer about your safety is saved and your therapist has been told, but please "
    "do not wait for them. The rest of your check-in is not saved yet: it is below, "
    "with everything you typed."
)


def questionnaires_for(request, client, week_start) -> list:
    """The questionnaires due this week, and, for a form posted after its week closed,
    any it was answering: those answers (an item 9 among them) are shown again to
    save, never dropped because the new week does not ask."""
    due = due_instruments(client, week_start)
    if request.method != "POST":
        return due
    week_closed = request.POST.get("week", week_start.isoformat()) != week_start.isoformat()
    kept = set(request.POST.get("carried", "").split(","))
    carried = [
        instrument
        for instrument in INSTRUMENTS.values()
        if instrument not in due
        and f"{instrument.key}_1" in request.POST
        and (week_closed or instrument.key in kept)
    ]
    return due + carried


@sensitive_post_parameters()  # what a client writes never goes into an error report
@client_required
def checkin(request):
    """This week's check-in: a new one, or the one already saved, while the week is open."""
    client = request.user
    week_start = week_start_for(timezone.now(), client.tz)
    current, previous = CheckIn.objects.this_and_previous(client, week_start)
    form = CheckInForm(
        request.POST or None,
        instance=current,
        previous=previous,
        week_start=week_start,
        instruments=questionnaires_for(request, client, week_start),
        talked_about=AgendaItem.objects.awaiting_answer()
        .filter(client=client)
        .select_related("flag"),
    )
    if request.method == "POST" and form.is_valid():
        submit_checkin(client=client, data=form.answers())
        return redirect("checkin_saved")
    # A crisis answer alerts now, whatever else on the form needs another look;
    # the help then comes first, the form with everything typed below it.
    crisis_now = form.is_bound and bool(
        record_safety_answer(client=client, **form.safety_answers())
    )
    # Back on the form in a crisis week (the answer sent, the flag not yet cleared):
    # the help still comes first.
    if not form.is_bound:
        crisis_now = client_reading(client, week_start=week_start).crisis_now
    return render(
        request,
        "checkins/checkin_form.html",
        {
            "form": form,
            "week_start": week_start,
            "current": current,
            "crisis_now": crisis_now,
            # Only where it is true: nothing of this week saved but the safety answer.
            "crisis_told": gettext(CRISIS_TOLD_FORM_NOT_SAVED)
            if crisis_now and (form.is_bound or current is None)
            else "",
        },
    )


@client_required
def checkin_saved(request):
    client = request.user
    week_start = week_start_for(timezone.now(), client.tz)
    current = CheckIn.objects.for_week(client, week_start)
    if current is None:
        return redirect("checkin")
    reading = client_reading(client, week_start=week_start)
    return render(
        request,
        "checkins/checkin_saved.html",
        # A crisis week shows the full crisis help first, in place of the notice.
        {
            "checkin": current,
            "advice": client_advice(current, left_out=excluded_keys(reading)),
            "crisis_now": current.needs_crisis_help,
            "brought_back": brought_back(client, week_start=week_start),
            **client_agenda_context(client, this_week=current),
        },
    )


@client_required
def history(request):
    """The client's own history: the recent year charted, every week in pages."""
    client = request.user
    since, checkins = recent_weeks(client)
    show_scores = client.practice is None or client.practice.show_scores_to_clients
    responses = (
        list(
            MeasureResponse.objects.filter(client=client, week_start__gte=since).order_by(
                "week_start"
            )
        )
        if show_scores
        else []
    )
    latest = {r.instrument: r.answers for r in responses}  # oldest first: the last wins
    summaries = summaries_for([client]).get(client.pk, []) if show_scores else []
    reading = client_reading(client, week_start=week_start_for(timezone.now(), client.tz))
    weeks = weeks_page(client, request.GET.get("page"), left_out=excluded_keys(reading))
    return render(
        request,
        "checkins/history.html",
        {
            "checkins": checkins[::-1],
            "weeks": weeks,
            "charts": client_charts(checkins),
            "scores": [
                (
                    summary,
                    in_plain_words(summary, latest_answers=latest.get(summary.instrument.key, ())),
                )
                for summary in summaries
            ],
            "measure_charts": measure_charts(responses, firsts=summaries),
        },
    )


@client_required
def checkin_week(request, week_start):
    checkin = CheckIn.objects.for_week(request.user, week_start)
    if checkin is None:
        raise Http404
    if checkin.is_editable():
        return redirect("checkin")
    client = request.user
    reading = client_reading(client, week_start=week_start_for(timezone.now(), client.tz))
    advice = client_advice(checkin, left_out=excluded_keys(reading))
    return render(request, "checkins/checkin_detail.html", {"checkin": checkin, "advice": advice})


def _preference_page(request, form_class, template, **form_kwargs):
    """Show and save the signed-in person's notification preferences."""
    instance = NotificationPreference.objects.for_user(request.user)
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your settings are saved."))
        return redirect(request.path)
    return render(request, template, {"form": form})


@client_required
def reminders(request):
    return _preference_page(request, ReminderForm, "checkins/reminders.html", user=request.user)


@therapist_required
def digest_settings(request):
    return _preference_page(request, DigestForm, "checkins/digest_settings.html")


@therapist_required
@require_POST
def digest_now(request):
    today = timezone.localdate(timezone=request.user.tz)
    transaction.on_commit(
        lambda: send_notification.enqueue(
            user_id=request.user.pk, kind="digest", period=today.isoformat(), on_demand=True
        )
    )
    messages.success(request, gettext("The digest is on its way to your inbox."))
    return redirect("caseload")


@login_not_required
@csrf_exempt  # mail clients post the RFC 8058 one-click request without a form
def unsubscribe_view(request, token):
    """Confirm, then turn off one kind of email. No sign-in needed; the signed
    token names the person and cannot be altered to name anyone else."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "checkins/unsubscribe.html", {"invalid": True}, status=400)
    user, what = found
    if request.method == "POST":
        unsubscribe(user, what)
        return render(request, "checkins/unsubscribe.html", {"done": True, "what": what})
    return render(request, "checkins/unsubscribe.html", {"what": what})


def advice_library(request):
    """The advice library. A client's leaves out what their reading rules out (no
    waiting while they are falling, no waiting or stopping while a safety flag is
    open), as every page they read does."""
    left_out = frozenset()
    if request.user.is_client:
        week_start = week_start_for(timezone.now(), request.user.tz)
        left_out = excluded_keys(client_reading(request.user, week_start=week_start))
    return library(request, left_out=left_out)
