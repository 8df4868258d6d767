from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand
from mandature.ops.backup import BackupError, backup


class Command(MandatureCommand):
    help = (
        "Sauvegarde la base (pg_dump pour PostgreSQL, sauvegarde en ligne pour SQLite) et les "
        "fichiers déposés dans une archive .tar, avec un manifeste (nombre de lignes de chaque "
        "table, empreintes des élus, fiches de contact et échanges). Le site peut rester ouvert."
    )
    example = "mandature backup --out /var/backups/mandature/mandature-$(date +%F).tar"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="fichier à écrire (défaut : var/backups/…)")

    def handle(self, *args, **options):
        out = options["out"] or str(
            Path(settings.VAR_DIR) / "backups" / f"mandature-{datetime.now():%Y%m%d-%H%M%S}.tar"
        )
        try:
            manifest = backup(Path(out))
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        rows = sum(manifest["counts"].values())
        self.summary(
            f"Sauvegarde écrite : {out} ({manifest['engine']}, {len(manifest['counts'])} "
            f"tables, {rows} lignes)"
        )
