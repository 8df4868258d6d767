from django.contrib import admin

from .models import HousingYear, KeyFigure, SruInventory


@admin.register(KeyFigure)
class KeyFigureAdmin(admin.ModelAdmin):
    list_display = ("label", "value", "unit", "as_of", "source", "on_brief", "order")
    list_editable = ("on_brief", "order")
    list_filter = ("year", "on_brief")


@admin.register(HousingYear)
class HousingYearAdmin(admin.ModelAdmin):
    list_display = ("commune", "year", "housing_units", "social_units", "qpv_population")
    list_filter = ("year",)
    search_fields = ("commune__code", "commune__name")
    raw_id_fields = ("commune",)


@admin.register(SruInventory)
class SruInventoryAdmin(admin.ModelAdmin):
    list_display = ("commune", "year", "rate", "target_rate", "deficit", "carence")
    list_filter = ("year", "carence", "exempt")
    search_fields = ("commune__code", "commune__name")
    raw_id_fields = ("commune",)
