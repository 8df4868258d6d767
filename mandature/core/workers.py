"""Task workers: who they are, their heartbeat, and the tasks a dead one left behind.

A worker started by `mandature worker` is named « machine:pid »; it claims tasks under that name
(django-tasks-db's `worker_ids`) and beats under it (WorkerBeat, read by /healthz). A worker
killed with SIGKILL, or whose machine stopped, leaves its task RUNNING for ever: the next worker
marks such a task FAILED, with a French reason shown on /journal/taches/, at start-up and then
every 30 seconds (its supervisor). A task counts as abandoned when its worker
- is this very worker starting (the same pid on the same machine: a previous life), or
- was on this machine and its process no longer exists (a worker process that still exists on
  this machine is alive, however late its heartbeat), or
- was on another machine and has not beaten for TASK_WORKER_LOST_SECONDS, or
- never beat at all (not a `mandature worker`: a task of a version before this one) and the task
  started more than TASK_WORKER_LOST_SECONDS ago.

Abandoned tasks are marked failed, never run again by this module: a task that killed its worker
(memory exhausted by a file) would kill the next one in turn. What can resume does so by its own
means: a campaign's sending is taken over through its lease (campaigns.sending.wake_due), a
batch of briefs keeps the briefs already built; an import is to be run again (it wrote nothing:
it runs in one transaction). The `task_finished` signal is sent for each, as for any failure, so
that the app that owns the task can say so on its own page.
"""

import logging
import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from .models import WorkerBeat

log = logging.getLogger("mandature.worker")

WORKER_LOST = "mandature.core.workers.WorkerLost"
LOST_REASON = (
    "Le travailleur qui exécutait cette tâche s'est arrêté sans la finir (processus tué, "
    "mémoire épuisée ou machine redémarrée) : la tâche a été marquée en échec par le "
    "travailleur suivant. Un envoi de campagne reprend de lui-même ; un import ou un lot de "
    "fiches est à relancer."
)


class WorkerLost(Exception):
    """The worker running a task died before finishing it."""


def worker_name() -> str:
    """« machine:pid », at most 64 characters (django-tasks-db's limit for a worker id)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def beat(name: str | None = None) -> None:
    """This worker is alive (seen by /healthz and by the other workers)."""
    WorkerBeat.objects.update_or_create(
        name=name or worker_name(), defaults={"seen_at": timezone.now()}
    )


def lost_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "TASK_WORKER_LOST_SECONDS", 300))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _worker_process_alive(pid: int) -> bool:
    """The process exists and is a worker (not another program that got the pid after a
    restart of the machine)."""
    if not _process_exists(pid):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc: the pid is all we know
        return True
    return b"worker" in command


def _is_dead(
    worker: str, started_at: datetime | None, beats: dict, me: str, starting: bool, now: datetime
) -> bool:
    if worker == me:
        return starting  # once started, this worker's tasks are its own, running
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname()[:50] and pid.isdigit():
        return not _worker_process_alive(int(pid))
    seen = beats.get(worker)
    if seen is not None:
        return seen < now - lost_after()
    return started_at is None or started_at < now - lost_after()


def recover_abandoned(me: str | None = None, starting: bool = False) -> list[str]:
    """Marks FAILED the tasks left RUNNING by a dead worker (see the module's docstring);
    `starting`: this worker has claimed nothing yet. Returns the ids of the tasks marked."""
    me = me or worker_name()
    now = timezone.now()
    running = list(DBTaskResult.objects.running().values_list("pk", "worker_ids", "started_at"))
    if not running:
        return []
    beats = dict(WorkerBeat.objects.values_list("name", "seen_at"))
    marked = []
    for pk, worker_ids, started_at in running:
        worker = worker_ids[-1] if worker_ids else ""
        if not _is_dead(worker, started_at, beats, me, starting, now):
            continue
        # the same claim only (a task taken again meanwhile by a live worker is left alone)
        if not DBTaskResult.objects.filter(pk=pk, status="RUNNING", started_at=started_at).update(
            status="FAILED",
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=LOST_REASON,
            return_value=None,
        ):
            continue
        marked.append(str(pk))
        result = DBTaskResult.objects.get(pk=pk)
        log.error("tâche %s abandonnée par le travailleur %s : marquée en échec", pk, worker)
        try:
            task_result = result.task_result
        except Exception:  # the task's code is gone: nothing to tell its app
            continue
        task_finished.send_robust(sender=type(result.task.get_backend()), task_result=task_result)
    return marked


def failed_run_of(task_result, task) -> int | None:
    """The first argument of `task` (the id of the run its app shows) when this finished task
    result is `task` failed, else None: what an app's `task_finished` handler checks first."""
    if task_result.task.module_path != task.module_path:
        return None
    if task_result.status != TaskResultStatus.FAILED:
        return None
    return task_result.args[0]


def failure_reason(exception_class_path: str) -> str:
    """What /journal/taches/ shows in its « Erreur » column."""
    if exception_class_path == WORKER_LOST:
        return "Travailleur arrêté en cours de tâche"
    return exception_class_path.rsplit(".", 1)[-1]
