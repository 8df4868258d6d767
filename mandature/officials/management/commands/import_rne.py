from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand, refused
from mandature.core.ingest import FileProblems
from mandature.officials.importer import import_rne


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--date « {text} » : date AAAA-MM-JJ attendue") from exc


class Command(MandatureCommand):
    help = (
        "Importe des fichiers du Répertoire national des élus (RNE) comme instantanés datés. "
        "Le type de fichier (maires, conseillers municipaux, communautaires, départementaux, "
        "régionaux, députés, sénateurs…) et sa disposition sont reconnus à l'en-tête ; "
        ".csv, .txt, .gz et .zip sont acceptés. Un fichier déjà importé ne change rien."
    )
    example = "mandature import-rne data/rne/elus-maires-mai_2026-04.csv.gz"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="fichiers du RNE")
        parser.add_argument(
            "--date",
            type=iso_date,
            help="date des données (AAAA-MM-JJ) ; par défaut la dernière date de début de mandat "
            "ou de fonction du fichier",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="écrire chaque étape sur la sortie d'erreur, même hors terminal",
        )
        parser.add_argument(
            "--skip-unplaced",
            action="store_true",
            help="écarter les lignes dont la commune, l'EPCI ou le territoire est inconnu "
            "(gardées dans le rapport de l'instantané) au lieu d'arrêter l'import",
        )

    def handle(self, *args, files, date, skip_unplaced, progress, **options):
        self.verbose_progress = progress
        imported = already = 0
        for path in files:
            try:
                results = import_rne(
                    path, data_date=date, skip_unplaced=skip_unplaced, progress=self._progress
                )
            except FileProblems as error:
                self.progress("")
                raise refused(path, error) from None
            self.progress("")
            for result in results:
                self.stdout.write(result.summary())
                already += result.already
                imported += not result.already
        self.summary(f"RNE : {imported} fichier(s) importé(s), {already} déjà importé(s)")

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.verbose_progress:
            self.stderr.write(f"étape : {stage} {done}/{total}")
            self.stderr.flush()
            return
        width = 30
        filled = width * done // total if total else width
        self.progress(f"[{'#' * filled}{'.' * (width - filled)}] {stage} {done}/{total}   ")
