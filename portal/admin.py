from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .audit import record_access
from .models import AccessLog, CaseloadAssignment, CrisisContact, Invitation, Practice, User
from .services import assign_therapist


class ClientDataAdminMixin:
    """For admin pages that show a client's data: log each client shown, on the
    list, the form and (with django-simple-history) the edit-history pages."""

    def client_of(self, obj):
        return obj.client

    def _log_one(self, request, object_id):
        obj = self.get_object(request, object_id)
        client = self.client_of(obj) if obj is not None else None
        if client is not None:
            record_access(request, [client])

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            shown = {self.client_of(row) for row in changelist.result_list}
            record_access(request, shown - {None})
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log_one(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log_one(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._log_one(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class CrisisContactInline(admin.TabularInline):
    model = CrisisContact
    extra = 0
    fields = ["name", "call_number", "text_number", "hours", "position"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "on_call_name", "created_at"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "time_zone"]}),
        (
            "Crisis help",
            {
                "fields": ["crisis_help"],
                "description": "The numbers below are shown to clients with tap-to-call and "
                "tap-to-text links. With none set, clients see 988 and 911.",
            },
        ),
        (
            "On call",
            {
                "fields": ["on_call_name", "on_call_email"],
                "description": "Who is emailed, without client details, when a client's crisis "
                "answer has had no action recorded in time.",
            },
        ),
    ]
    inlines = [CrisisContactInline]


class AssignmentInline(admin.TabularInline):
    model = CaseloadAssignment
    fk_name = "client"
    extra = 0
    fields = ["therapist", "started_at", "ended_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Moves go through the "Move to therapist" form so history stays whole.
        return False


class MoveToTherapistForm(admin.helpers.ActionForm):
    therapist = admin.widgets.forms.ModelChoiceField(
        queryset=User.objects.therapists(), required=False, label="Therapist"
    )


@admin.register(User)
class UserAdmin(ClientDataAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "practice", "is_active", "is_staff"]
    list_filter = ["role", "practice", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "phone", "time_zone"]}),
        ("Role", {"fields": ["role", "practice"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "practice", "password1", "password2"],
            },
        ),
    ]
    inlines = [AssignmentInline]
    action_form = MoveToTherapistForm

    def client_of(self, obj):
        return obj if obj.is_client else None

    actions = ["move_to_therapist"]

    @admin.action(description="Move selected clients to the chosen therapist")
    def move_to_therapist(self, request, queryset):
        therapist = User.objects.therapists().filter(pk=request.POST.get("therapist")).first()
        if therapist is None:
            self.message_user(request, "Choose a therapist first.", level="error")
            return
        moved = 0
        for client in queryset.clients():
            assign_therapist(client=client, therapist=therapist)
            moved += 1
        self.message_user(request, f"Moved {moved} client(s) to {therapist}.")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "therapist", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["therapist"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "accepted_by"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Staff read the access log here; nobody can add, change or delete a row."""

    list_display = ["at", "actor_email", "view", "client_ref", "outcome", "ip_address"]
    list_filter = ["outcome", "view"]
    search_fields = ["actor_email", "client_ref"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
