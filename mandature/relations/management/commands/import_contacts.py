from pathlib import Path

from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand, refused
from mandature.core.ingest import FileProblems
from mandature.relations.contacts_import import import_contacts


class Command(MandatureCommand):
    help = (
        "Importe des coordonnées d'un fichier CSV ou XLSX (modèle : docs/contacts.md) : par élu "
        "(code INSEE, nom, prénom, courriel, téléphone, adresse, formule d'appel) ou par commune "
        "(le contact de la mairie). Tout ou rien : une cellule en erreur et rien n'est importé. "
        "Une cellule vide garde la valeur connue ; les lignes non rapprochées sont listées."
    )
    example = "mandature import-contacts coordonnees-elus.xlsx --dry-run"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="dire ce qui changerait, sans rien écrire",
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            result = import_contacts(file, dry_run=dry_run)
        except FileProblems as error:
            raise refused(file, error) from None
        except OSError as error:
            raise CommandError(f"{file} : {error.strerror}", returncode=2) from None
        for line in result.unmatched_lines():
            self.stdout.write(line)
        if dry_run:
            for update in result.updates:
                for change in update.changes:
                    old = change.old.replace("\n", ", ") or "vide"
                    new = change.new.replace("\n", ", ")
                    self.stdout.write(
                        f"{file}:{update.line}: {update.label} : {change.label} « {old} » → "
                        f"« {new} »"
                    )
            self.summary(f"Essai à blanc, rien n'a été écrit. {result.summary()}")
            return
        self.summary(result.summary())
