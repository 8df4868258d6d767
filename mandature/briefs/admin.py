from django.contrib import admin, messages

from .models import BriefBatch, BriefContent, BriefQuestion, RegionalContact


class QuestionInline(admin.StackedInline):
    model = BriefQuestion
    extra = 0
    fields = ("number", "question", "answer", "legal_basis")


@admin.register(BriefContent)
class BriefContentAdmin(admin.ModelAdmin):
    list_display = ("version", "published_at", "note")
    inlines = [QuestionInline]
    actions = ["new_version"]

    @admin.action(description="Copier en une nouvelle version (à modifier ensuite)")
    def new_version(self, request, queryset):
        for content in queryset[:1]:
            new = content.copy_as_new_version(note=f"copie de la version {content.version}")
            self.message_user(request, f"Version {new.version} créée.", messages.SUCCESS)


@admin.register(RegionalContact)
class RegionalContactAdmin(admin.ModelAdmin):
    list_display = ("region", "name", "phone", "email")


@admin.register(BriefBatch)
class BriefBatchAdmin(admin.ModelAdmin):
    list_display = ("label", "status", "done", "total", "created_by", "created_at")
    readonly_fields = [f.name for f in BriefBatch._meta.fields]
