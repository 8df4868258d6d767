import sys
from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand
from mandature.housing.importer import import_dgcl
from mandature.housing.sources.dgcl import HousingFileError


class Command(MandatureCommand):
    help = (
        "Importe les données logement par commune d'un fichier de critères de répartition des "
        "dotations de la DGCL (logements sociaux, logements TH, bénéficiaires des aides au "
        "logement, population en QPV). L'année est lue dans le nom du fichier ou donnée par "
        "--year ; les communes fusionnées depuis sont additionnées à leur commune actuelle."
    )
    example = "mandature import-housing criteres_repartition_2023.csv --year 2023"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--year", type=int, help="année (exercice DGF) des données")

    def handle(self, *args, files, year, **options):
        for path in files:
            try:
                result = import_dgcl(path, year)
            except HousingFileError as error:
                for line in str(error).splitlines():
                    sys.stderr.write(line + "\n")
                raise CommandError(
                    f"{path} : import refusé, la base n'a pas changé", returncode=2
                ) from None
            self.stdout.write(result.summary())
        self.summary(f"Données logement : {len(files)} fichier(s) traité(s)")
