from django.conf import settings

from mandature.core.commands import MandatureCommand
from mandature.territories.loader import load_territories


class Command(MandatureCommand):
    help = (
        "Charge toutes les données nationales livrées dans data/ (territoires, puis les autres "
        "jeux à mesure qu'ils existent). Idempotent : ce qui est déjà chargé est sauté."
    )
    example = "mandature load-data"

    def handle(self, *args, **options):
        result = load_territories(settings.DATA_DIR / "geo")
        self.stdout.write(result.summary())
        self.summary("Données nationales à jour")
