from mandature.core.commands import MandatureCommand
from mandature.officials.sync import DATASET_API, sync_rne


class Command(MandatureCommand):
    help = (
        "Demande à l'API de data.gouv.fr les dernières ressources du jeu « Répertoire national "
        "des élus », télécharge celles qui ne sont pas encore importées et les importe."
    )
    example = "mandature sync-rne"

    def add_arguments(self, parser):
        parser.add_argument(
            "--api-url",
            default=DATASET_API,
            help="adresse du jeu de données dans l'API de data.gouv.fr (défaut : la vraie)",
        )
        parser.add_argument(
            "--skip-unplaced",
            action="store_true",
            help="écarter les lignes non placées au lieu de refuser le fichier",
        )

    def handle(self, *args, api_url, skip_unplaced, **options):
        outcomes = sync_rne(api_url, skip_unplaced=skip_unplaced)
        for outcome in outcomes:
            self.stdout.write(f"{outcome.status} : {outcome.title} — {outcome.detail}")
        imported = sum(1 for o in outcomes if o.status == "importé")
        refused = sum(1 for o in outcomes if o.status == "refusé")
        self.summary(
            f"RNE data.gouv.fr : {imported} fichier(s) importé(s), {refused} refusé(s), "
            f"{len(outcomes)} ressource(s) examinée(s)"
        )
