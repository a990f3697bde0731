from allauth.account import admin as allauth_admin
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin as BaseDBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .audit import record_access
from .models import (
    AccessLog,
    CaseloadAssignment,
    CrisisContact,
    Invitation,
    Practice,
    Role,
    User,
)
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

    # django-simple-history's pages load their object themselves, and fall back
    # on its history when the admin's own list does not hold it: an object
    # outside that list is missing here too.
    def history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


def practice_of(request):
    """The practice whose records a staff member works on; None for the operator
    (a superuser), who works on every practice."""
    return None if request.user.is_superuser else request.user.practice_id


class PracticeScopedAdminMixin:
    """A practice's staff see and act on their own practice alone: lists, forms,
    filters, dropdowns, searches and actions all start from `get_queryset`. The
    operator (a superuser) sees every practice; staff with no practice, none.

    `practice_lookup` leads from a row to its practice."""

    practice_lookup = "practice"

    def practice_filter(self, practice_id) -> Q:
        return Q(**{self.practice_lookup: practice_id})

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if request.user.practice_id is None:
            return queryset.none()
        return queryset.filter(self.practice_filter(request.user.practice_id))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A dropdown of people is a list of people: the practice's own only.
        practice_id = practice_of(request)
        if not request.user.is_superuser:
            if db_field.related_model is Practice:
                kwargs["queryset"] = Practice.objects.filter(pk=practice_id)
            elif db_field.related_model is User:
                kwargs["queryset"] = User.objects.filter(practice_id=practice_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SuperuserOnlyAdminMixin:
    """Settings of the whole installation, not of one practice: the operator's alone."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class CountsOnDeleteMixin:
    """A delete page names what is deleted and counts what goes with it, never
    naming the related rows: behind a practice or a therapist they are clients.
    Whatever `deletion_blocked` finds is refused with `deletion_refusal`."""

    deletion_refusal = ""

    def deletion_blocked(self, objs) -> bool:
        return False

    def get_deleted_objects(self, objs, request):
        _named, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected or self.deletion_blocked(objs):
            # Refused whatever the permissions: the refusal says why.
            return [], model_count, set(), [self.deletion_refusal]
        return [str(obj) for obj in objs], model_count, perms_needed, protected


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
class PracticeAdmin(CountsOnDeleteMixin, PracticeScopedAdminMixin, TranslationAdmin):
    practice_lookup = "pk"
    deletion_refusal = _(
        "A practice with people in it cannot be deleted here. Move or remove them first."
    )

    def deletion_blocked(self, objs) -> bool:
        return User.objects.filter(practice__in=objs).exists()

    # A practice's staff run their practice; practices come and go by the operator.
    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

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
class UserAdmin(
    CountsOnDeleteMixin,
    PracticeScopedAdminMixin,
    ClientDataAdminMixin,
    PrivateTextAdminMixin,
    BaseUserAdmin,
):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "practice", "is_active", "is_staff"]
    list_filter = [
        "role",
        ("practice", admin.RelatedOnlyFieldListFilter),
        "is_clinical_lead",
        "is_active",
        "is_staff",
    ]
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

    # Deleting a client would delete their check-ins and flags: a client's records
    # go only through their own deletion request. A therapist keeps their clients.
    deletion_refusal = _(
        "A client, or a therapist who has had clients, cannot be deleted here. A client's "
        "records are erased through their deletion request; move a therapist's clients first."
    )

    def deletion_blocked(self, objs) -> bool:
        return (
            any(user.is_client for user in objs)
            or CaseloadAssignment.objects.filter(therapist__in=objs).exists()
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Staff rights and permissions are the operator's to grant: staff who could
        # set them could give themselves every practice.
        granted = {"is_staff", "is_superuser", "groups", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in granted]})
            for name, options in fieldsets
        ]

    # A client's way in is theirs: staff who could change a client's address or set
    # their password could sign in as them and read every word they wrote.
    client_sign_in_fields = ("email", "role", "practice")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_client and not request.user.is_superuser:
            fields += [f for f in self.client_sign_in_fields if f not in fields]
        return fields

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, id)
        if user is not None and user.is_client and not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        action_form = getattr(response, "context_data", {}).get("action_form")
        if action_form is not None:
            action_form.fields["therapist"].queryset = self.therapists_for(request)
        return response

    def therapists_for(self, request):
        therapists = User.objects.therapists().order_by("email")
        if request.user.is_superuser:
            return therapists
        return therapists.filter(practice_id=practice_of(request))

    actions = ["move_to_therapist", "end_therapy"]

    @admin.action(
        description=_("Move selected clients to the chosen therapist"), permissions=["change"]
    )
    def move_to_therapist(self, request, queryset):
        therapist = self.therapists_for(request).filter(pk=request.POST.get("therapist")).first()
        if therapist is None:
            self.message_user(request, gettext("Choose a therapist first."), level="error")
            return
        clients = queryset.clients()
        # A client's words stay within their practice, even for the operator.
        if clients.exclude(practice_id=therapist.practice_id).exists():
            self.message_user(
                request,
                gettext("Clients move only to a therapist of their own practice."),
                level="error",
            )
            return
        moved = 0
        for client in clients:
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
        therapists = User.objects.therapists().order_by("email")
        if not request.user.is_superuser:
            therapists = therapists.filter(practice_id=practice_of(request))
        return [(t.pk, t.display_name) for t in therapists]

    def queryset(self, request, queryset):
        return queryset.filter(therapist_id=self.value()) if self.value() else queryset


@admin.register(Invitation)
class InvitationAdmin(PracticeScopedAdminMixin, ClientDataAdminMixin, admin.ModelAdmin):
    """An invitation names a (future) client: every view of one is logged."""

    practice_lookup = "therapist__practice"

    list_display = ["email", "therapist", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [TherapistFilter]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "accepted_by"]

    def client_of(self, obj):
        return obj.accepted_by

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "therapist":
            # Invitations come from therapists: the dropdown lists no client.
            field.queryset = field.queryset.filter(role=Role.THERAPIST)
        return field


class EmailAddressAdmin(
    PracticeScopedAdminMixin, ClientDataAdminMixin, allauth_admin.EmailAddressAdmin
):
    practice_lookup = "user__practice"
    ordering = ["email"]  # a stable order across the list's pages

    def client_of(self, obj):
        return obj.user


class EmailConfirmationAdmin(
    PracticeScopedAdminMixin, ClientDataAdminMixin, allauth_admin.EmailConfirmationAdmin
):
    practice_lookup = "email_address__user__practice"

    def client_of(self, obj):
        return obj.email_address.user


class AuthenticatorAdmin(
    PracticeScopedAdminMixin, ClientDataAdminMixin, PrivateTextAdminMixin, admin.ModelAdmin
):
    """Which kinds of two-factor sign-in a person has set up, and when they were
    last used; never the secrets in `data`, not even through a lookup in the
    list's URL. Nothing can be added or changed here: a person sets up their
    own authenticator. Deleting one stays possible, so an administrator can let
    someone who lost their phone set up a new one."""

    practice_lookup = "user__practice"
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


class GroupAdmin(SuperuserOnlyAdminMixin, BaseGroupAdmin):
    """Groups of permissions span every practice."""


class DBTaskResultAdmin(SuperuserOnlyAdminMixin, BaseDBTaskResultAdmin):
    """Background tasks run for every practice."""


for _model, _admin in ((Group, GroupAdmin), (DBTaskResult, DBTaskResultAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(AccessLog)
class AccessLogAdmin(PracticeScopedAdminMixin, admin.ModelAdmin):
    """Staff read the access log of their practice here; nobody can add, change or
    delete a row. A row names its client by the pseudonymous reference alone."""

    list_display = ["at", "actor_email", "view", "client_ref", "outcome", "ip_address"]
    fields = list_display

    def practice_filter(self, practice_id) -> Q:
        return Q(actor__practice=practice_id) | Q(client__practice=practice_id)

    list_filter = ["outcome", "view"]
    search_fields = ["actor_email", "client_ref"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
