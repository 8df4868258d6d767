"""Where official data comes from: a path (plain, `.gz`, `.zip`, a zip in a gzip) or an https
address, read within the caps of `core.files`, and decoded."""

import http.client
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from mandature.core import files
from mandature.core.text import strip_c1, strip_control_bytes

from .problems import FileProblems

# The five bytes Windows-1252 leaves undefined: a file that is neither UTF-8 nor Windows-1252.
_UNDEFINED_IN_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_DOWNLOAD_CHUNK = 1024 * 1024
UTF16_REFUSAL = "encodage illisible (UTF-16 ou binaire) ; UTF-8 ou Windows-1252 attendu"


@dataclass
class Member:
    """One data file: `name` as problems print it (`path`, `path!member` or the address)."""

    name: str
    raw: bytes | bytearray

    def decode(self, utf16_refusal: str = "") -> tuple[str, str]:
        """The text and its encoding: UTF-8 (with or without BOM), else Windows-1252. UTF-16
        and binary files are refused (`utf16_refusal`: a format's own wording of it); control
        characters (NUL…) are dropped; a byte neither encoding knows is a problem naming its
        line."""
        raw = self.raw
        if not raw or raw.isspace():
            raise FileProblems.one(self.name, 1, "-", "fichier vide")
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or _mostly_nul(raw[:1000]):
            raise FileProblems.one(self.name, 1, "-", utf16_refusal or UTF16_REFUSAL)
        raw = strip_control_bytes(raw)
        try:
            return strip_c1(raw.decode("utf-8-sig"), raw), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            return raw.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError:
            raise FileProblems(undecodable(self.name, raw)) from None


def _mostly_nul(start: bytes) -> bool:
    """UTF-16 without a BOM (one byte in two is NUL for Latin text) or a binary file; a stray
    NUL typed in a name is not one: it is dropped with the other control characters."""
    return start.count(b"\x00") * 4 > len(start)


def undecodable(name: str, raw: bytes) -> list[str]:
    """One problem per line holding a byte that neither UTF-8 nor Windows-1252 reads."""
    problems, line, counted, last = [], 1, 0, 0
    for found in _UNDEFINED_IN_CP1252.finditer(raw):
        line += raw.count(b"\n", counted, found.start())
        counted = found.start()
        if line != last:
            problems.append(
                f"{name}:{line}: column « - »: octet 0x{raw[found.start()]:02X} illisible, ni "
                "UTF-8 ni Windows-1252 (enregistrez le fichier en UTF-8)"
            )
            last = line
    return problems


def read_source(source: Path | str, timeout: float = 60) -> list[Member]:
    """The data files of a path or an http(s) address. Raises FileProblems (line 0: the file
    as a whole) when it cannot be read, downloaded or inflated."""
    text = str(source)
    if text.startswith(("https://", "http://")):
        return [Member(text, download(text, timeout))]
    try:
        return [Member(name, raw) for name, raw in files.read_members(Path(source))]
    except files.FileError as error:
        raise FileProblems.one(error.name, 0, "-", error.reason) from error


def read_one(source: Path | str, timeout: float = 60) -> Member:
    """The one data file of a source (a zip must hold exactly one)."""
    members = read_source(source, timeout)
    if len(members) != 1:
        raise FileProblems.one(
            str(source), 0, "-", f"archive zip de {len(members)} fichiers, un seul attendu"
        )
    return members[0]


def download(url: str, timeout: float) -> bytes:
    """The body of a GET, at most INFLATED_MAX_BYTES; an error status, a timeout or a body
    shorter than its Content-Length is a problem (nothing is imported from half a file)."""
    request = urllib.request.Request(url, headers={"User-Agent": "Mandature"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = _read_capped(url, answer)
            expected = answer.headers.get("Content-Length")
    except urllib.error.HTTPError as error:
        raise FileProblems.one(url, 0, "-", f"le serveur répond {error.code}") from None
    except http.client.IncompleteRead as error:
        raise FileProblems.one(
            url, 0, "-", f"réponse tronquée ({len(error.partial)} octets reçus)"
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FileProblems.one(url, 0, "-", f"téléchargement impossible ({reason})") from None
    if expected and expected.isdigit() and int(expected) != len(body):
        raise FileProblems.one(url, 0, "-", f"réponse tronquée ({len(body)} octets sur {expected})")
    return bytes(body)


def _read_capped(url: str, answer) -> bytearray:
    body = bytearray()
    while chunk := answer.read(_DOWNLOAD_CHUNK):
        body += chunk
        if len(body) > settings.INFLATED_MAX_BYTES:
            limit = settings.INFLATED_MAX_BYTES // files.MEGABYTE
            raise FileProblems.one(url, 0, "-", f"réponse trop grande (plus de {limit} Mo)")
    return body
