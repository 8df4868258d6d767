"""Text normalisation used for search and identity matching."""

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
# Abbreviations people type for names that the official data always spells out.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


@lru_cache(maxsize=1 << 20)  # names repeat a lot in national files
def fold(text: str) -> str:
    """Lower case, no accents, single spaces: « L'Haÿ-les-Roses » → « l hay les roses »."""
    if text.isascii():  # no ligature, no accent: NFKD would change nothing (most names)
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NON_ALNUM.sub(" ", text.lower()).strip()


@lru_cache(maxsize=1 << 20)
def compact(text: str) -> str:
    """The folded text without spaces: « L'Haÿ » and « lhay » give the same key."""
    return fold(text).replace(" ", "")


def expand_abbreviations(folded: str) -> str:
    """« st etienne » → « saint etienne »."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in folded.split())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS_SIGNED = re.compile(r"[+-][0-9 .,()\-]*")  # « -3 », « +33 6 12 34 56 78 »


def spreadsheet_safe(value):
    """A cell typed by someone outside the movement (a public form, a contact card) must not
    become a formula when a spreadsheet opens the CSV: « =HYPERLINK(…) » is written
    « '=HYPERLINK(…) ». Signed numbers and phone numbers (no letters, so no function) are left
    as they are."""
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _HARMLESS_SIGNED.fullmatch(value)
    ):
        return "'" + value
    return value


# Control characters never belong in a name or a note: NUL is refused by PostgreSQL (and
# breaks C libraries), the others are invisible and break exports, searches and line counts
# (\x0b, \x0c and \x1c–\x1e even split lines in Python). Tab, line feed and carriage return
# stay where a text may span lines.
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROLS_AND_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f]+")
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def strip_controls(text: str, *, multiline: bool = True) -> str:
    """The text without control characters (C0, DEL and C1). A multi-line text keeps its tabs
    and line breaks; in a single-line one (a name) they become one space."""
    if multiline:
        return _CONTROLS.sub("", text)
    return _CONTROLS_AND_BREAKS.sub(_space_for_breaks, text)


def _space_for_breaks(found: re.Match) -> str:
    return " " if any(char in "\t\n\r" for char in found.group()) else ""


def strip_control_bytes(raw: bytes) -> bytes:
    """A file's bytes without the control characters that are the same in UTF-8 and
    Windows-1252 (C0 except tab and line breaks, and DEL); fast on files of hundreds of Mo."""
    if any(bytes((byte,)) in raw for byte in CONTROL_BYTES):
        return raw.translate(None, CONTROL_BYTES)
    return raw


def strip_c1(text: str, raw: bytes) -> str:
    """The text decoded from UTF-8 `raw` without C1 control characters (U+0080–U+009F), which
    only a UTF-8 file can carry (\\xc2\\x80–\\xc2\\x9f)."""
    if _C1_IN_UTF8.search(raw):
        return re.sub("[\x80-\x9f]", "", text)
    return text
