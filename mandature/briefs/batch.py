"""Briefs in bulk: one commune or thirty-five thousand, as PDFs in a folder and a zip.

Work is spread over worker processes (one per core) that turn the briefs' data into PDFs.
A manifest (`manifest.json`) keeps the fingerprint of each brief written: a brief whose data,
content version and layout did not change is not rebuilt, and an interrupted run resumes
where it stopped.
"""

import json
import multiprocessing
import os
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from mandature.core.text import fold
from mandature.territories.models import Commune, Departement, Epci, Region

from .pdf import start_worker, write_pdf, write_pdfs
from .services import Prefetched, Shared, build_brief

CHUNK = 40  # communes per task given to a worker
Progress = Callable[[int, int], None]


class SelectionError(ValueError):
    """An unknown commune, EPCI, département or région."""


@dataclass
class Selection:
    kind: str  # commune, epci, departement, region, france
    code: str
    label: str
    codes: list[str]

    @property
    def slug(self) -> str:
        return "france" if self.kind == "france" else f"{self.kind}-{self.code}"


def select(kind: str, code: str = "") -> Selection:
    communes = Commune.objects.current().order_by("code")
    if kind == "commune":
        commune = communes.filter(code=code.upper()).first()
        if commune is None:
            raise SelectionError(f"commune « {code} » inconnue")
        return Selection(kind, commune.code, commune.name, [commune.code])
    lookups = {
        "epci": (Epci, "epci_id", "EPCI de SIREN"),
        "departement": (Departement, "departement_id", "département"),
        "region": (Region, "region_id", "région"),
    }
    if kind in lookups:
        model, field, what = lookups[kind]
        territory = model.objects.filter(pk=code.upper()).first()
        if territory is None:
            raise SelectionError(f"{what} « {code} » inconnu(e)")
        codes = list(communes.filter(**{field: territory.pk}).values_list("code", flat=True))
        return Selection(kind, territory.pk, territory.name, codes)
    if kind == "france":
        return Selection(kind, "", "France entière", list(communes.values_list("code", flat=True)))
    raise SelectionError(f"sélection « {kind} » inconnue")


@dataclass
class BatchResult:
    selection: Selection
    built: int
    unchanged: int
    zip_path: Path
    seconds: float

    def summary(self) -> str:
        total = self.built + self.unchanged
        rate = self.built / self.seconds if self.seconds and self.built else 0
        return (
            f"{total} fiche(s) pour {self.selection.label} : {self.built} produite(s), "
            f"{self.unchanged} inchangée(s) ; {rate:.0f} PDF/s ; archive {self.zip_path}"
        )


def file_name(code: str, name: str) -> str:
    return f"{code}-{fold(name).replace(' ', '-')[:60]}.pdf"


# -- the coordinator ------------------------------------------------------------------------------
#
# The coordinating process reads the database and builds each brief's data (the quick part);
# worker processes only turn that data into PDFs with Typst (the slow part). The workers are
# started fresh ("spawn"), not forked: a fork would copy the database connections and Typst's
# thread pool, which the copies cannot use; and they never touch the database.

GROUP = 10  # briefs in one message to a worker
IN_FLIGHT = 8  # messages sent to the workers and not yet done, at most
WAIT = 120  # seconds for one PDF, at most: a worker that cannot start fails the batch


def _briefs(selection: Selection, shared: Shared) -> Iterator:
    for start in range(0, len(selection.codes), CHUNK):
        codes = selection.codes[start : start + CHUNK]
        communes = Commune.objects.select_related("departement", "region", "epci").filter(
            code__in=codes
        )
        prefetched = Prefetched.read(codes)
        yield from (build_brief(commune, shared, prefetched) for commune in communes)


def _write_manifest(path: Path, manifest: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True))
    tmp.replace(path)


def run_batch(
    selection: Selection, out: Path, progress: Progress | None = None, workers: int | None = None
) -> BatchResult:
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        manifest = {}
    # Typst waits for its own threads part of the time: two workers a core keep them busy
    # (bench/briefs.py, docs/benchmarks.md).
    workers = workers or getattr(settings, "BRIEF_WORKERS", None) or 2 * (os.cpu_count() or 1)
    workers = max(1, min(workers, len(selection.codes) // CHUNK + 1))
    total = len(selection.codes)
    built = unchanged = 0
    last_save = time.monotonic()
    if progress:
        progress(0, total)

    def done(code: str, digest: str, relative: str, rebuilt: bool) -> None:
        nonlocal built, unchanged, last_save
        manifest[code] = {"digest": digest, "file": relative}
        built += rebuilt
        unchanged += not rebuilt
        if time.monotonic() - last_save > 2:  # resumable: what is done is known on disk
            _write_manifest(manifest_path, manifest)
            last_save = time.monotonic()
        if progress:
            progress(built + unchanged, total)

    pool = None
    if workers > 1:
        pool = multiprocessing.get_context("spawn").Pool(workers, start_worker)
    pending: deque = deque()  # (result, [(code, digest, relative), …]) sent to the workers
    group: list = []  # briefs for the next message to a worker

    def send() -> None:
        jobs = [job for job, _ in group]
        pending.append((pool.apply_async(write_pdfs, (jobs,)), [meta for _, meta in group]))
        group.clear()

    def collect(wait: bool) -> None:
        while pending and (wait or len(pending) > IN_FLIGHT or pending[0][0].ready()):
            result, metas = pending.popleft()
            result.get(WAIT)  # raises here what failed in the worker
            for meta in metas:
                done(*meta, True)

    try:
        for brief in _briefs(selection, Shared.load(batch=True)):
            commune = brief.commune
            relative = f"{commune.departement_id}/{file_name(commune.code, commune.name)}"
            text, digest = brief.payload()
            previous = manifest.get(commune.code, {})
            if previous.get("digest") == digest and (out / relative).exists():
                done(commune.code, digest, relative, False)
                continue
            job = (str(out / relative), text, brief.data["generated_on"])
            if pool is None:
                write_pdf(job)
                done(commune.code, digest, relative, True)
                continue
            group.append((job, (commune.code, digest, relative)))
            if len(group) == GROUP:
                send()
                collect(wait=False)
        if group:
            send()
        collect(wait=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        _write_manifest(manifest_path, manifest)
    zip_path = out / f"fiches-{selection.slug}.zip"
    tmp = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for code in selection.codes:
            relative = manifest[code]["file"]
            archive.write(out / relative, relative)
    tmp.replace(zip_path)
    return BatchResult(selection, built, unchanged, zip_path, time.monotonic() - started)
