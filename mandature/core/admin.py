from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("source", "file_name", "status", "started_at", "finished_at")
    list_filter = ("source", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
