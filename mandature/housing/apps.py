from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "mandature.housing"
    verbose_name = "Logement social"
