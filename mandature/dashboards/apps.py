from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "mandature.dashboards"
    verbose_name = "pilotage (carte et tableaux de bord)"
