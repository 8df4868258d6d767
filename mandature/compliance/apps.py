from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "mandature.compliance"
    verbose_name = "Règles de communication en période électorale"
