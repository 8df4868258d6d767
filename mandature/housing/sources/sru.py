"""Reader of an SRU inventory file (« transparence SRU »: one row per commune).

The ministry has published it under several layouts (CSV or spreadsheet exports, semicolon or
comma, labels with or without accents); columns are recognised by their folded label among the
names below. Required: the commune code and either the rate or both counts. docs/briefs.md
(« The SRU estimate ») lists the columns.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from mandature.core.commands import DataError
from mandature.core.files import read_bytes
from mandature.core.problems import open_table
from mandature.core.text import fold

from .dgcl import HousingFileError, decode, year_of

COLUMNS = {
    "code": (
        "code insee",
        "code commune",
        "code insee de la commune",
        "insee",
        "code_insee",
        "codgeo",
        "depcom",
        "code de la commune",
    ),
    "year": (
        "annee",
        "annee de l inventaire",
        "inventaire au",
        "date de l inventaire",
        "millesime",
    ),
    "main_residences": (
        "residences principales",
        "nombre de residences principales",
        "rp",
        "nb rp",
        "nb_rp",
        "nombre de rp",
    ),
    "social_units": (
        "logements sociaux",
        "nombre de logements sociaux",
        "lls",
        "nb lls",
        "nb_lls",
        "nombre de lls",
        "nombre de logements sociaux decomptes",
    ),
    "rate": ("taux de logements sociaux", "taux lls", "taux_lls", "taux de lls", "taux"),
    "target_rate": (
        "taux legal",
        "taux cible",
        "taux a atteindre",
        "objectif",
        "taux_legal",
        "taux legal a atteindre",
        "taux d obligation",
    ),
    "subject": ("soumise", "commune soumise", "soumise sru", "situation", "statut"),
    "exempt": ("exemptee", "exemption", "commune exemptee"),
    "carence": ("carence", "carencee", "commune carencee", "arrete de carence"),
    "deficit": (
        "deficit",
        "logements manquants",
        "nombre de logements manquants",
        "deficit de logements sociaux",
    ),
}
TRUE = {"oui", "o", "1", "x", "vrai", "true", "yes"}
FALSE = {"non", "n", "0", "", "faux", "false", "no"}


@dataclass
class SruRow:
    line: int
    code: str
    values: dict = field(default_factory=dict)


@dataclass
class SruFile:
    name: str
    year: int | None
    columns: dict[str, str]
    rows: list[SruRow] = field(default_factory=list)


def read_sru(path: Path, year: int | None = None) -> SruFile:
    name = str(path)
    try:
        raw = read_bytes(path)
    except DataError as error:
        message = str(error).removeprefix(f"{name}: ")
        raise HousingFileError([f"{name}:0: column « - »: {message}"]) from None
    return parse_sru(name, decode(name, raw), year or year_of(name))


def _number(text: str) -> Decimal | None:
    text = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").rstrip("%")
    if not text:
        return None
    return Decimal(text.replace(",", "."))


def parse_sru(name: str, text: str, year: int | None) -> SruFile:
    reader, header = open_table(name, text, "un inventaire SRU", HousingFileError, default=";")
    folded = [fold(h) for h in header]
    index: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for position, label in enumerate(folded):
            if label in names and position not in index.values():
                index[column] = position
                break
    has_counts = "main_residences" in index and "social_units" in index
    problems = []
    if "code" not in index:
        problems.append("code INSEE de la commune")
    if "rate" not in index and not has_counts:
        problems.append("taux de logements sociaux, ou logements sociaux et résidences principales")
    if problems:
        found = ", ".join(f"« {h.strip()} »" for h in header)
        raise HousingFileError(
            [f"{name}:1: column « {p} »: colonne manquante ; trouvées : {found}" for p in problems]
        )
    if year is None and "year" not in index:
        raise HousingFileError(
            [f"{name}:0: column « - »: année de l'inventaire introuvable : --year AAAA"]
        )
    columns = {c: header[i].strip() for c, i in index.items()}
    result = SruFile(name, year, columns)
    errors: list[str] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(
                f"{name}:{line}: column « - »: {len(values)} champs au lieu de {len(header)}"
            )
            continue
        code = values[index["code"]].strip().upper()
        if code.isdigit() and len(code) == 4:
            code = "0" + code
        if not re.fullmatch(r"\d[\dAB]\d{2,3}", code) or len(code) != 5:
            errors.append(
                f"{name}:{line}: column « {columns['code']} »: code INSEE invalide « {code} »"
            )
            continue
        if code in seen:
            errors.append(
                f"{name}:{line}: column « {columns['code']} »: commune {code} déjà lue "
                f"ligne {seen[code]}"
            )
            continue
        seen[code] = line
        row = SruRow(line, code)
        for column in ("main_residences", "social_units", "rate", "target_rate", "deficit"):
            if column not in index:
                continue
            raw = values[index[column]]
            try:
                number = _number(raw)
            except InvalidOperation:
                errors.append(
                    f"{name}:{line}: column « {columns[column]} »: nombre attendu, « {raw} » trouvé"
                )
                continue
            if number is not None and number < 0:
                errors.append(f"{name}:{line}: column « {columns[column]} »: nombre négatif")
                continue
            if column == "rate" and number is not None and number > 100:
                errors.append(f"{name}:{line}: column « {columns[column]} »: taux de {number} %")
                continue
            row.values[column] = number
        for column in ("exempt", "carence"):
            if column in index:
                raw = fold(values[index[column]])
                row.values[column] = raw not in FALSE
        if "subject" in index:
            raw = fold(values[index["subject"]])
            if raw in TRUE or raw in FALSE:
                row.values["subject"] = raw in TRUE
            else:  # a situation written out: « non soumise », « exemptée », « carencée »…
                row.values["subject"] = not raw.startswith(("non", "pas", "hors"))
                row.values["exempt"] = row.values.get("exempt") or "exempt" in raw
                row.values["carence"] = row.values.get("carence") or "carenc" in raw
        if "year" in index:
            found = re.search(r"(20\d\d)", values[index["year"]])
            if not found:
                errors.append(
                    f"{name}:{line}: column « {columns['year']} »: année attendue, "
                    f"« {values[index['year']]} » trouvé"
                )
                continue
            row.values["year"] = int(found.group(1))
        elif year is not None:
            row.values["year"] = year
        result.rows.append(row)
    if not result.rows and not errors:
        errors.append(f"{name}:2: column « - »: aucune ligne de données")
    if errors:
        raise HousingFileError(errors)
    return result
