"""Reading bundled or uploaded data files, with errors that name the file and the problem.

Every compressed file (gzip, zip, or a zip inside a gzip) is inflated here and only here, in
chunks, with a cap on the inflated size and on the ratio to the size on disk: a 1 Mo file that
inflates to 1 Gio (a « zip bomb ») is refused after reading at most the cap, never held whole.
"""

import gzip
import hashlib
import io
import logging
import zipfile
import zlib
from pathlib import Path

from django.conf import settings

log = logging.getLogger("mandature.files")

MEGABYTE = 1024 * 1024
# Under this size, a file is never refused for its ratio: tiny files compress unevenly.
RATIO_FLOOR = 10 * MEGABYTE
_CHUNK = MEGABYTE
_ZIP_MAGIC = b"PK\x03\x04"


class FileError(Exception):
    """A file that cannot be read. `name` is the file (or `archive!member`), `reason` the
    problem in French, without the name: each reader writes both in its own format."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


class _Budget:
    """How many inflated bytes a compressed file of `compressed` bytes may give, in all."""

    def __init__(self, compressed: int):
        by_ratio = max(settings.INFLATED_MAX_RATIO * compressed, RATIO_FLOOR)
        self.limit = min(settings.INFLATED_MAX_BYTES, by_ratio)
        self.by_ratio = by_ratio < settings.INFLATED_MAX_BYTES
        self.left = self.limit

    def refusal(self) -> str:
        reason = f"fichier décompressé trop grand (plus de {self.limit // MEGABYTE} Mo)"
        if self.by_ratio:
            reason += f" : plus de {settings.INFLATED_MAX_RATIO} fois sa taille compressée"
        return reason

    def read(self, name: str, stream) -> bytearray:
        """All of `stream`, read in chunks; FileError as soon as the budget is spent. A
        bytearray grown in place and handed over as it is: the inflated data is held once,
        not copied into a `bytes` at the end (a copy that doubled the peak memory)."""
        out = bytearray()
        while chunk := stream.read(_CHUNK):
            self.left -= len(chunk)
            if self.left < 0:
                raise FileError(name, self.refusal())
            out += chunk
        return out


def read_members(path: Path) -> list[tuple[str, bytes | bytearray]]:
    """The data files in path: itself, gunzipped, or each member of a zip (a zip may itself be
    gzipped). Names are `path` or `path!member`. Raises FileError."""
    name = str(path)
    if not path.exists():
        raise FileError(name, "fichier introuvable")
    budget = _Budget(path.stat().st_size)
    gzipped = path.suffix.lower() == ".gz"
    raw = _gunzip(path, name, budget) if gzipped else path.read_bytes()
    if path.suffix.lower() == ".zip" or raw[:4] == _ZIP_MAGIC:
        return _unzip(io.BytesIO(raw) if gzipped else path, name, budget)
    return [(name, raw)]


def _gunzip(path: Path, name: str, budget: _Budget) -> bytes:
    if path.stat().st_size == 0:
        raise FileError(name, "fichier gzip vide (0 octet)")
    with path.open("rb") as source:
        return _inflate_gzip(source, name, budget)


def gunzip(name: str, data: bytes) -> bytes:
    """Gzipped bytes kept in memory (a bundled file served compressed), inflated within the
    same caps as a file. Raises FileError."""
    return bytes(_inflate_gzip(io.BytesIO(data), name, _Budget(len(data))))


def _inflate_gzip(source, name: str, budget: _Budget) -> bytes:
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as stream:
            return budget.read(name, stream)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        log.info("%s : gzip illisible : %s", name, exc)  # Python's words, in English: the log
        raise FileError(name, "fichier gzip tronqué ou corrompu") from exc


def _unzip(source, name: str, budget: _Budget) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(source) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if not members:
                raise FileError(name, "archive zip vide")
            found = []
            for member in members:
                with archive.open(member) as stream:
                    found.append((f"{name}!{member.filename}", budget.read(name, stream)))
            return found
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        log.info("%s : zip illisible : %s", name, exc)
        raise FileError(name, "archive zip illisible") from exc
    except NotImplementedError as exc:  # deflate64, implode…: methods Python does not read
        log.info("%s : zip illisible : %s", name, exc)
        raise FileError(name, "archive zip illisible (compression non prise en charge)") from exc
    except RuntimeError as exc:  # a member protected by a password
        raise FileError(name, "archive zip protégée par un mot de passe") from exc


def sha256_of(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


IMAGE_MAX_BYTES = 500 * 1024


def read_image(upload) -> bytes:
    """An uploaded PNG or JPEG image (a signature), checked by its content, not its name."""
    from django import forms

    if upload.size > IMAGE_MAX_BYTES:
        raise forms.ValidationError("Image trop lourde (500 Ko au plus).")
    data = upload.read()
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise forms.ValidationError(f"« {upload.name} » n'est pas une image PNG ou JPEG.")
    return data


def image_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
