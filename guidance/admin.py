from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Advice


@admin.register(Advice)
class AdviceAdmin(TranslationAdmin):
    """Each text field in English and in Spanish, one above the other."""

    list_display = ["title", "key", "audience", "source", "is_active", "updated_at"]
    list_filter = ["audience", "source", "is_active"]
    search_fields = ["title", "body", "key"]
    readonly_fields = ["key"]

    def get_readonly_fields(self, request, obj=None):
        # The key ties a piece to the rules in code; it is set once.
        return ["key"] if obj else []
