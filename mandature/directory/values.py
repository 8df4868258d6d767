"""The contact values both sources share, cleaned alike: each function returns the value to
keep (possibly "") or raises ValueError saying, in French, why the source's value is refused."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from mandature.core.text import strip_controls

from .enums import ACCESSIBILITY

_CEDEX = re.compile(r"\bcedex\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_POSTCODE_LINE = re.compile(r"\d{5} \S")
# What a browser opens: a scheme, a host with a dot, no space (URLValidator costs 1 s a load).
_URL = re.compile(r"https?://[^\s/?#@]+\.[^\s/?#@]{2,}(?:[/?#]\S*)?", re.IGNORECASE)


def address_lines(lines: list[str]) -> str:
    """The postal lines, one a line, spaces tidied and « Cedex » written alike; the last line
    must start with a five-digit postal code."""
    kept = [_CEDEX.sub("Cedex", _SPACES.sub(" ", strip_controls(line)).strip()) for line in lines]
    kept = [line for line in kept if line]
    if not kept:
        return ""
    if not _POSTCODE_LINE.match(kept[-1]):
        raise ValueError(f"dernière ligne « {kept[-1]} » sans code postal à cinq chiffres")
    return "\n".join(kept)


def email(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(f"adresse « {value} » invalide") from None
    return value


def phone(value: str) -> str:
    """A French number as « 05 56 10 20 30 »; short numbers (« 30 13 ») and +… kept as
    written; letters are refused."""
    value = _SPACES.sub(" ", value).strip()
    if not value:
        return ""
    digits = re.sub(r"[ .\-/]", "", value)
    if not re.fullmatch(r"\+?\d{2,15}", digits):
        raise ValueError(f"numéro « {value} » illisible")
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return value


def website(value: str) -> str:
    """An http(s) address; a bare domain gets « https:// »; an email address is refused."""
    value = value.strip()
    if not value:
        return ""
    if "@" in value and "://" not in value:
        raise ValueError(f"« {value} » est une adresse électronique, pas un site")
    if "://" not in value:
        value = f"https://{value}"
    if not _URL.fullmatch(value):
        raise ValueError(f"adresse « {value} » invalide")
    return value


def accessibility(code: str, details: str = "") -> str:
    code = code.strip().upper()
    if not code:
        return details.strip()
    if code not in ACCESSIBILITY:
        raise ValueError(f"code « {code} » inconnu (ACC, DEM ou NAC attendu)")
    text = ACCESSIBILITY[code]
    return f"{text} ({details.strip()})" if details.strip() else text
