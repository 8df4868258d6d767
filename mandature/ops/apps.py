from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The top floor: commands that orchestrate every app (load-data, worker, deploy-check,
    backup, restore). Nothing imports it."""

    name = "mandature.ops"
    verbose_name = "Exploitation"
