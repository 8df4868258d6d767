from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mandature.api"
    verbose_name = "API"
