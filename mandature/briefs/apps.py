from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "mandature.briefs"
    verbose_name = "Fiches communales"
