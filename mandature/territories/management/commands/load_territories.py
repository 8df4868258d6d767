from pathlib import Path

from django.conf import settings

from mandature.core.commands import DataError, MandatureCommand
from mandature.core.ingest import FileProblems
from mandature.territories.loader import load_territories


class Command(MandatureCommand):
    help = (
        "Charge les régions, départements, communes et EPCI (Code officiel géographique) "
        "depuis les fichiers de data/geo. Sans effet si les mêmes fichiers sont déjà chargés."
    )
    example = "mandature load-territories --data-dir data/geo"

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.DATA_DIR / "geo",
            help="dossier des fichiers regions, departements, communes, epci (défaut : data/geo)",
        )
        parser.add_argument(
            "--force", action="store_true", help="recharger même si les fichiers sont inchangés"
        )

    def handle(self, *args, data_dir: Path, force: bool, **options):
        try:
            result = load_territories(data_dir, force=force)
        except FileProblems as error:
            raise DataError(str(error)) from None
        self.summary(result.summary())
