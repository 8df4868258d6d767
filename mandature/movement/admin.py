from django.contrib import admin

from .models import Organisation, Profile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "family", "siren", "active")
    list_filter = ("kind", "family", "active")
    search_fields = ("name", "short_name", "siren")
    raw_id_fields = ("communes", "head_office")
    filter_horizontal = ("regions", "departements")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "locked_until")
    list_filter = ("role",)
    search_fields = ("user__email", "user__last_name", "organisation__name")
    raw_id_fields = ("user", "communes", "invited_by")
    filter_horizontal = ("regions", "departements")
