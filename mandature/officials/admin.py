"""Administration of the officials: birth dates and matching keys are never shown."""

from django.contrib import admin

from .models import IdentityDoubt, Mandate, Person, RneUpload, Snapshot


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "sex")
    search_fields = ("last_name", "first_name")
    exclude = ("birth_date", "match_key")
    readonly_fields = ("last_name", "first_name", "sex")


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "territory_key", "start_date", "end_date")
    list_filter = ("kind",)
    search_fields = ("person__last_name", "territory_key")
    raw_id_fields = ("person",)
    readonly_fields = (
        "person",
        "kind",
        "territory_key",
        "commune",
        "epci",
        "departement",
        "region",
        "territory_code",
        "territory_label",
        "start_date",
        "end_date",
        "end_reason",
    )


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("kind", "data_date", "file_name", "row_count", "entry_count", "imported_at")
    list_filter = ("kind",)
    exclude = ("report",)
    readonly_fields = [f.name for f in Snapshot._meta.fields if f.name != "report"]


@admin.register(IdentityDoubt)
class IdentityDoubtAdmin(admin.ModelAdmin):
    list_display = ("file_first_name", "file_last_name", "person", "merged", "rule")
    list_filter = ("merged",)
    raw_id_fields = ("person", "other", "snapshot")


@admin.register(RneUpload)
class RneUploadAdmin(admin.ModelAdmin):
    list_display = ("original_name", "status", "uploaded_by", "created_at")
