"""A task left RUNNING by a worker killed with SIGKILL (or whose machine stopped) is marked
failed by the next worker, with a French reason on /journal/taches/; the page of what it was
doing (an RNE import) stops saying « en cours »."""

import socket
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from mandature.core import workers
from mandature.core.models import WorkerBeat
from mandature.officials.models import RneUpload
from mandature.ops.management.commands import worker as worker_command
from tests.conftest import login

pytestmark = pytest.mark.django_db

HOST = socket.gethostname()[:50]


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running(task_path: str, worker: str, args: list, minutes_ago: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=task_path,
        args_kwargs={"args": args, "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status="RUNNING",
        worker_ids=[worker],
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_tasks_of_dead_workers_are_marked_failed_and_said_so(client, personas):
    upload = RneUpload.objects.create(
        file="rne-uploads/maires.csv", original_name="maires.csv", status=RneUpload.Status.RUNNING
    )
    killed = running("mandature.officials.tasks.import_upload", f"{HOST}:{dead_pid()}", [upload.pk])
    WorkerBeat.objects.create(name="autre-machine:12", seen_at=timezone.now() - timedelta(hours=1))
    WorkerBeat.objects.create(name="autre-machine:34", seen_at=timezone.now())
    silent = running("mandature.campaigns.tasks.send_campaign", "autre-machine:12", [1])
    alive = running("mandature.campaigns.tasks.send_campaign", "autre-machine:34", [2], 90)
    legacy = running("mandature.campaigns.tasks.send_campaign", "a1b2c3d4e5", [3], 60)
    just_claimed = running("mandature.campaigns.tasks.send_campaign", "f6g7h8", [4], 0)

    marked = workers.recover_abandoned()

    assert set(marked) == {str(killed.pk), str(silent.pk), str(legacy.pk)}
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[alive.pk] == statuses[just_claimed.pk] == "RUNNING"
    killed.refresh_from_db()
    assert killed.status == "FAILED" and killed.finished_at is not None
    upload.refresh_from_db()  # the upload's page says why, no more « en cours »
    assert upload.status == RneUpload.Status.FAILED and "rien n'a été importé" in upload.message

    page = login(client, personas.admin).get("/journal/taches/").content.decode()
    assert page.count("Travailleur arrêté en cours de tâche") == 3
    assert "marquée en échec par le travailleur suivant" in page
    assert workers.recover_abandoned() == []  # once only


def test_a_worker_starting_marks_what_its_previous_life_left(monkeypatch):
    """The same pid after a restart (a container): the task under this name is not running."""
    me = workers.worker_name()
    previous = running("mandature.briefs.tasks.build_briefs", me, [1])
    assert workers.recover_abandoned() == []  # a running worker's own task is its own
    started = {}
    monkeypatch.setattr(
        worker_command, "call_command", lambda name, **options: started.update(options, name=name)
    )
    call_command("worker", batch=True, verbosity=0)
    previous.refresh_from_db()
    assert previous.status == "FAILED"
    # the tasks are claimed under the name the worker beats with
    assert started["name"] == "db_worker" and started["worker_id"] == me
    assert WorkerBeat.objects.filter(name=me).exists()


def test_a_live_worker_with_a_late_heartbeat_keeps_its_task():
    """A worker of this machine whose process still runs is alive, however late its beat (its
    supervisor may be sending the reminders of a large event); a process that merely got the
    pid of a dead worker (a program that is no worker) is not."""
    import sys

    late = timezone.now() - timedelta(hours=1)
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "worker"])
    other = subprocess.Popen(["sleep", "60"])
    try:
        WorkerBeat.objects.create(name=f"{HOST}:{worker.pid}", seen_at=late)
        WorkerBeat.objects.create(name=f"{HOST}:{other.pid}", seen_at=late)
        busy = running("mandature.campaigns.tasks.send_campaign", f"{HOST}:{worker.pid}", [5], 30)
        reused = running("mandature.campaigns.tasks.send_campaign", f"{HOST}:{other.pid}", [6], 30)
        assert workers.recover_abandoned() == [str(reused.pk)]
        busy.refresh_from_db()
        assert busy.status == "RUNNING"
    finally:
        worker.kill()
        other.kill()
