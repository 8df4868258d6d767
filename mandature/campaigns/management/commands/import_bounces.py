from mandature.campaigns.addresses import import_reports
from mandature.campaigns.bounces import NotMail
from mandature.core.commands import DataError, MandatureCommand


class Command(MandatureCommand):
    help = (
        "Importe les avis de non-remise (RFC 3464) reçus à l'adresse d'envoi des campagnes : "
        "fichiers .eml, boîtes mbox ou dossiers (Maildir ou fichiers .eml). Chaque adresse "
        "rejetée définitivement (5.1.1 boîte inconnue, 5.1.2 domaine inconnu…) est marquée "
        "invalide et les campagnes suivantes ne lui écrivent plus ; les échecs temporaires "
        "(4.x.x, boîte pleine) sont ignorés. Relancer l'import sur les mêmes fichiers ne change "
        "rien. Un fichier qui n'est pas du courrier arrête tout (statut 2), rien n'est écrit."
    )
    example = "mandature import-bounces /var/mail/rebonds.mbox"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER", help="fichier ou dossier")

    def handle(self, *args, **options):
        try:
            result = import_reports(options["files"])
        except NotMail as error:
            raise DataError(f"{error} : import refusé, rien n'a été enregistré") from None
        for line in result.lines:
            self.stdout.write(line)
        self.summary(result.summary)
