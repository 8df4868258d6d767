"""French typography for documents: numbers, percentages, dates and spaces before « : ; ! ? »."""

import re
import string
from datetime import date
from decimal import Decimal
from functools import lru_cache

NBSP = "\u00a0"  # before « : » and inside « guillemets »
NNBSP = "\u202f"  # narrow: before « ; ! ? » and between thousands
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*:(?=\s|$)")
_BEFORE_TIGHT = re.compile(r"(?<=\S)[ \u00a0\u202f]*([;!?])(?=\s|$|»)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]*%")


@lru_cache(maxsize=8192)  # the same questions and legal bases are set on every brief
def typography(text: str) -> str:
    """Non-breaking spaces where French typography wants them (idempotent)."""
    if not text:
        return text
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_TIGHT.sub(NNBSP + r"\1", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    return _PERCENT.sub(NBSP + "%", text)


def number(value: int | Decimal | float | None, decimals: int = 0) -> str:
    """« 1 207 489 », « 4,8 »: narrow no-break space between thousands, decimal comma."""
    if value is None:
        return ""
    return f"{value:,.{decimals}f}".replace(",", NNBSP).replace(".", ",")


def percent(value: Decimal | float | None, decimals: int = 1) -> str:
    if value is None:
        return ""
    return number(value, decimals) + NBSP + "%"


def long_date(value: date) -> str:
    """« 23 novembre 2026 », « 1er mars 2026 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def ordinal(rank: int, feminine: bool = False) -> str:
    """« 1er », « 1re », « 2e », « 12e » (the abbreviations of the Imprimerie nationale)."""
    if rank == 1:
        return "1re" if feminine else "1er"
    return f"{rank}e"


def merge(template: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """Fill {champs} of an editable text. Only plain names are allowed (no attribute, index or
    format spec: nothing a text can use to reach code); unknown names are returned, and left
    visible in the text, so that the editor sees them before anything is sent or printed."""
    out: list[str] = []
    unknown: list[str] = []
    parts = _parse(template)
    if parts is None:
        return template, ["accolade sans paire (écrire {{ ou }} pour une accolade)"]
    for literal, field, spec, conversion in parts:
        out.append(literal)
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion or field not in values:
            unknown.append(field)
            out.append("{" + field + "}")
            continue
        out.append(values[field])
    return "".join(out), unknown


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ«(0-9{])")


def merge_available(
    template: str, values: dict[str, str | None]
) -> tuple[str, list[str], list[str]]:
    """merge(), sentence by sentence: a sentence that needs a figure this commune does not have
    (value None) is left out rather than printed with a hole. Returns the text, the unknown
    fields and the fields left out for want of data."""
    kept, unknown, missing = [], [], []
    for sentence in _SENTENCE_END.split(template):
        needs = [f for _, f, _, _ in _parse(sentence) or () if f is not None]
        absent = [f for f in needs if f in values and values[f] is None]
        if absent:
            missing += absent
            continue
        text, bad = merge(sentence, {k: v for k, v in values.items() if v is not None})
        unknown += bad
        kept.append(text)
    return " ".join(kept), unknown, list(dict.fromkeys(missing))


def _parse(text: str) -> list[tuple] | None:
    """The (literal, field, format, conversion) parts of a text; None for a lone brace."""
    try:
        return list(string.Formatter().parse(text))
    except ValueError:
        return None
