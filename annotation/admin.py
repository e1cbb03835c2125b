from django.contrib import admin

from .models import Clip, Program, Tag


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "year")
    list_filter = ("kind",)
    search_fields = ("title",)


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "error_code", "duration", "width", "height", "program", "created_at")
    list_filter = ("status", "error_code", "has_audio", "program")
    search_fields = ("title", "original_name", "checksum")
    raw_id_fields = ("program", "uploaded_by")
    readonly_fields = [f.name for f in Clip._meta.fields if f.name not in ("title", "description", "program", "source")]


admin.site.register(Tag)
