from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from guidance.services import client_advice
from portal.access import client_required

from .charts import client_charts
from .forms import CheckInForm
from .models import CheckIn, week_start_for
from .services import submit_checkin


@client_required
def checkin(request):
    """This week's check-in: a new one, or the one already saved, while the week is open."""
    client = request.user
    week_start = week_start_for(timezone.now(), client.tz)
    current = CheckIn.objects.filter(client=client, week_start=week_start).first()
    previous = (
        CheckIn.objects.filter(client=client, week_start__lt=week_start)
        .order_by("-week_start")
        .first()
    )
    form = CheckInForm(request.POST or None, instance=current, previous=previous)
    if request.method == "POST" and form.is_valid():
        submit_checkin(client=client, data=form.answers())
        return redirect("checkin_saved")
    return render(
        request,
        "checkins/checkin_form.html",
        {"form": form, "week_start": week_start, "current": current},
    )


@client_required
def checkin_saved(request):
    client = request.user
    week_start = week_start_for(timezone.now(), client.tz)
    current = CheckIn.objects.filter(client=client, week_start=week_start).first()
    if current is None:
        return redirect("checkin")
    return render(
        request,
        "checkins/checkin_saved.html",
        {"checkin": current, "advice": client_advice(current)},
    )


@client_required
def history(request):
    checkins = list(CheckIn.objects.for_client(request.user).order_by("week_start"))
    return render(
        request,
        "checkins/history.html",
        {"checkins": checkins[::-1], "charts": client_charts(checkins)},
    )


@client_required
def checkin_week(request, week_start):
    checkin = CheckIn.objects.filter(client=request.user, week_start=week_start).first()
    if checkin is None:
        raise Http404
    if checkin.is_editable():
        return redirect("checkin")
    return render(
        request,
        "checkins/checkin_detail.html",
        {"checkin": checkin, "advice": client_advice(checkin)},
    )
