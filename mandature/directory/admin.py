from django.contrib import admin

from .models import MairieContact, MairieCorrection


class CorrectionInline(admin.TabularInline):
    model = MairieCorrection
    extra = 0
    fields = ("field", "value", "author_name", "created_at", "withdrawn_at")
    readonly_fields = fields
    can_delete = False


@admin.register(MairieContact)
class MairieContactAdmin(admin.ModelAdmin):
    """The directory's values: read here, corrected on the commune page (kept apart)."""

    list_display = ("name", "code", "kind", "email", "phone", "source", "source_date")
    list_filter = ("kind", "source", "in_directory")
    search_fields = ("code", "name", "commune__name", "email")
    raw_id_fields = ("commune",)
    inlines = [CorrectionInline]

    def has_change_permission(self, request, obj=None):
        return False  # a sync rewrites these values: corrections go through the commune page
