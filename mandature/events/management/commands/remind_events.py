from mandature.core.commands import MandatureCommand
from mandature.events.mail import due_reminders


class Command(MandatureCommand):
    help = (
        "Envoie les rappels des événements : sept jours puis un jour avant chaque séance, aux "
        "inscrits confirmés (chaque rappel une fois). Le travailleur (`mandature worker`) le fait "
        "aussi de lui-même toutes les EVENT_REMINDER_SECONDS secondes."
    )
    example = "mandature remind-events"

    def handle(self, *args, **options):
        sent = due_reminders()
        self.summary(f"{sent} rappel(s) envoyé(s)")
