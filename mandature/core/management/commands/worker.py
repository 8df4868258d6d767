from django.core.management import call_command

from mandature.core.commands import MandatureCommand


class Command(MandatureCommand):
    help = (
        "Lance un travailleur de la file de tâches (imports, lots de PDF, envois). "
        "La file est en base de données : lancer plusieurs travailleurs en parallèle est sûr."
    )
    example = "mandature worker"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="traiter les tâches en attente puis s'arrêter")  # fmt: skip

    def handle(self, *args, batch, **options):
        call_command("db_worker", batch=batch, verbosity=options.get("verbosity", 1))
        self.summary("Travailleur arrêté")
