from mandature.core.commands import DataError, MandatureCommand
from mandature.officials.models import Snapshot
from mandature.relations.digest import send_digests, send_pending


class Command(MandatureCommand):
    help = (
        "Envoie le résumé des changements d'élus à chaque utilisateur concerné (un courriel par "
        "personne, sauf refus dans « Mon compte ») : sans option, pour les instantanés pas "
        "encore signalés (importés à la main depuis la dernière synchronisation) ; avec "
        "--snapshot, de nouveau pour ces instantanés (chacun comparé au précédent de son type)."
    )
    example = "mandature send-watch-digest --snapshot 42"

    def add_arguments(self, parser):
        parser.add_argument(
            "--snapshot",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help="numéro d'un instantané (son adresse : /elus/instantanes/ID/) ; répétable",
        )

    def handle(self, *args, snapshot, **options):
        if snapshot:
            found = list(Snapshot.objects.filter(pk__in=snapshot).defer("report"))
            missing = sorted(set(snapshot) - {s.pk for s in found})
            if missing:
                raise DataError(f"instantané(s) inconnu(s) : {', '.join(map(str, missing))}")
            report = send_digests(found)
        else:
            report = send_pending()
        if report.failed:
            self.stdout.write(f"{report.failed} courriel(s) non envoyé(s) : {report.reason}")
        self.summary(
            f"Résumés : {report.sent} courriel(s) envoyé(s) pour {report.snapshots} instantané(s)"
        )
