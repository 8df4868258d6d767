from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "mandature.relations"
    verbose_name = "Relations avec les élus"
