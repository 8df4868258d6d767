"""Is Mandature healthy? The database answers, and a task worker has been seen recently."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from mandature.core.models import WorkerBeat


def worker_deadline() -> timedelta:
    """A worker beats every CAMPAIGN_POLL_SECONDS; silent for 6 beats (a minute at least)
    it is taken for dead."""
    return timedelta(seconds=max(60, 6 * getattr(settings, "CAMPAIGN_POLL_SECONDS", 5)))


def health() -> dict:
    report = {"database": {"ok": False}, "worker": {"ok": False}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = {"ok": True, "engine": connection.vendor}
    except Exception as error:  # the point is to say so, not to fail
        report["database"] = {"ok": False, "error": error.__class__.__name__}
        report["ok"] = False
        return report

    last = WorkerBeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    alive = WorkerBeat.objects.filter(seen_at__gte=timezone.now() - worker_deadline()).count()
    report["worker"] = {
        "ok": alive > 0,
        "alive": alive,
        "last_seen": last.isoformat(timespec="seconds") if last else None,
    }
    report["ok"] = report["database"]["ok"] and report["worker"]["ok"]
    return report
