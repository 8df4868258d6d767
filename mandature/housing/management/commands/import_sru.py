import sys
from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand
from mandature.housing.importer import import_sru
from mandature.housing.sources.dgcl import HousingFileError


class Command(MandatureCommand):
    help = (
        "Importe un inventaire SRU officiel (« transparence SRU » : une ligne par commune, "
        "code INSEE, logements sociaux, résidences principales, taux, taux légal, carence…). "
        "Ses chiffres remplacent les estimations de Mandature pour ces communes."
    )
    example = "mandature import-sru inventaire-sru-2024.csv --year 2024"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--year", type=int, help="année de l'inventaire (au 1er janvier)")

    def handle(self, *args, files, year, **options):
        for path in files:
            try:
                result = import_sru(path, year)
            except HousingFileError as error:
                for line in str(error).splitlines():
                    sys.stderr.write(line + "\n")
                raise CommandError(
                    f"{path} : import refusé, la base n'a pas changé", returncode=2
                ) from None
            if result.skipped:
                self.stdout.write(result.summary())
            else:
                c = result.counts
                self.stdout.write(
                    f"{result.name} : inventaire SRU, {c['communes']} communes "
                    f"({c['created']} ajoutées, {c['updated']} mises à jour)"
                )
        self.summary(f"Inventaire SRU : {len(files)} fichier(s) traité(s)")
