from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand
from mandature.ops.backup import BackupError, Database, restore


class Command(MandatureCommand):
    help = (
        "Restaure une sauvegarde de `mandature backup` dans une base vide (ou, avec --yes, en "
        "remplaçant le contenu de la base), puis vérifie chaque table contre le manifeste : "
        "nombre de lignes et empreintes des élus, fiches de contact et échanges. Arrêtez le "
        "site et les workers pendant la restauration."
    )
    example = "mandature restore /var/backups/mandature/mandature-2026-11-24.tar"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="l'archive .tar écrite par `mandature backup`")
        parser.add_argument(
            "--database", help="URL de la base de destination (défaut : DATABASE_URL)"
        )
        parser.add_argument(
            "--yes", action="store_true", help="remplacer le contenu d'une base qui n'est pas vide"
        )

    def handle(self, *args, **options):
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"{path} : fichier introuvable", returncode=2)
        database = Database(options["database"]) if options["database"] else None
        try:
            differences = restore(path, database, replace=options["yes"])
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        if differences:
            for line in differences:
                self.stderr.write(line)
            raise CommandError("Restauration incomplète : voir les différences ci-dessus.")
        self.summary(f"Sauvegarde {path.name} restaurée : chaque table vérifiée")
