"""What import-housing and import-sru share: files in, errors on stderr, exit status 2."""

from collections.abc import Callable
from pathlib import Path

from mandature.core.commands import MandatureCommand, refused
from mandature.core.ingest import FileProblems

from .importer import HousingImport


class HousingImportCommand(MandatureCommand):
    year_help = "année des données"
    what = "Données logement"

    def importer(self) -> Callable[..., HousingImport]:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--year", type=int, help=self.year_help)

    def handle(self, *args, files, year, **options):
        for path in files:
            try:
                result = self.importer()(path, year)
            except FileProblems as error:
                raise refused(path, error) from None
            self.stdout.write(result.summary())
        self.summary(f"{self.what} : {len(files)} fichier(s) traité(s)")
