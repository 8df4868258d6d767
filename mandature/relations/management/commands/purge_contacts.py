from django.conf import settings

from mandature.core.commands import MandatureCommand
from mandature.core.models import audit
from mandature.relations.personal import purge


class Command(MandatureCommand):
    help = (
        "Efface les fiches de contact et les notes des élus dont tous les mandats ont pris fin "
        "depuis plus de ENRICHMENT_RETENTION_DAYS jours (365 par défaut). À lancer chaque jour."
    )
    example = "mandature purge-contacts"

    def handle(self, *args, **options):
        persons, records = purge()
        audit(
            "purge des données d'enrichissement",
            "commande",
            None,
            persons=persons,
            records=records,
            retention_days=settings.ENRICHMENT_RETENTION_DAYS,
        )
        self.summary(f"Purge : {persons} personne(s), {records} enregistrement(s) effacé(s)")
