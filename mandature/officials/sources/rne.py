"""Read the files of the Répertoire national des élus (RNE), in every layout the ministry used.

Pure functions: `read_rne(path)` returns an `RneFile` with normalised rows, or raises
`RneFileError` whose lines read `FILE:LINE: column « NAME »: what is wrong`.

Layouts handled (recognised from the header, never from the file name):
- the old report export: tab-separated, Windows-1252, a first line « Titre du rapport », the
  commune code split into a département code and 3 digits (overseas as ZA…ZX), D/M/YYYY dates;
- the history exports of the same family, with end dates and end reasons;
- the current files: semicolon- or comma-separated, UTF-8 with or without BOM, quoted or not,
  full INSEE codes (sometimes without leading zeros), DD/MM/YYYY, DD/MM/YY or ISO dates.
"""

import csv
import hashlib
import re
import struct
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from mandature.core import files
from mandature.core.problems import (
    FIELD_LIMIT,
    MAX_ERRORS,
    FileProblems,
    decode_text,
    field_too_long,
)
from mandature.core.text import fold

from ..enums import FunctionCode, SnapshotKind

# Folded header name → canonical field. Columns mapped to None are known but not kept
# (professions, nationality, political nuance, the RNE's internal ids, populations).
COLUMNS: dict[str, str | None] = {
    "code du departement": "dept",
    "code du departement maire": "dept",
    "code departement epci": "dept",
    "libelle du departement": None,
    "libelle de departement maires": None,
    "code departement commune rattachee": "commune_dept",
    "code de la collectivite a statut particulier": "csp",
    "libelle de la collectivite a statut particulier": "csp_label",
    "code de la commune": "commune",
    "code insee de la commune": "commune",
    "libelle de la commune": "commune_label",
    "libelle commune rattachee": "commune_label",
    "population de la commune": None,
    "nom de l elu": "last_name",
    "prenom de l elu": "first_name",
    "code sexe": "sex",
    "date de naissance": "birth",
    "code de la categorie socio professionnelle": None,
    "libelle de la categorie socio professionnelle": None,
    "code profession": None,
    "libelle de la profession": None,
    "libelle de mandat": "mandate_label",
    "date de debut du mandat": "mandate_start",
    "date de fin du mandat": "mandate_end",
    "motif de fin de mandat": "mandate_end_reason",
    "libelle de la fonction": "function",
    "libelle de fonction": "function",
    "date de debut de la fonction": "function_start",
    "date de fin de la fonction": "function_end",
    "motif de fin de fonction": "function_end_reason",
    "code nationalite": None,
    "nuance politique c mun": None,
    "nuance mandat": None,
    "n identification d un elu": None,
    "code du canton": "canton",
    "libelle du canton": "canton_label",
    "code de la region": "region",
    "libelle de la region": "region_label",
    "code de la section departementale": "section",
    "libelle de la section departementale": "section_label",
    "libelle du secteur": "sector",
    "code de la circonscription legislative": "circo",
    "libelle de la circonscription legislative": "circo_label",
    "code de la section collectivite a statut particulier": "csp_section",
    "libelle de la section collectivite a statut particulier": "csp_section_label",
    "code de la circonscription metropolitaine": "metro_circo",
    "libelle de la circonscription metropolitaine": "metro_circo_label",
    "code de la circ afe": "afe",
    "libelle la circ afe": "afe_label",
    "code de la circonscription afe": "afe",
    "libelle la circonscription afe": "afe_label",
    "code de la circonscription consulaire": "consular",
    "libelle de la circonscription consulaire": "consular_label",
    "n siren": "siren",
    "libelle de l epci": "epci_label",
}

DISPLAY = {
    "last_name": "Nom de l'élu",
    "first_name": "Prénom de l'élu",
    "sex": "Code sexe",
    "birth": "Date de naissance",
    "mandate_start": "Date de début du mandat",
    "commune": "Code de la commune",
    "function": "Libellé de la fonction",
    "function_start": "Date de début de la fonction",
    "siren": "N° SIREN",
    "dept": "Code du département",
    "csp": "Code de la collectivité à statut particulier",
    "canton": "Code du canton",
    "region": "Code de la région",
    "section": "Code de la section départementale",
    "sector": "Libellé du secteur",
    "circo": "Code de la circonscription législative",
    "csp_section": "Code de la section - collectivité à statut particulier",
    "metro_circo": "Code de la circonscription métropolitaine",
    "afe": "Code de la circonscription AFE",
    "consular": "Code de la circonscription consulaire",
}

PERSON = ("last_name", "first_name", "sex", "birth", "mandate_start")

# Columns each kind needs, beside PERSON.
REQUIRED: dict[str, tuple[str, ...]] = {
    SnapshotKind.MAIRES: ("commune", "function_start"),
    SnapshotKind.CM: ("commune", "function", "function_start"),
    SnapshotKind.EPCI: ("siren", "commune", "function", "function_start"),
    SnapshotKind.CD: ("dept", "canton", "function", "function_start"),
    SnapshotKind.CR: ("region", "section", "function", "function_start"),
    SnapshotKind.CA: ("dept", "commune", "sector", "function", "function_start"),
    SnapshotKind.DEP: ("dept", "csp", "circo"),
    SnapshotKind.SEN: ("dept", "csp"),
    SnapshotKind.RPE: (),
    SnapshotKind.MA: ("region", "dept", "csp", "csp_section", "metro_circo", "function"),
    SnapshotKind.CONS: ("afe", "consular", "function", "function_start"),
    SnapshotKind.AFE: ("afe", "function", "function_start"),
}

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


class RneFileError(FileProblems):
    """Problems found in an RNE file; `lines` are ready to print on stderr."""


@dataclass(slots=True)
class Row:
    line: int
    last_name: str
    first_name: str
    sex: str
    birth: date
    mandate_start: date
    # territory, as read (placement against the territories happens at import)
    commune: str = ""
    dept: str = ""
    csp: str = ""  # collectivité à statut particulier
    region: str = ""
    siren: str = ""
    code: str = ""  # canton, section, circonscription, sector… code
    label: str = ""
    function: str = ""
    function_code: str = ""
    function_rank: int | None = None
    function_start: date | None = None
    mandate_end: date | None = None
    mandate_end_reason: str = ""
    function_end: date | None = None
    function_end_reason: str = ""
    line_hash: int | None = None  # see line_hashes(): lets the next import reuse this row


def line_hashes(lines: list[str]) -> list[int]:
    """A stable 64-bit fingerprint of each raw line: the first 8 bytes of its MD5, as a signed
    integer (as databases store them)."""
    md5, unpack = hashlib.md5, _SIGNED_64.unpack_from
    return [unpack(md5(text.encode()).digest())[0] for text in lines]


_SIGNED_64 = struct.Struct(">q")


# Given a file whose header is read, the fingerprints of lines already imported whose rows
# need not be read again (see importer.Reuse).
ReuseLookup = Callable[["RneFile"], Container[int]]


@dataclass
class RneFile:
    path: Path
    name: str
    kind: str
    layout: str  # "ancien", "historique" or "actuel"
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[Row]
    is_history: bool = False
    latest_date: date | None = None
    # Quality remarks on rows that were kept or skipped: (line, column, message, skipped)
    warnings: list[tuple[int, str, str, bool]] = field(default_factory=list)
    # Lines identical to lines of an earlier import, not read again: (line, fingerprint)
    reused: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return SnapshotKind(self.kind).label


# --- reading bytes -----------------------------------------------------------------------------


def read_members(path: Path) -> list[tuple[str, bytes]]:
    """The data files in path: itself, gunzipped, or each member of a zip, inflated within the
    caps of core.files."""
    try:
        return files.read_members(path)
    except files.FileError as error:
        raise RneFileError([f"{error.name}:0: column « - »: {error.reason}"]) from error


def decode(name: str, raw: bytes) -> tuple[str, str]:
    """Detect the encoding: UTF-8 (with or without BOM), else Windows-1252. UTF-16 is refused;
    control characters are dropped; a byte neither encoding knows is an error naming its line."""
    if not raw or raw.isspace():
        raise RneFileError([f"{name}:1: column « - »: fichier vide"])
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:1000]:
        raise RneFileError(
            [
                f"{name}:1: column « - »: encodage illisible (UTF-16 ou binaire) ; "
                "UTF-8 ou Windows-1252 attendu"
            ]
        )
    return decode_text(name, raw, RneFileError)


# --- header and layout -------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return fold(text.replace("\ufeff", "").strip().strip('"'))


def detect_kind(fields: set[str], has_label_of_mandate: bool) -> str | None:
    if "siren" in fields:
        return SnapshotKind.EPCI
    if "canton" in fields:
        return SnapshotKind.CD
    if "section" in fields and "region" in fields:
        return SnapshotKind.CR
    if "sector" in fields:
        return SnapshotKind.CA
    if "csp_section" in fields or "metro_circo" in fields:
        return SnapshotKind.MA
    if "circo" in fields:
        return SnapshotKind.DEP
    if "consular" in fields:
        return SnapshotKind.CONS
    if "afe" in fields:
        return SnapshotKind.AFE
    if "commune" in fields:
        if has_label_of_mandate:
            return SnapshotKind.MAIRES  # history export of mayors (« K Tous Maires »)
        if "function" in fields:
            return SnapshotKind.CM
        return SnapshotKind.MAIRES
    if "dept" in fields or "csp" in fields:
        return SnapshotKind.SEN
    if set(PERSON) <= fields:
        return SnapshotKind.RPE
    return None


def _sniff_delimiter(header_line: str, next_line: str) -> str:
    best, best_count = ";", 0
    for delimiter in (";", "\t", ","):
        count = len(next(csv.reader([header_line], delimiter=delimiter)))
        if count > best_count and (
            not next_line or len(next(csv.reader([next_line], delimiter=delimiter))) > 1
        ):
            best, best_count = delimiter, count
    return best


# --- values ------------------------------------------------------------------------------------


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


# --- the reader --------------------------------------------------------------------------------


def read_rne(path: Path, reference: date | None = None) -> list[RneFile]:
    """Read an RNE file (or each member of a zip). Raises RneFileError listing the problems."""
    reference = reference or date.today()
    return [parse_text(name, *decode(name, raw), reference) for name, raw in read_members(path)]


def parse_text(
    name: str, text: str, encoding: str, reference: date, reuse: ReuseLookup | None = None
) -> RneFile:
    lines = text.splitlines()
    first = 0
    if lines and fold(lines[0]) == "titre du rapport":
        first = 1
    if first >= len(lines) or not lines[first].strip():
        raise RneFileError([f"{name}:{first + 1}: column « - »: en-tête absent"])
    header_line = lines[first]
    if header_line.lstrip().startswith("<"):
        raise RneFileError(
            [f"{name}:{first + 1}: column « - »: ceci est une page HTML, pas un fichier du RNE"]
        )
    if len(header_line) >= FIELD_LIMIT:
        raise RneFileError([field_too_long(name, first + 1, csv.Error("field limit"))])
    # Enough of the next line to count its fields (one longer than a field is an error later).
    next_line = lines[first + 1][: FIELD_LIMIT - 1] if len(lines) > first + 1 else ""
    delimiter = _sniff_delimiter(header_line, next_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    keys = [_header_key(h) for h in header]
    problems: list[str] = []
    fields: dict[str, int] = {}
    for index, (raw_name, key) in enumerate(zip(header, keys, strict=True)):
        if key not in COLUMNS:
            problems.append(f"{name}:{first + 1}: column « {raw_name.strip()} »: colonne inconnue")
            continue
        canonical = COLUMNS[key]
        if canonical and canonical not in fields:
            fields[canonical] = index
    has_mandate_label = "mandate_label" in fields
    kind = detect_kind(set(fields), has_mandate_label)
    found = ", ".join(f"« {h.strip()} »" for h in header)
    if kind is None:
        raise RneFileError(
            [
                f"{name}:{first + 1}: column « - »: disposition inconnue ; colonnes trouvées : "
                f"{found} ; attendues : les colonnes d'un fichier du RNE (nom, prénom, sexe, date "
                "de naissance, date de début du mandat et le territoire du mandat)"
            ]
        )
    required = PERSON + REQUIRED[kind]
    if first == 1 or "commune_dept" in fields:  # the old layout has no collectivity columns
        required = tuple(c for c in required if c not in ("csp", "function_start"))
    if has_mandate_label or "mandate_end" in fields:
        required = tuple(c for c in required if c != "function_start")
    missing = [c for c in required if c not in fields]
    if missing:
        expected = ", ".join(f"« {DISPLAY[c]} »" for c in required)
        for column in missing:
            problems.append(
                f"{name}:{first + 1}: column « {DISPLAY[column]} »: colonne manquante pour un "
                f"fichier « {SnapshotKind(kind).label} » ; attendues au moins : {expected} ; "
                f"trouvées : {found}"
            )
    if problems:
        raise RneFileError(problems)
    is_history = "mandate_end" in fields
    layout = "historique" if is_history else ("ancien" if first == 1 else "actuel")
    result = RneFile(
        path=Path(name.split("!")[0]),
        name=name,
        kind=str(kind.value),  # a plain str: hashed half a million times
        layout=layout,
        encoding=encoding,
        delimiter=delimiter,
        columns=[h.strip() for h in header],
        rows=[],
        is_history=is_history,
    )
    known = reuse(result) if reuse is not None and not is_history else ()
    ends_with_newline = text.endswith(("\n", "\r"))
    _read_rows(result, lines, first, header, fields, reference, ends_with_newline, known)
    return result


def _read_rows(result: RneFile, lines, first, header, fields, reference, ends_with_newline, known):
    name, kind = result.name, result.kind
    errors: list[str] = []
    error_count = 0
    width = len(header)
    dates = DateParser(reference)
    births, others = dates.births, dates.others
    header_set = {h.strip() for h in header}
    column_name = {canonical: header[index].strip() for canonical, index in fields.items()}
    get = fields.get
    i_last, i_first, i_sex, i_birth, i_start = (fields[c] for c in PERSON)
    i_commune, i_dept, i_csp = get("commune"), get("dept"), get("csp")
    i_function, i_function_start = get("function"), get("function_start")
    i_mandate_end, i_end_reason = get("mandate_end"), get("mandate_end_reason")
    i_function_end, i_function_end_reason = get("function_end"), get("function_end_reason")
    i_mandate_label = get("mandate_label")
    has_ends = i_mandate_end is not None or i_function_end is not None
    code_column, label_column = {
        SnapshotKind.CD: ("canton", "canton_label"),
        SnapshotKind.CR: ("section", "section_label"),
        SnapshotKind.CA: ("sector", "sector"),
        SnapshotKind.DEP: ("circo", "circo_label"),
        SnapshotKind.MA: ("csp_section", "csp_section_label"),
        SnapshotKind.CONS: ("consular", "consular_label"),
        SnapshotKind.AFE: ("afe", "afe_label"),
    }.get(kind, ("", ""))
    i_code, i_label = get(code_column), get(label_column)
    i_region, i_siren = get("region"), get("siren")
    seen: dict[tuple, int] = {}
    valid_codes: dict[tuple[str, str], str] = {}  # (département, commune as written) → INSEE
    latest: date | None = None
    rows = result.rows
    data = lines[first + 1 :]
    # Fingerprints of the lines (history exports are always read in full); a line identical to
    # one of an earlier import is not read again, unless it appears twice in this file (it is
    # then read, and reported as a duplicate).
    hashes = [] if result.is_history else line_hashes(data)
    twice = {h for h, n in Counter(hashes).items() if n > 1}
    reused = result.reused
    position = fed = 0  # index of the last line given to the csv reader, lines given

    def feed():
        nonlocal position, fed
        for index, text in enumerate(data):
            if known and hashes[index] in known and hashes[index] not in twice:
                reused.append((first + 2 + index, hashes[index]))
                continue
            position = index
            fed += 1
            yield text

    def records():
        """The csv rows; a csv error (a field over the limit: a quote never closed) is an
        error naming the line after the last row read."""
        try:
            yield from csv.reader(feed(), delimiter=result.delimiter)
        except csv.Error as exc:
            raise RneFileError([field_too_long(name, line_no + 1, exc)]) from None

    reader = records()
    record_fed = 0

    row_errors: list[tuple[int, str, str]] = []

    def problem(line: int, column: str, message: str) -> None:
        row_errors.append((line, column, message))

    def flush() -> bool:
        """Report the current row's errors; True when it had some. History exports skip
        such rows (kept in the report) instead of refusing the file."""
        nonlocal error_count
        had = bool(row_errors)
        for line, column, message in row_errors:
            if lenient:
                remark(line, column, message + " : ligne écartée", True)
            else:
                error_count += 1
                if len(errors) < MAX_ERRORS:
                    errors.append(f"{name}:{line}: column « {column} »: {message}")
        row_errors.clear()
        return had

    def remark(line: int, column: str, message: str, skipped: bool = False) -> None:
        result.warnings.append((line, column, message, skipped))

    lenient = result.is_history  # history exports carry decades of hand-entered data

    def optional_date(values, index, field_name, line) -> date | None:
        """A date column that may be empty (function start, end dates)."""
        if index is None:
            return None
        text = values[index].strip()
        if not text:
            return None
        value = others.get(text) or dates.parse(text, birth=False)
        if isinstance(value, str):
            problem(line, column_name[field_name], value)
            return None
        return value

    line_no = first + 1
    for values in reader:
        line_no = first + 2 + position
        single_line, record_fed = fed == record_fed + 1, fed
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != width:
            if {v.strip() for v in values} & header_set and len(values) > 3:
                problem(
                    line_no,
                    "-",
                    "en-tête d'un autre fichier au milieu des données (deux fichiers mélangés ?)",
                )
            else:
                problem(
                    line_no,
                    "-",
                    f"{len(values)} champs au lieu de {width} "
                    "(ligne tronquée ou mauvais séparateur)",
                )
            flush()
            continue
        if values[i_last].strip() == column_name["last_name"]:
            problem(line_no, column_name["last_name"], "en-tête répété (deux fichiers mélangés ?)")
            flush()
            continue
        last_name, first_name = values[i_last].strip(), values[i_first].strip()
        if not last_name:
            problem(line_no, column_name["last_name"], "nom manquant")
        if not first_name:
            remark(line_no, column_name["first_name"], "prénom manquant (ligne gardée)")
        sex = values[i_sex].strip().upper()
        if sex not in ("M", "F"):
            problem(line_no, column_name["sex"], f"sexe « {values[i_sex]} » : M ou F attendu")
        birth_text = values[i_birth].strip()
        birth = births.get(birth_text) or dates.parse(birth_text, birth=True)
        if isinstance(birth, str):
            problem(line_no, column_name["birth"], birth)
        start_text = values[i_start].strip()
        if lenient and not start_text:
            remark(
                line_no, column_name["mandate_start"], "date de début absente : ligne écartée", True
            )
            continue
        start = others.get(start_text) or dates.parse(start_text, birth=False)
        if isinstance(start, str):
            problem(line_no, column_name["mandate_start"], start)
        if isinstance(birth, date) and birth.year < 1900:
            remark(
                line_no, column_name["birth"], f"date de naissance invraisemblable ({birth.year})"
            )
        elif isinstance(birth, date) and isinstance(start, date) and start.year - birth.year < 18:
            remark(line_no, column_name["birth"], "élu de moins de 18 ans au début du mandat ?")
        row = Row(line_no, last_name, first_name, sex, birth, start)
        if hashes and single_line:
            row.line_hash = hashes[position]
        if i_function is not None:
            row.function = values[i_function].strip()
            row.function_code, row.function_rank = function_code(row.function)
        elif kind == SnapshotKind.MAIRES and i_mandate_label is None:
            row.function, row.function_code = "Maire", FunctionCode.MAIRE
        if i_function_start is not None and values[i_function_start].strip():
            row.function_start = optional_date(values, i_function_start, "function_start", line_no)
        if has_ends:
            row.mandate_end = optional_date(values, i_mandate_end, "mandate_end", line_no)
            if row.mandate_end and i_end_reason is not None:
                row.mandate_end_reason = values[i_end_reason].strip()
            row.function_end = optional_date(values, i_function_end, "function_end", line_no)
            if row.function_end and i_function_end_reason is not None:
                row.function_end_reason = values[i_function_end_reason].strip()
        dept = values[i_dept].strip() if i_dept is not None else ""
        csp = values[i_csp].strip() if i_csp is not None else ""
        row.dept = normalise_code(dept, 2) if dept else ""
        row.csp = csp.upper()
        if i_commune is not None:
            raw = values[i_commune].strip()
            if not raw:
                if kind != SnapshotKind.EPCI:
                    problem(line_no, column_name["commune"], "code de commune manquant")
            else:
                code = valid_codes.get((dept, raw))
                if code is None:
                    code = commune_code(dept, raw)
                    if COMMUNE_CODE.match(code):
                        valid_codes[(dept, raw)] = code
                    else:
                        code = ""
                if code:
                    row.commune = code
                elif kind == SnapshotKind.EPCI:  # the commune only qualifies an EPCI seat
                    remark(
                        line_no,
                        column_name["commune"],
                        f"code de commune invalide « {raw} » ignoré",
                    )
                else:
                    problem(line_no, column_name["commune"], f"code de commune invalide « {raw} »")
        if i_siren is not None:
            row.siren = values[i_siren].strip()
            if not SIREN.match(row.siren):
                problem(line_no, column_name["siren"], f"SIREN invalide « {row.siren} »")
        if i_region is not None:
            row.region = normalise_code(values[i_region].strip(), 2)
        if i_code is not None:
            row.code = values[i_code].strip()
            row.label = values[i_label].strip() if i_label is not None else ""
        if kind == SnapshotKind.MA:
            row.code = row.code or row.csp or row.region
        # A duplicate has the same fingerprint as another line (or, in a history export, the
        # same fields): only those are compared field by field.
        identity = tuple(values) if not hashes or hashes[position] in twice else None
        if identity is not None and identity in seen:
            problem(
                line_no,
                column_name["last_name"],
                f"ligne en double (identique à la ligne {seen[identity]})",
            )
            flush()
            continue
        if row_errors:
            flush()
            continue
        if identity is not None:
            seen[identity] = line_no
        for value in (start, row.function_start, row.mandate_end, row.function_end):
            if isinstance(value, date) and (latest is None or value > latest):
                latest = value
        rows.append(row)
    if not rows and not reused and not error_count:
        problem(line_no + 1, "-", "aucune ligne de données")
    if (rows or reused) and not ends_with_newline:
        problem(
            first + 1 + len(data),
            "-",
            "dernière ligne tronquée (le fichier ne finit pas par un saut de ligne)",
        )
    lenient = False
    flush()
    if error_count:
        raise RneFileError(errors, error_count)
    result.latest_date = latest
