from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "mandature.events"
    verbose_name = "Événements"
