from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "mandature.movement"
    verbose_name = "Mouvement Hlm et comptes"
