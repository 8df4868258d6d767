import sys
from pathlib import Path

from django.core.management.base import CommandError

from mandature.briefs.batch import SelectionError, run_batch, select
from mandature.core.commands import MandatureCommand


class Command(MandatureCommand):
    help = (
        "Produit les fiches communales en PDF (une commune, un EPCI, un département, une région "
        "ou toute la France) dans un dossier, avec une archive zip. Les fiches dont les données "
        "et le contenu n'ont pas changé ne sont pas refaites ; une production interrompue "
        "reprend où elle s'était arrêtée."
    )
    example = "mandature briefs --departement 33 --out fiches/"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--commune", metavar="CODE", help="code INSEE d'une commune")
        group.add_argument("--epci", metavar="SIREN", help="SIREN d'un EPCI")
        group.add_argument("--departement", metavar="CODE", help="code d'un département")
        group.add_argument("--region", metavar="CODE", help="code d'une région")
        group.add_argument("--all", action="store_true", help="toutes les communes de France")
        parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="dossier")
        parser.add_argument("--workers", type=int, help="processus (par défaut : un par cœur)")

    def handle(self, *args, out, workers, **options):
        if options["all"]:
            kind, code = "france", ""
        else:
            kind = next(k for k in ("commune", "epci", "departement", "region") if options[k])
            code = options[kind]
        try:
            selection = select(kind, code)
        except SelectionError as error:
            raise CommandError(f"--{kind} : {error}", returncode=2) from None
        result = run_batch(selection, out, self._progress, workers)
        self.progress("")
        self.summary(result.summary())

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.progress(f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} fiches   ")
        if not sys.stderr.isatty() and total and done == total:
            self.stderr.write(f"{done}/{total} fiches")
