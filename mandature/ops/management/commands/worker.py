import contextlib
import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mandature.campaigns.sending import wake_due
from mandature.core.commands import MandatureCommand
from mandature.core.workers import beat, recover_abandoned, worker_name
from mandature.events.mail import due_reminders
from mandature.relations.tasks import enqueue_scheduled

log = logging.getLogger("mandature.worker")
RECOVERY_SECONDS = 30  # how often a worker looks for tasks abandoned by a dead one


def supervise_loop(stop: threading.Event, interval: float) -> None:
    """Tasks left running by a dead worker are marked failed
    (mandature.core.workers); campaigns paused after an SMTP outage or waiting for retries, and
    those a killed worker left behind, are put back in the queue when their time comes; the
    reminders of events are sent when due (every EVENT_REMINDER_SECONDS); the synchronisation
    of the officials is enqueued when the clock passes OFFICIALS_SYNC_AT (never at start-up;
    once a day whatever the number of workers: relations.watch)."""
    reminders_every = getattr(settings, "EVENT_REMINDER_SECONDS", 300)
    next_reminders = next_recovery = 0.0
    last_turn = timezone.now()
    while not stop.is_set():
        try:
            now = timezone.now()
            run = enqueue_scheduled(last_turn, now)
            last_turn = now
            if run is not None:
                log.info("synchronisation des élus programmée : %s", run.pk)
            if time.monotonic() >= next_recovery:  # a scan of the running tasks: not too often
                next_recovery = time.monotonic() + RECOVERY_SECONDS
                abandoned = recover_abandoned()
                if abandoned:
                    log.warning("tâches d'un travailleur disparu marquées en échec : %s", abandoned)
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


def beat_loop(stop, interval: float) -> None:
    """The heartbeat, in a thread of its own: however long the supervisor's turn (reminders of a
    large event sent one by one), this worker keeps beating, so that no other worker takes its
    running tasks for abandoned."""
    while True:
        try:
            beat()
        except Exception:
            log.exception("battement du travailleur")
        finally:
            connection.close()
        if stop.wait(interval):
            return


class Command(MandatureCommand):
    help = (
        "Lance un travailleur de la file de tâches (imports, lots de PDF, envois de campagnes). "
        "La file est en base de données : lancer plusieurs travailleurs en parallèle est sûr."
    )
    example = "mandature worker"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="traiter les tâches en attente puis s'arrêter"
        )
        parser.add_argument(
            "--supervise",
            action="store_true",
            help="seulement reprendre les campagnes en pause (file sur Redis : les tâches sont "
            "traitées par `mandature rqworker`)",
        )

    def handle(self, *args, batch, supervise, **options):
        stop = threading.Event()
        # before claiming anything: this worker's name is known, and what a previous life of
        # it (or a dead worker elsewhere) left running is marked failed
        beat()
        recover_abandoned(starting=True)
        interval = getattr(settings, "CAMPAIGN_POLL_SECONDS", 5)
        threading.Thread(
            target=beat_loop, args=(stop, interval), name="battement", daemon=True
        ).start()
        if supervise:
            with contextlib.suppress(KeyboardInterrupt):
                supervise_loop(stop, interval)
            self.summary("Supervision arrêtée")
            return
        if batch:
            wake_due()
        else:
            threading.Thread(
                target=supervise_loop, args=(stop, interval), name="campagnes", daemon=True
            ).start()
        try:
            call_command(
                "db_worker",
                batch=batch,
                worker_id=worker_name(),
                verbosity=options.get("verbosity", 1),
            )
        finally:
            stop.set()
        self.summary("Travailleur arrêté")
