from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "mandature.territories"
    verbose_name = "Territoires"
