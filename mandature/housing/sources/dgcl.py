"""Reader of the DGCL « critères de répartition des dotations » files (one row per commune).

The columns are found by the criterion's label, after the last « - » of the header (the section
names changed between years: « Dotation de solidarité urbaine » became « … et de cohésion
sociale » in 2022). Pure functions: nothing here touches the database.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from mandature.core.commands import DataError
from mandature.core.files import read_bytes
from mandature.core.problems import FileProblems, open_table
from mandature.core.problems import decode as decode_text
from mandature.core.text import fold

# field → the folded criterion label(s) that hold it
COLUMNS = {
    "code": ("code insee de la commune",),
    "name": ("nom de la commune",),
    "population": ("population insee de l annee n",),
    "housing_units": ("nombre de logements th de la commune",),
    "social_units": ("nombre de logements sociaux de la commune",),
    "benefit_recipients": ("nombre de beneficiaires des aides au logement de la commune",),
    "qpv_population": ("population qpv",),
}
REQUIRED = ("code", "housing_units", "social_units")
DISPLAY = {
    "code": "Code INSEE de la commune",
    "name": "Nom de la commune",
    "population": "Population INSEE de l'année N",
    "housing_units": "Nombre de logements TH de la commune",
    "social_units": "Nombre de logements sociaux de la commune",
    "benefit_recipients": "Nombre de bénéficiaires des aides au logement de la commune",
    "qpv_population": "Population QPV",
}
NOT_AVAILABLE = {"nd", "n.d.", "n/d", "nc", "-", "s"}  # « non disponible », secret: missing
NUMBER = re.compile(r"^\d+(?:[.,]0+)?$")
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


class HousingFileError(FileProblems):
    """Problems found in a housing file, as `FILE:LINE: column « NAME »: what is wrong` lines."""


@dataclass
class DgclRow:
    line: int
    code: str
    name: str
    values: dict[str, int | None]


@dataclass
class DgclFile:
    name: str
    year: int
    columns: dict[str, str]  # field → header as written
    rows: list[DgclRow] = field(default_factory=list)


def decode(name: str, raw: bytes) -> str:
    return decode_text(name, raw, HousingFileError)


def year_of(name: str) -> int | None:
    found = YEAR_IN_NAME.findall(Path(name).name)
    return int(found[-1]) if found else None


def read_dgcl(path: Path, year: int | None = None) -> DgclFile:
    name = str(path)
    try:
        raw = read_bytes(path)
    except DataError as error:
        message = str(error).removeprefix(f"{name}: ")
        raise HousingFileError([f"{name}:0: column « - »: {message}"]) from None
    try:
        text = decode(name, raw)
    except UnicodeDecodeError:
        raise HousingFileError([f"{name}:1: column « - »: encodage illisible"]) from None
    return parse_dgcl(name, text, year or year_of(name))


def parse_dgcl(name: str, text: str, year: int | None) -> DgclFile:
    reader, header = open_table(name, text, "un fichier de la DGCL", HousingFileError)
    labels = [fold(h.rsplit(" - ", 1)[-1]) for h in header]
    index: dict[str, int] = {}
    for column, wanted in COLUMNS.items():
        for position, label in enumerate(labels):
            if label in wanted:
                index[column] = position
                break
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        found = ", ".join(f"« {h.strip()} »" for h in header[:12])
        raise HousingFileError(
            [
                f"{name}:1: column « {DISPLAY[c]} »: colonne manquante ; attendues au moins : "
                + ", ".join(f"« {DISPLAY[r]} »" for r in REQUIRED)
                + f" ; trouvées : {found}{' …' if len(header) > 12 else ''}"
                for c in missing
            ]
        )
    if year is None or not 2000 <= year <= 2100:
        raise HousingFileError(
            [f"{name}:0: column « - »: année introuvable dans le nom du fichier : --year AAAA"]
        )
    result = DgclFile(name, year, {c: header[i].strip() for c, i in index.items()})
    errors: list[str] = []
    count = 0
    seen: dict[str, int] = {}
    width = len(header)
    numeric = [c for c in index if c not in ("code", "name")]
    for values in reader:
        line = reader.line_num
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != width:
            count += 1
            errors.append(f"{name}:{line}: column « - »: {len(values)} champs au lieu de {width}")
            continue
        code = values[index["code"]].strip().upper()
        if code.isdigit() and len(code) == 4:
            code = "0" + code
        if not re.fullmatch(r"\d[\dAB]\d{3}", code):
            count += 1
            errors.append(
                f"{name}:{line}: column « {result.columns['code']} »: code INSEE "
                f"invalide « {code} »"
            )
            continue
        if code in seen:
            count += 1
            errors.append(
                f"{name}:{line}: column « {result.columns['code']} »: commune {code} "
                f"déjà lue ligne {seen[code]}"
            )
            continue
        seen[code] = line
        numbers: dict[str, int | None] = {}
        for column in numeric:
            raw = values[index[column]].strip().replace("\u202f", "").replace("\xa0", "")
            raw = raw.replace(" ", "")
            if not raw or raw.lower() in NOT_AVAILABLE:
                numbers[column] = None
            elif NUMBER.match(raw):
                numbers[column] = int(re.split(r"[.,]", raw)[0])
            else:
                count += 1
                found = values[index[column]]
                errors.append(
                    f"{name}:{line}: column « {result.columns[column]} »: nombre "
                    f"entier positif attendu, « {found} » trouvé"
                )
        name_value = values[index["name"]].strip() if "name" in index else ""
        result.rows.append(DgclRow(line, code, name_value, numbers))
    if not result.rows and not count:
        errors.append(f"{name}:2: column « - »: aucune ligne de données")
        count += 1
    if count:
        raise HousingFileError(errors, count)
    return result
