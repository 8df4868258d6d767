"""Briefs in bulk: one commune or thirty-five thousand, as PDFs in a folder and a zip.

Work is spread over worker processes (one per core: Typst and the queries use a core each).
A manifest (`manifest.json`) keeps the fingerprint of each brief written: a brief whose data,
content version and layout did not change is not rebuilt, and an interrupted run resumes
where it stopped.
"""

import json
import multiprocessing
import os
import signal
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from mandature.core.text import fold
from mandature.territories.models import Commune, Departement, Epci, Region

from .pdf import render_pdf
from .services import Shared, build_brief

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


# -- worker side ----------------------------------------------------------------------------------

_state: dict = {}


def _start_worker(out: str, known: dict[str, str], forked: bool = False) -> None:
    if forked:
        # A fork keeps the parent's signal handlers: the task worker's would ignore the
        # SIGTERM by which the pool stops its processes, and the pool would wait for ever.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _state["out"] = Path(out)
    _state["known"] = known
    _state["shared"] = Shared.load(batch=True)


def _build_chunk(codes: list[str]) -> list[tuple[str, str, str, bool]]:
    """(code, fingerprint, relative path, rebuilt?) of each commune of the chunk."""
    out, known, shared = _state["out"], _state["known"], _state["shared"]
    communes = Commune.objects.select_related("departement", "region", "epci").filter(
        code__in=codes
    )
    done = []
    for commune in communes:
        brief = build_brief(commune, shared)
        relative = f"{commune.departement_id}/{file_name(commune.code, commune.name)}"
        target = out / relative
        digest = brief.digest
        if known.get(commune.code) == digest and target.exists():
            done.append((commune.code, digest, relative, False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(render_pdf(brief.data))
        tmp.replace(target)
        done.append((commune.code, digest, relative, True))
    return done


# -- coordinator ----------------------------------------------------------------------------------


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), CHUNK):
        yield codes[start : start + CHUNK]


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
    known = {code: entry["digest"] for code, entry in manifest.items()}
    workers = workers or getattr(settings, "BRIEF_WORKERS", None) or os.cpu_count() or 1
    workers = max(1, min(workers, len(selection.codes) // CHUNK + 1))
    total = len(selection.codes)
    built = unchanged = 0
    last_save = time.monotonic()
    if progress:
        progress(0, total)

    def record(results) -> None:
        nonlocal built, unchanged, last_save
        for code, digest, relative, rebuilt in results:
            manifest[code] = {"digest": digest, "file": relative}
            built += rebuilt
            unchanged += not rebuilt
        if time.monotonic() - last_save > 2:  # resumable: what is done is known on disk
            _write_manifest(manifest_path, manifest)
            last_save = time.monotonic()
        if progress:
            progress(built + unchanged, total)

    if workers == 1:
        _start_worker(str(out), known)
        for chunk in _chunks(selection.codes):
            record(_build_chunk(chunk))
    else:
        connections.close_all()  # each worker opens its own connection
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, _start_worker, (str(out), known, True)) as pool:
            for results in pool.imap_unordered(_build_chunk, _chunks(selection.codes)):
                record(results)
    _write_manifest(manifest_path, manifest)
    zip_path = out / f"fiches-{selection.slug}.zip"
    tmp = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for code in selection.codes:
            relative = manifest[code]["file"]
            archive.write(out / relative, relative)
    tmp.replace(zip_path)
    return BatchResult(selection, built, unchanged, zip_path, time.monotonic() - started)
