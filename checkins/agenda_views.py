"""The agenda's pages: the client adds, orders and removes items from their home
page; the therapist marks an item talked about from the client page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from portal.access import client_for_therapist_or_404, client_required, therapist_required

from .agenda import (
    NOT_WORKING_KINDS,
    AgendaError,
    add_item,
    agenda_for,
    consider_stopping,
    mark_talked_about,
    move_item,
    remove_item,
    stopping_steps,
    suggestions_for,
    trends_shown,
)
from .forms import AgendaItemForm, TalkedAboutForm
from .models import AgendaItem, CheckIn, Flag, week_start_for
from .selectors import client_reading


def client_agenda_context(client, *, form=None, this_week=None) -> dict:
    """The agenda card as the client's pages show it: their items in order, the
    trends they may add in their own wording, and the form for their own words
    (offered this week's "something to raise" if it is not on the agenda yet)."""
    agenda = agenda_for(client)
    flags = Flag.objects.active().filter(client=client)
    if form is None:
        # Offered only when the client shared this week's words with their therapist.
        shared = this_week is not None and this_week.share_text_with_therapist
        raised = this_week.to_raise.strip() if shared else ""
        offered = raised if raised and raised not in {item.text for item in agenda} else ""
        form = AgendaItemForm(initial={"text": offered})
    return {
        "agenda": agenda,
        "agenda_suggestions": suggestions_for(client, flags=flags, agenda=agenda),
        "agenda_form": form,
        # The banner would tell of a trend the practice keeps from the client.
        # Not while a safety flag is open: then the next step is the therapist and
        # the crisis contacts, not a decision about stopping.
        "stopping_first": trends_shown(client)
        and any(flag.is_open and flag.kind in NOT_WORKING_KINDS for flag in flags)
        and not any(flag.is_open and flag.is_safety for flag in flags),
    }


def home_context(client, *, form=None) -> dict:
    """Everything the client's home page shows: their week, and their agenda (with
    `form` as posted, when it needs another look)."""
    week_start = week_start_for(timezone.now(), client.tz)
    this_week = CheckIn.objects.for_week(client, week_start)
    return {
        "therapist": client.current_therapist(),
        "week_start": week_start,
        "this_week": this_week,
        # This week's answer, or one given on a form still waiting for another look.
        "crisis_now": bool(this_week and this_week.needs_crisis_help)
        or client_reading(client, week_start=week_start).crisis_now,
        **client_agenda_context(client, form=form, this_week=this_week),
    }


@sensitive_post_parameters()
@client_required
@require_POST
def agenda_add(request):
    client = request.user
    flag_id = request.POST.get("flag", "")
    if flag_id:
        flag = None
        if flag_id.isascii() and flag_id.isdigit():
            flag = Flag.objects.active().filter(client=client, pk=int(flag_id)).first()
        if flag is None:
            messages.error(request, gettext("That trend has changed since the page was shown."))
            return redirect("client_home")
        try:
            add_item(client=client, flag=flag)
        except AgendaError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Added to the agenda for your next session."))
        return redirect("client_home")
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        add_item(client=client, text=form.cleaned_data["text"])
        messages.success(request, gettext("Added to the agenda for your next session."))
        return redirect("client_home")
    return render(request, "portal/client_home.html", home_context(client, form=form), status=400)


@client_required
@require_POST
def agenda_move(request, pk, up):
    try:
        move_item(client=request.user, pk=pk, up=up)
    except AgendaError as error:
        raise Http404 from error
    return redirect("client_home")


@client_required
@require_POST
def agenda_remove(request, pk):
    try:
        remove_item(client=request.user, pk=pk)
    except AgendaError as error:
        raise Http404 from error
    messages.success(request, gettext("Removed from your agenda."))
    return redirect("client_home")


@sensitive_post_parameters()
@therapist_required
@require_POST
def agenda_talked_about(request, client_id, pk):
    client = client_for_therapist_or_404(request, client_id)
    item = AgendaItem.objects.open().filter(client=client, pk=pk).first()
    if item is None:
        raise Http404
    form = TalkedAboutForm(request.POST, prefix=f"talked-{item.pk}")
    if form.is_valid():
        try:
            mark_talked_about(item=item, by=request.user, note=form.cleaned_data["note"])
        except AgendaError as error:  # marked a moment ago, or removed by the client
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Marked as talked about."))
    else:
        messages.error(request, gettext("The note is too long: 1,000 characters at most."))
    back = "session_prep" if request.POST.get("from") == "prep" else "client_detail"
    return redirect(back, client_id=client.public_id)


@client_required
def thinking_of_stopping(request):
    """Before stopping or switching: the steps worth reading first, and a way to put
    it on the agenda so that it is talked over."""
    client = request.user
    reading = client_reading(client, week_start=week_start_for(timezone.now(), client.tz))
    steps = stopping_steps(reading)
    if request.method == "POST":
        consider_stopping(client=request.user, steps_read=[step.title for step in steps])
        messages.success(
            request,
            gettext("It is on your agenda. Your therapist will see it before your next session."),
        )
        return redirect("client_home")
    # In a crisis week the crisis help comes first, on this page as on every other.
    return render(
        request,
        "checkins/thinking_of_stopping.html",
        {"steps": steps, "crisis_now": reading.crisis_now, "safety_open": reading.safety_open},
    )
