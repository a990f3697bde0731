from allauth.account import admin as allauth_admin
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .audit import record_access
from .models import AccessLog, CaseloadAssignment, CrisisContact, Invitation, Practice, User
from .services import assign_therapist, end_therapy


class ClientDataAdminMixin:
    """For every admin page that can show a client: each client shown is written
    to the access log. Object pages (change, delete, history, password) all load
    their object through `get_object`, and lists through the changelist, so
    logging there covers every view the admin has, present and future.

    A model admin that can show a client must use this mixin; the test of every
    registered admin URL fails otherwise.
    """

    def client_of(self, obj):
        return obj.client

    def _log(self, request, clients) -> None:
        logged = request.__dict__.setdefault("_clients_logged", set())
        new = {c for c in clients if c is not None and c.is_client and c.pk not in logged}
        if new:
            record_access(request, new)
            logged.update(c.pk for c in new)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self._log(request, [self.client_of(obj)])
        return obj

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self._log(request, [self.client_of(row) for row in changelist.result_list])
        return response

    # django-simple-history's pages load their object themselves.
    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class PrivateTextAdminMixin:
    """Staff never read what a client wrote, not even one character at a time
    through a lookup in the list's URL (`?to_raise__startswith=I`)."""

    private_fields: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        parts = lookup.split("__")
        if any(part in self.private_fields for part in parts):
            return False
        return super().lookup_allowed(lookup, value, request)


class ReadOnlyAdminMixin:
    """Clinical records change only through the portal's services, with their rules
    and notes; the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CrisisContactInline(TranslationTabularInline):
    model = CrisisContact
    extra = 0
    fields = ["name", "language", "call_number", "text_number", "text_message", "hours", "position"]


@admin.register(Practice)
class PracticeAdmin(TranslationAdmin):
    list_display = ["name", "time_zone", "on_call_name", "created_at"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "time_zone"]}),
        (
            _("Crisis help"),
            {
                "fields": ["crisis_help"],
                "description": _(
                    "The numbers below are shown to clients with tap-to-call and "
                    "tap-to-text links. With none set, clients see 988 and 911."
                ),
            },
        ),
        (
            _("What clients see"),
            {
                "fields": ["show_scores_to_clients", "show_trends_to_clients"],
                "description": _(
                    "Which questionnaires clients answer, and how often, is set in the list below."
                ),
            },
        ),
        (
            _("On call"),
            {
                "fields": ["on_call_name", "on_call_email"],
                "description": _(
                    "Who is emailed, without client details, when a client's crisis "
                    "answer has had no action recorded in time."
                ),
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
        queryset=User.objects.therapists(), required=False, label=_("Therapist")
    )


@admin.register(User)
class UserAdmin(ClientDataAdminMixin, PrivateTextAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "practice", "is_active", "is_staff"]
    list_filter = ["role", "practice", "is_clinical_lead", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "phone", "time_zone", "language"]}),
        (_("Role"), {"fields": ["role", "practice", "is_clinical_lead"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
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

    # No lookup may reach into what a client wrote through their check-ins.
    private_fields = ("hoped_for", "to_raise", "sessions_reason", "note", "password")

    def client_of(self, obj):
        return obj

    actions = ["move_to_therapist", "end_therapy"]

    @admin.action(
        description=_("Move selected clients to the chosen therapist"), permissions=["change"]
    )
    def move_to_therapist(self, request, queryset):
        therapist = User.objects.therapists().filter(pk=request.POST.get("therapist")).first()
        if therapist is None:
            self.message_user(request, gettext("Choose a therapist first."), level="error")
            return
        moved = 0
        for client in queryset.clients():
            assign_therapist(client=client, therapist=therapist)
            moved += 1
        self.message_user(
            request,
            ngettext(
                "Moved %(count)d client to %(therapist)s.",
                "Moved %(count)d clients to %(therapist)s.",
                moved,
            )
            % {"count": moved, "therapist": therapist},
        )

    @admin.action(description=_("End therapy for the selected clients"), permissions=["change"])
    def end_therapy(self, request, queryset):
        ended = sum(end_therapy(client=client) for client in queryset.clients())
        self.message_user(
            request,
            ngettext(
                "Ended therapy for %(count)d client; their history is kept.",
                "Ended therapy for %(count)d clients; their history is kept.",
                ended,
            )
            % {"count": ended},
        )


class TherapistFilter(admin.SimpleListFilter):
    """Filter by therapist, listing therapists only (never every user)."""

    title = _("therapist")
    parameter_name = "therapist"

    def lookups(self, request, model_admin):
        return [(t.pk, t.display_name) for t in User.objects.therapists().order_by("email")]

    def queryset(self, request, queryset):
        return queryset.filter(therapist_id=self.value()) if self.value() else queryset


@admin.register(Invitation)
class InvitationAdmin(ClientDataAdminMixin, admin.ModelAdmin):
    """An invitation names a (future) client: every view of one is logged."""

    list_display = ["email", "therapist", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [TherapistFilter]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "accepted_by"]

    def client_of(self, obj):
        return obj.accepted_by


class EmailAddressAdmin(ClientDataAdminMixin, allauth_admin.EmailAddressAdmin):
    def client_of(self, obj):
        return obj.user


class EmailConfirmationAdmin(ClientDataAdminMixin, allauth_admin.EmailConfirmationAdmin):
    def client_of(self, obj):
        return obj.email_address.user


class AuthenticatorAdmin(ClientDataAdminMixin, PrivateTextAdminMixin, admin.ModelAdmin):
    """Which kinds of two-factor sign-in a person has set up, and when they were
    last used; never the secrets in `data`, not even through a lookup in the
    list's URL. Nothing can be added or changed here: a person sets up their
    own authenticator. Deleting one stays possible, so an administrator can let
    someone who lost their phone set up a new one."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields
    private_fields = ("data",)

    def client_of(self, obj):
        return obj.user

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# allauth's own admin pages show clients too: the same logging applies to them.
for _model, _admin in (
    (EmailAddress, EmailAddressAdmin),
    (EmailConfirmation, EmailConfirmationAdmin),
    (Authenticator, AuthenticatorAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


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
