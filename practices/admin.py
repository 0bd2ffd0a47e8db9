from django.contrib import admin

from . import services
from .models import Adoption, Attachment, Comment, FocusArea, Practice, PracticeKind, Report


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
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
    list_filter = ["status", "visibility", "is_hidden", "kind", "maturity", "coalition"]
    search_fields = ["title", "summary", "jurisdiction"]
    raw_id_fields = ["author", "contact"]
    readonly_fields = ["created", "updated"]
    inlines = [AttachmentInline]
    date_hierarchy = "published_at"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags are saved here, after the practice: only now is the search text complete.
        services.index_practices(practice_ids=[form.instance.pk])


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["practice", "coalition", "stage", "created"]
    list_filter = ["stage", "coalition"]
    raw_id_fields = ["practice", "created_by"]


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
