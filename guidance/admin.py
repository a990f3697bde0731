from django.contrib import admin

from .models import Advice


@admin.register(Advice)
class AdviceAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "audience", "source", "is_active", "updated_at"]
    list_filter = ["audience", "source", "is_active"]
    search_fields = ["title", "body", "key"]
    readonly_fields = ["key"]

    def get_readonly_fields(self, request, obj=None):
        # The key ties a piece to the rules in code; it is set once.
        return ["key"] if obj else []
