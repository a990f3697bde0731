from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from portal.admin import SuperuserOnlyAdminMixin

from .models import Advice


@admin.register(Advice)
class AdviceAdmin(SuperuserOnlyAdminMixin, TranslationAdmin):
    """Each text field in English and in Spanish, one above the other. The library
    is every practice's: the operator edits it, not one practice's staff."""

    list_display = ["title", "key", "audience", "source", "is_active", "updated_at"]
    list_filter = ["audience", "source", "is_active"]
    search_fields = ["title", "body", "key"]
    readonly_fields = ["key"]

    def has_delete_permission(self, request, obj=None):
        # A client's week records the advice it showed them: a piece is retired
        # (unticked "is active"), never deleted from under it.
        return False

    def get_readonly_fields(self, request, obj=None):
        # The key ties a piece to the rules in code; it is set once.
        return ["key"] if obj else []
