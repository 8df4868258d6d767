"""The staff page's batches run here, in the task worker (`mandature worker`)."""

import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from mandature.core.problems import unexpected
from mandature.core.workers import failed_run_of

from .batch import SelectionError, run_batch, select
from .models import BriefBatch


def batch_folder(selection_slug: str) -> Path:
    """One folder per territory, kept between batches: a new batch of the same territory only
    rebuilds the briefs that changed (and resumes one that was interrupted)."""
    return Path(settings.VAR_DIR) / "briefs" / selection_slug


@task()
def build_briefs(batch_id: int) -> str:
    batch = BriefBatch.objects.get(pk=batch_id)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        BriefBatch.objects.filter(pk=batch_id).update(done=done, total=total)

    try:
        selection = select(batch.kind, batch.code)
        batch.status, batch.total = BriefBatch.Status.RUNNING, len(selection.codes)
        batch.save(update_fields=["status", "total"])
        result = run_batch(selection, batch_folder(selection.slug), progress)
    except Exception as error:  # shown on the page in French; the worker logs the traceback
        message = str(error) if isinstance(error, SelectionError) else unexpected(error)
        BriefBatch.objects.filter(pk=batch_id).update(
            status=BriefBatch.Status.FAILED, message=message[:2000], finished_at=timezone.now()
        )
        raise
    BriefBatch.objects.filter(pk=batch_id).update(
        status=BriefBatch.Status.DONE,
        done=result.built + result.unchanged,
        built=result.built,
        zip_path=str(result.zip_path),
        message=result.summary().rsplit(" ; archive", 1)[0],
        finished_at=timezone.now(),
    )
    return result.summary()


def batch_abandoned(sender, task_result, **kwargs) -> None:
    """A batch whose worker died (mandature.core.workers) ends « échec » on its page rather
    than « en cours » for ever; the briefs already built are kept for the next batch."""
    batch_id = failed_run_of(task_result, build_briefs)
    if batch_id is None:
        return
    BriefBatch.objects.filter(pk=batch_id, status=BriefBatch.Status.RUNNING).update(
        status=BriefBatch.Status.FAILED,
        message="Le travailleur s'est arrêté en cours de lot : relancez le lot (les fiches "
        "déjà produites sont gardées).",
        finished_at=timezone.now(),
    )
