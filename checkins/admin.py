from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ClientDataAdminMixin, PrivateTextAdminMixin, ReadOnlyAdminMixin

from .models import CheckIn, Flag

# What a client writes in their own words; staff see that it exists, never what it says.
PRIVATE_TEXT = ("hoped_for", "to_raise", "sessions_reason")


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


@admin.register(Flag)
class FlagAdmin(
    ClientDataAdminMixin, PrivateTextAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
):
    """Flags, read-only: a crisis flag is cleared only through the portal, with a note."""

    list_display = ["client", "kind", "severity", "status", "opened_at", "closed_at"]
    list_filter = ["kind", "status", "severity"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    private_fields = ("note", "summary", "evidence")
