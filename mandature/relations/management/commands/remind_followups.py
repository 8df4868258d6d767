from mandature.core.commands import MandatureCommand
from mandature.relations.reminders import send_reminders


class Command(MandatureCommand):
    help = (
        "Envoie à chacun par courriel la liste de ses suivis en retard ou dus demain (un courriel "
        "par personne et par jour au plus). À lancer chaque matin."
    )
    example = "mandature remind-followups"

    def handle(self, *args, **options):
        people, items = send_reminders()
        self.summary(f"Rappels : {people} courriel(s) pour {items} suivi(s)")
