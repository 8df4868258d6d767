import contextlib
import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from mandature.core.commands import MandatureCommand

log = logging.getLogger("mandature.worker")


def beat() -> None:
    """This worker is alive (seen by /healthz)."""
    import os
    import socket

    from django.utils import timezone

    from mandature.core.models import WorkerBeat

    WorkerBeat.objects.update_or_create(
        name=f"{socket.gethostname()}:{os.getpid()}"[:200], defaults={"seen_at": timezone.now()}
    )


def supervise_loop(stop: threading.Event, interval: float) -> None:
    """Campaigns paused after an SMTP outage or waiting for retries, and those a killed worker
    left behind, are put back in the queue when their time comes; the reminders of events are
    sent when due (every EVENT_REMINDER_SECONDS)."""
    import time

    from mandature.campaigns.sending import wake_due
    from mandature.events.mail import due_reminders

    reminders_every = getattr(settings, "EVENT_REMINDER_SECONDS", 300)
    next_reminders = 0.0
    while not stop.is_set():
        try:
            beat()
            woken = wake_due()
            if woken:
                log.info("campagnes reprises : %s", woken)
            if time.monotonic() >= next_reminders:
                next_reminders = time.monotonic() + reminders_every
                sent = due_reminders()
                if sent:
                    log.info("rappels d'événements envoyés : %s", sent)
        except Exception:  # a database hiccup must not stop the worker
            log.exception("supervision des campagnes et des rappels")
        finally:
            connection.close()
        stop.wait(interval)


class Command(MandatureCommand):
    help = (
        "Lance un travailleur de la file de tâches (imports, lots de PDF, envois de campagnes). "
        "La file est en base de données : lancer plusieurs travailleurs en parallèle est sûr."
    )
    example = "mandature worker"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="traiter les tâches en attente puis s'arrêter")  # fmt: skip
        parser.add_argument(
            "--supervise", action="store_true",
            help="seulement reprendre les campagnes en pause (file sur Redis : les tâches sont "
            "traitées par `mandature rqworker`)",
        )  # fmt: skip

    def handle(self, *args, batch, supervise, **options):
        stop = threading.Event()
        if supervise:
            with contextlib.suppress(KeyboardInterrupt):
                supervise_loop(stop, getattr(settings, "CAMPAIGN_POLL_SECONDS", 5))
            self.summary("Supervision arrêtée")
            return
        if batch:
            from mandature.campaigns.sending import wake_due

            wake_due()
        else:
            interval = getattr(settings, "CAMPAIGN_POLL_SECONDS", 5)
            threading.Thread(
                target=supervise_loop, args=(stop, interval), name="campagnes", daemon=True
            ).start()
        try:
            call_command("db_worker", batch=batch, verbosity=options.get("verbosity", 1))
        finally:
            stop.set()
        self.summary("Travailleur arrêté")
