from django.contrib import admin
from django.db import models

from .models import Coalition, Invitation, JoinRequest, Membership, Profile


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined"]


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "region", "time_zone", "member_count", "created"]
    list_filter = ["region", "time_zone"]
    search_fields = ["name", "short_name", "region", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created"
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_counts()

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj):
        return obj.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "coalition", "role", "joined"]
    list_filter = ["role", "coalition"]
    search_fields = ["user__email", "user__profile__full_name", "coalition__name", "coalition__short_name"]
    autocomplete_fields = ["user", "coalition"]
    list_select_related = ["user", "coalition"]
    date_hierarchy = "joined"


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "coalition", "status", "created", "decided_at", "decided_by"]
    list_filter = ["status", "coalition"]
    search_fields = ["user__email", "user__profile__full_name", "coalition__name", "message"]
    autocomplete_fields = ["user", "coalition", "decided_by"]
    list_select_related = ["user", "coalition", "decided_by"]
    date_hierarchy = "created"


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "coalition", "role", "state", "invited_by", "created", "expires_at"]
    list_filter = [
        "role",
        "coalition",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "coalition__name", "invited_by__email"]
    autocomplete_fields = ["coalition", "invited_by", "accepted_by"]
    list_select_related = ["coalition", "invited_by"]
    date_hierarchy = "created"

    @admin.display(description="state")
    def state(self, obj):
        return obj.state


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "job_title", "time_zone"]
    list_filter = ["time_zone"]
    search_fields = ["user__email", "full_name", "job_title"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
