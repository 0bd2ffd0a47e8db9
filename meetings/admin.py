from django.contrib import admin

from .models import RSVP, AgendaItem, CalendarToken, Meeting, MeetingFile, MeetingSeries


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["practice"]


class MeetingFileInline(admin.TabularInline):
    model = MeetingFile
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "rule_description", "host_coalition", "created_by"]
    raw_id_fields = ["created_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "start", "time_zone", "status", "host_coalition", "sequence"]
    list_filter = ["status", "host_coalition"]
    search_fields = ["title", "description", "minutes"]
    date_hierarchy = "start"
    raw_id_fields = ["series", "created_by"]
    inlines = [AgendaItemInline, MeetingFileInline]


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "answer", "updated"]
    list_filter = ["answer"]
    raw_id_fields = ["meeting", "user"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created"]
    raw_id_fields = ["user"]
    # The token is a secret; admins reset it rather than read it.
    exclude = ["token"]
