from django.contrib import admin

from .models import Contact, FollowUp, Interaction, Note, Tag

admin.site.register(Tag)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("person", "email", "phone", "objects_to_contact", "updated_at")
    raw_id_fields = ("person", "referent", "updated_by")
    search_fields = ("person__last_name", "email")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "organisation", "commune", "source")
    list_filter = ("kind", "source")
    raw_id_fields = ("persons", "commune", "epci", "created_by")


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("person", "author", "created_at")
    raw_id_fields = ("person", "author")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("title", "due_date", "assignee", "done_at")
    raw_id_fields = ("person", "interaction", "assignee", "created_by")
