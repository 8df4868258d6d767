from django.apps import AppConfig


class OfficialsConfig(AppConfig):
    name = "mandature.officials"
    verbose_name = "Élus (RNE)"
