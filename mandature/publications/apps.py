from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "mandature.publications"
    verbose_name = "publications"
