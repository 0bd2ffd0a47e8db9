from django.contrib import admin

from . import services
from .models import (
    Adoption,
    AdoptionOutcome,
    AdoptionStep,
    Attachment,
    Comment,
    Contract,
    FocusArea,
    FundingProgram,
    OutcomeMeasure,
    Practice,
    PracticeKind,
    Report,
    Standard,
)


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


@admin.register(FundingProgram)
class FundingProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


@admin.register(PracticeKind)
class PracticeKindAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "content_type", "size", "uploaded_by", "created"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False  # files go through the checked upload in the portal


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "coalition", "kind", "status", "visibility", "is_hidden", "published_at"]
    list_filter = ["status", "visibility", "is_hidden", "kind", "maturity", "government_level", "coalition"]
    search_fields = ["title", "summary", "jurisdiction"]
    raw_id_fields = ["author", "contact", "based_on"]
    filter_horizontal = ["funding_programs"]
    readonly_fields = ["created", "updated"]
    inlines = [AttachmentInline]
    date_hierarchy = "published_at"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags are saved here, after the practice: only now is the search text complete.
        services.index_practices(practice_ids=[form.instance.pk])


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(admin.ModelAdmin):
    """The curated list of outcome measures partnership admins extend. A measure's unit is fixed once
    figures use it (they would change meaning); retire a measure by unticking "is active"."""

    list_display = ["name", "unit", "summary_label", "allows_negative", "order", "is_active"]
    list_editable = ["order", "is_active"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.outcomes.exists():
            return ["unit", "slug"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.outcomes.exists()


class AdoptionStepInline(admin.TabularInline):
    model = AdoptionStep
    extra = 0
    fields = ["stage", "on", "reason", "recorded_by"]
    raw_id_fields = ["recorded_by"]


class AdoptionOutcomeInline(admin.TabularInline):
    model = AdoptionOutcome
    extra = 0


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["practice", "coalition", "stage", "confirmation", "confirmed_at", "created"]
    list_filter = ["stage", "confirmation", "government_level", "coalition"]
    raw_id_fields = ["practice", "created_by", "contact", "confirmed_by"]
    inlines = [AdoptionStepInline, AdoptionOutcomeInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["practice", "author", "created", "is_hidden"]
    list_filter = ["is_hidden"]
    raw_id_fields = ["practice", "author"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["practice", "comment", "reason", "status", "reporter", "created"]
    list_filter = ["status", "reason"]
    raw_id_fields = ["practice", "comment", "reporter", "resolved_by"]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    """The curated list of standards a practice can say it supports; partnership admins extend it here."""

    list_display = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-mostly: owners add and edit contracts (and their checked documents) in the portal."""

    list_display = ["contract_number", "supplier", "lead_agency", "vehicle", "expires_on", "practice"]
    list_filter = ["vehicle", "joining"]
    search_fields = ["contract_number", "supplier", "lead_agency", "practice__title"]
    raw_id_fields = ["practice", "created_by"]
    date_hierarchy = "expires_on"
