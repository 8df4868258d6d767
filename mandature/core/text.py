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
