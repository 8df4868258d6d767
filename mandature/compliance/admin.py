from django.contrib import admin

from .models import Election


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ("label", "kind", "first_round", "second_round", "provisional", "national")
    list_filter = ("kind", "provisional")
    filter_horizontal = ("regions", "departements")
    raw_id_fields = ("communes",)
