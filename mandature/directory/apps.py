from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "mandature.directory"
    verbose_name = "Annuaire des mairies"
