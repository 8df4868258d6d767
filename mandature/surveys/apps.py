from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "mandature.surveys"
    verbose_name = "Enquêtes"
