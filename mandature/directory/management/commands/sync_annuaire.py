from django.core.management.base import CommandError

from mandature.core.commands import MandatureCommand
from mandature.core.ingest import FileProblems
from mandature.directory.loader import REPORT_SHOWN, sync_annuaire
from mandature.directory.sources.annuaire import DEFAULT_URL


class Command(MandatureCommand):
    help = (
        "Met à jour l'annuaire des mairies depuis l'API Annuaire de l'administration (DILA, "
        "service-public.fr) : adresses, courriels, téléphones, sites, horaires. Les corrections "
        "des collègues sont gardées ; les enregistrements mal formés sont écartés et listés "
        "dans le rapport. Si l'API ne répond pas ou répond une page tronquée, rien ne change "
        "(statut 2)."
    )
    example = "mandature sync-annuaire"

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default=DEFAULT_URL, help="adresse de l'export JSON (par défaut : l'API)"
        )
        parser.add_argument(
            "--timeout", type=float, default=120, help="délai d'attente en secondes (120)"
        )

    def handle(self, *args, url, timeout, **options):
        try:
            run = sync_annuaire(url, timeout=timeout)
        except FileProblems as error:
            for line in str(error).splitlines():
                self.stderr.write(line)
            raise CommandError(
                "Annuaire des mairies : mise à jour impossible, l'annuaire enregistré n'a pas "
                "changé",
                returncode=2,
            ) from None
        for line in run.report[:REPORT_SHOWN]:
            self.stdout.write(line)
        if len(run.report) > REPORT_SHOWN:
            self.stdout.write(
                f"… et {len(run.report) - REPORT_SHOWN} autre(s) remarque(s), toutes dans "
                "« Chargements de données » de l'administration"
            )
        self.summary(run.summary())
