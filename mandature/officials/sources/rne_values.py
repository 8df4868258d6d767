"""The values of the Répertoire national des élus: dates (with the century rule of two-digit
years), commune codes (overseas, the old split layout), functions and ranks. Pure functions,
cached: a national file repeats the same few thousand values half a million times."""

import re
from datetime import date
from functools import lru_cache

from mandature.core.text import fold

from ..enums import FunctionCode

OVERSEAS_PREFIX = {
    "ZA": "97",
    "ZB": "97",
    "ZC": "97",
    "ZD": "97",
    "ZM": "97",
    "ZS": "97",
    "ZX": "97",
    "ZN": "98",
    "ZP": "98",
    "ZW": "98",
}
# Mayotte (976, written 5xx from its time as 985), Saint-Pierre-et-Miquelon, Polynésie (0xx),
# Nouvelle-Calédonie: the INSEE code is the collectivity code and the last two digits.
OVERSEAS_DEPARTEMENT = {"ZM": "976", "ZS": "975", "ZP": "987", "ZN": "988"}
COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
SIREN = re.compile(r"^\d{9}$")
DATE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
ADJOINT_RANK = re.compile(r"(\d+)")


class DateParser:
    """Parses the date formats of the RNE, with a century rule for two-digit years:
    a birth date is in the past and the person an adult; a mandate date is recent."""

    def __init__(self, reference: date):
        self.reference = reference
        self.births: dict[str, date | str] = {}
        self.others: dict[str, date | str] = {}

    def parse(self, text: str, birth: bool) -> date | str:
        """A date, or an error message (str)."""
        cache = self.births if birth else self.others
        found = cache.get(text)
        if found is None:
            found = cache[text] = self._parse(text, birth)
        return found

    def _parse(self, text: str, birth: bool) -> date | str:
        match = DATE_DMY.match(text)
        if match:
            day, month, year_text = match.groups()
            year = int(year_text)
            if len(year_text) == 2:
                if birth:
                    year += 2000 if 2000 + year <= self.reference.year - 18 else 1900
                else:
                    year += 2000 if 2000 + year <= self.reference.year + 1 else 1900
            parts = (year, int(month), int(day))
        else:
            match = DATE_ISO.match(text)
            if not match:
                return f"date illisible « {text} » (JJ/MM/AAAA attendu)"
            parts = tuple(int(p) for p in match.groups())
        try:
            value = date(*parts)
        except ValueError:
            return f"date impossible « {text} »"
        if value > self.reference:
            return f"date dans le futur « {text} »"
        return value


@lru_cache(maxsize=4096)
def function_code(label: str) -> tuple[str, int | None]:
    """« 2ème adjoint au maire » → ("adjoint", 2); « Maire » → ("maire", None)."""
    text = fold(label)
    if not text or text.startswith("conseiller") or text.startswith("membre"):
        return FunctionCode.NONE, None
    rank_match = ADJOINT_RANK.search(text)
    rank = int(rank_match.group(1)) if rank_match else None
    if "adjoint" in text:
        return FunctionCode.ADJOINT, rank
    if "vice president" in text or text.startswith("vp"):
        return FunctionCode.VICE_PRESIDENT, rank
    if text.startswith("maire delegue"):
        return FunctionCode.MAIRE_DELEGUE, None
    if text.startswith("maire"):
        return FunctionCode.MAIRE, None
    if text.startswith("president"):
        return FunctionCode.PRESIDENT, None
    return FunctionCode.OTHER, rank


@lru_cache(maxsize=1 << 16)
def normalise_code(text: str, width: int) -> str:
    """Codes written without their leading zeros (« 1 » for the Ain) get them back."""
    text = text.strip().upper()
    if text.isdigit() and len(text) < width:
        return text.zfill(width)
    return text


@lru_cache(maxsize=1 << 17)
def commune_code(dept: str, commune: str) -> str:
    """The INSEE code, from a full code or from the old split layout (département + 3 digits)."""
    commune = commune.strip().upper()
    if len(commune) >= 4:
        return normalise_code(commune, 5)
    dept = dept.strip().upper()
    if dept in OVERSEAS_DEPARTEMENT:  # older extracts number these from their former codes
        return OVERSEAS_DEPARTEMENT[dept] + commune.zfill(3)[-2:]
    if dept in OVERSEAS_PREFIX:
        return OVERSEAS_PREFIX[dept] + commune.zfill(3)
    if dept.isdigit() and len(dept) == 3:  # 971 + 01 style
        return dept[:2] + commune.zfill(3)
    return normalise_code(dept, 2) + commune.zfill(3)
