from django.contrib import admin

from .models import AuditLog, ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("source", "file_name", "status", "started_at", "finished_at")
    list_filter = ("source", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "channel", "action")
    list_filter = ("channel", "action")
    readonly_fields = ("at", "user", "channel", "action", "detail")
