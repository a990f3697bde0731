from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clinical.measures import INSTRUMENTS
from portal.admin import (
    ClientDataAdminMixin,
    PracticeAdmin,
    PracticeScopedAdminMixin,
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
    PracticeScopedAdminMixin,
    ClientDataAdminMixin,
    PrivateTextAdminMixin,
    ReadOnlyAdminMixin,
    admin.ModelAdmin,
):
    """Practice staff see that check-ins exist and their scores, never what the
    client wrote, and change nothing: every change goes through the client's
    own form, which also updates flags and advice."""

    list_display = ["client", "week_start", "wellbeing", "expectations", "discomfort", "in_crisis"]
    list_filter = ["in_crisis", "week_start"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    date_hierarchy = "week_start"
    practice_lookup = "client__practice"
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


# What staff need of a flag: whose, what kind, how serious, where it stands and
# who handled it when. Never its summary, evidence or notes, which quote the
# client's own words (an agenda item's text, what the client said of a session).
FLAG_FIELDS = [
    "client",
    "kind",
    "severity",
    "status",
    "opened_at",
    "closed_at",
    "handled_by",
    "handled_at",
    "raised_on",
]


@admin.register(Flag)
class FlagAdmin(
    PracticeScopedAdminMixin,
    ClientDataAdminMixin,
    PrivateTextAdminMixin,
    ReadOnlyAdminMixin,
    SimpleHistoryAdmin,
):
    """Flags, read-only: a crisis flag is cleared only through the portal, with a note.
    Its crisis actions and alerts show beneath it. Its earlier versions can be
    read, field by field as above, and never brought back: a revert would close a
    crisis without the note and stop its escalation."""

    inlines = [SafetyActionInline, SafetyAlertInline]
    fields = FLAG_FIELDS
    readonly_fields = FLAG_FIELDS
    practice_lookup = "client__practice"
    history_list_display = ["status"]

    list_display = ["client", "kind", "severity", "status", "opened_at", "closed_at"]
    list_filter = ["kind", "status", "severity"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    private_fields = ("note", "summary", "summary_message", "evidence")

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a posted version without asking for the change
        # permission: only reading an earlier version is allowed here.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, included_fields=FLAG_FIELDS, foreign_keys_are_objs=True
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
