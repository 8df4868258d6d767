from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand, refused
from mandature.core.ingest import FileProblems
from mandature.movement.importer import import_organisms
from mandature.movement.seed import seed_organisations


class Command(MandatureCommand):
    help = (
        "Importe les organismes Hlm d'un fichier CSV (modèle : docs/movement.md). Tout ou rien : "
        "une ligne en erreur et rien n'est importé. Une cellule vide garde la valeur connue."
    )
    example = "mandature import-organisms organismes.csv"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args, files, **options):
        seed_organisations()
        for path in files:
            try:
                result = import_organisms(path)
            except FileProblems as error:
                raise refused(path, error) from None
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}", returncode=2) from None
            self.stdout.write(result.summary())
        self.summary(f"Organismes : {len(files)} fichier(s) traité(s)")
