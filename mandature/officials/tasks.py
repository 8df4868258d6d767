"""Background work of the officials: importing an uploaded RNE file with visible progress.

Progress is written to a small JSON file under var/progress/ rather than to the database: the
import runs in one transaction, and SQLite has a single writer. Whatever stops the import, its
page ends « refusé » with the reason in French: never « en cours » forever.
"""

import json
import time
from pathlib import Path

from django.conf import settings
from django_tasks import task

from mandature.core.ingest import FileProblems
from mandature.core.problems import unexpected
from mandature.core.workers import failed_run_of

from .importer import import_rne
from .models import RneUpload


def progress_path(upload_id: int) -> Path:
    return Path(settings.VAR_DIR) / "progress" / f"rne-upload-{upload_id}.json"


def read_progress(upload_id: int) -> dict:
    try:
        return json.loads(progress_path(upload_id).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {"stage": "en attente", "done": 0, "total": 0}


def _writer(upload_id: int):
    path = progress_path(upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    last = [0.0]

    def write(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.3 and done < total:
            return
        last[0] = now
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stage": stage, "done": done, "total": total}))
        tmp.replace(path)

    return write


@task()
def import_upload(upload_id: int) -> str:
    upload = RneUpload.objects.get(pk=upload_id)
    upload.status = RneUpload.Status.RUNNING
    upload.save(update_fields=["status"])
    progress = _writer(upload_id)
    progress("lecture du fichier", 0, 1)
    try:
        results = import_rne(
            Path(upload.file.path),
            data_date=upload.data_date,
            skip_unplaced=upload.skip_unplaced,
            user=upload.uploaded_by,
            progress=progress,
        )
    except FileProblems as error:
        return _failed(upload, str(error), progress)
    except Exception as error:  # the page says why; the worker logs the traceback
        _failed(
            upload, f"{upload.original_name} : import interrompu, {unexpected(error)}", progress
        )
        raise
    upload.status = RneUpload.Status.DONE
    upload.snapshot = results[-1].snapshot
    upload.message = "\n".join(
        r.summary().replace(str(Path(upload.file.path)), upload.original_name) for r in results
    )
    upload.save(update_fields=["status", "snapshot", "message"])
    progress("terminé", 1, 1)
    return upload.message


def _failed(upload: RneUpload, message: str, progress) -> str:
    upload.status = RneUpload.Status.FAILED
    upload.message = message.replace(str(Path(upload.file.path)), upload.original_name)
    upload.save(update_fields=["status", "message"])
    progress("refusé", 1, 1)
    return upload.message


def upload_abandoned(sender, task_result, **kwargs) -> None:
    """An import whose worker died (mandature.core.workers) ends « refusé » on its page rather
    than « en cours » for ever; it wrote nothing (one transaction)."""
    upload_id = failed_run_of(task_result, import_upload)
    if upload_id is None:
        return
    RneUpload.objects.filter(pk=upload_id, status=RneUpload.Status.RUNNING).update(
        status=RneUpload.Status.FAILED,
        message="Le travailleur s'est arrêté pendant l'import (mémoire épuisée ou processus "
        "tué) : rien n'a été importé. Relancez l'import ; si l'arrêt se répète, le fichier "
        "est en cause.",
    )
