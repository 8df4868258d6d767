"""Reading bundled or uploaded data files, with errors that name the file and the problem."""

import gzip
import hashlib
import io
import json
import zlib
from pathlib import Path

from .commands import DataError


def read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it ends with .gz."""
    if not path.exists():
        raise DataError(f"{path}: fichier introuvable")
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    if not raw:
        raise DataError(f"{path}: fichier gzip vide (0 octet)")
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DataError(f"{path}: fichier gzip tronqué ou corrompu ({exc})") from exc


def read_json(path: Path):
    data = read_bytes(path)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: encodage illisible, UTF-8 attendu ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{path}:{exc.lineno}: JSON invalide, colonne {exc.colno} : {exc.msg}"
        ) from exc


def read_text(path: Path, encoding: str = "utf-8") -> io.StringIO:
    data = read_bytes(path)
    try:
        return io.StringIO(data.decode(encoding))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: encodage illisible, {encoding} attendu ({exc})") from exc


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
