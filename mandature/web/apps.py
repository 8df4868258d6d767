from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mandature.web"
    verbose_name = "Interface web"
