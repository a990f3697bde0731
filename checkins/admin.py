from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ClientDataAdminMixin

from .models import CheckIn, Flag


@admin.register(CheckIn)
class CheckInAdmin(ClientDataAdminMixin, admin.ModelAdmin):
    """Practice staff see that check-ins exist and their scores, never what the
    client wrote, and change nothing: every change goes through the client's
    own form, which also updates flags and advice."""

    list_display = ["client", "week_start", "wellbeing", "expectations", "discomfort", "in_crisis"]
    list_filter = ["in_crisis", "week_start"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    date_hierarchy = "week_start"
    exclude = ["hoped_for", "to_raise", "sessions_reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(ClientDataAdminMixin, SimpleHistoryAdmin):
    list_display = ["client", "kind", "severity", "status", "opened_at", "closed_at"]
    list_filter = ["kind", "status", "severity"]
    list_select_related = ["client"]
    search_fields = ["client__email"]
    raw_id_fields = ["client", "handled_by"]
