from django.contrib import admin

from .models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["client", "week_start", "wellbeing", "expectations", "discomfort", "in_crisis"]
    list_filter = ["in_crisis", "week_start"]
    search_fields = ["client__email"]
    date_hierarchy = "week_start"
    raw_id_fields = ["client"]
