from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "mandature.campaigns"
    verbose_name = "Campagnes"
