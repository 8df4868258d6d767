from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mandature.core"
    verbose_name = "Socle"
