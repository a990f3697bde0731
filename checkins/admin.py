from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clinical.measures import INSTRUMENTS
from portal.admin import (
    ClientDataAdminMixin,
    PracticeAdmin,
    PrivateTextAdminMixin,
    ReadOnlyAdminMixin,
)

from .models import (
    FREE_TEXT_FIELDS,
    CheckIn,
    Flag,
    MeasureResponse,
    MeasureSchedule,
    SafetyAction,
    SafetyAlert,
)

# Staff see that the client wrote something, never what it says.
PRIVATE_TEXT = FREE_TEXT_FIELDS


class MeasureResponseInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The week's questionnaires: item answers and the total computed from them."""

    model = MeasureResponse
    fields = ["instrument", "answers", "follow_up", "total"]
    readonly_fields = fields
    extra = 0


class MeasureScheduleInline(admin.TabularInline):
    """Which questionnaires the practice's clients answer, and how often."""

    model = MeasureSchedule
    extra = 0
    max_num = len(INSTRUMENTS)
    verbose_name = _("questionnaire")
    verbose_name_plural = _(
        "Questionnaires (a questionnaire not listed is asked every two weeks; choose "
        "“Not asked” to leave it out)"
    )


# The practice's own page holds its questionnaire schedule; the practice admin
# sits in a lower layer, so the schedule is added to it from here.
PracticeAdmin.inlines = [*PracticeAdmin.inlines, MeasureScheduleInline]


@admin.register(CheckIn)
class CheckInAdmin(
    ClientDataAdminMixin, PrivateTextAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """Practice staff see that check-ins exist and their scores, never what the
    client wrote, and change nothing: every change goes through the client's
    own form, which also updates flags and advice."""

    list_display = ["client", "week_start", "wellbeing", "expectations", "discomfort", "in_crisis"]
    list_filter = ["in_crisis", "week_start"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    date_hierarchy = "week_start"
    exclude = list(PRIVATE_TEXT)
    private_fields = PRIVATE_TEXT
    inlines = [MeasureResponseInline]


class SafetyActionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """What was done about a crisis flag, for the on-call contact an escalation reaches."""

    model = SafetyAction
    fields = ["kind", "done_at", "method", "by", "note"]
    readonly_fields = fields
    extra = 0


class SafetyAlertInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SafetyAlert
    fields = ["kind", "recipients", "created_at", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    extra = 0


@admin.register(Flag)
class FlagAdmin(
    ClientDataAdminMixin, PrivateTextAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    """Flags, read-only: a crisis flag is cleared only through the portal, with a note.
    Its crisis actions and alerts show beneath it."""

    inlines = [SafetyActionInline, SafetyAlertInline]

    list_display = ["client", "kind", "severity", "status", "opened_at", "closed_at"]
    list_filter = ["kind", "status", "severity"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    private_fields = ("note", "summary", "summary_message", "evidence")
