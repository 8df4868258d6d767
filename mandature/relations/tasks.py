"""Background work of the relations: the scheduled synchronisation of the officials' data and
its digests (relations.watch), enqueued by a worker at OFFICIALS_SYNC_AT."""

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from mandature.core.workers import failed_run_of

from .models import SyncRun
from .watch import due_between, run_sync, start_run


@task()
def sync_officials(run_id: int) -> str:
    """The run prepared by enqueue_scheduled: its outcome is recorded on the run."""
    run = run_sync(SyncRun.objects.get(pk=run_id))
    return f"{run.get_status_display()} : {run.detail}"


def enqueue_scheduled(since: datetime, now: datetime) -> SyncRun | None:
    """The day's run as a task, when its time passed between two turns of a worker's
    supervisor and no one (another worker, the systemd timer) took the day."""
    day = due_between(since, now)
    if day is None:
        return None
    run = start_run("travailleur", scheduled_for=day)
    if run is not None:
        sync_officials.enqueue(run.pk)
    return run


def sync_abandoned(sender, task_result, **kwargs) -> None:
    """A run whose worker died ends « en échec » rather than « en cours » for ever."""
    run_id = failed_run_of(task_result, sync_officials)
    if run_id is None:
        return
    SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        detail="Le travailleur s'est arrêté pendant la synchronisation (processus tué ou "
        "machine redémarrée) : elle sera relancée à l'heure prévue, ou lancez "
        "`mandature sync-officials`.",
    )
