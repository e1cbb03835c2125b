"""Admin for every taxonomy model. Edits that must be audited go through the app's pages and API; the
admin is for inspection and repairs, and shows releases and revisions read-only."""

from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from .models import (
    AuditEvent,
    Category,
    CategoryMapping,
    Release,
    ReleaseCategory,
    StandardRevision,
    Taxonomy,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("name", "max_depth", "revision", "created_at")
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(MPTTModelAdmin):
    list_display = ("name", "code", "taxonomy", "status")
    list_filter = ("taxonomy", "status")
    search_fields = ("name", "code", "path")
    readonly_fields = ("path",)
    raw_id_fields = ("parent", "replaced_by")


@admin.register(StandardRevision)
class StandardRevisionAdmin(ReadOnlyAdmin):
    list_display = ("category", "number", "author", "created_at")
    search_fields = ("category__code", "category__name")


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("taxonomy", "version", "published_by", "published_at")


@admin.register(ReleaseCategory)
class ReleaseCategoryAdmin(ReadOnlyAdmin):
    list_display = ("release", "code", "path", "status")
    list_filter = ("release",)


@admin.register(CategoryMapping)
class CategoryMappingAdmin(ReadOnlyAdmin):
    list_display = ("release", "code", "action", "target_codes")
    list_filter = ("release", "action")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "taxonomy", "actor", "action", "summary")
    list_filter = ("taxonomy", "action")
