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

from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.source import Member, read_one
from mandature.core.text import fold

from .dgcl import commune_code, whole_number, year_of

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
FIGURES = ("main_residences", "social_units", "rate", "target_rate", "deficit")
COUNTS = "taux de logements sociaux, ou logements sociaux et résidences principales"


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


def _number(text: str) -> Decimal | None:
    text = whole_number(text).rstrip("%")
    if not text:
        return None
    return Decimal(text.replace(",", "."))


class SruFormat(Format):
    """One inventory; `year` from the file's name unless given or in a column."""

    what = "un inventaire SRU"
    html_refusal = "page HTML, pas un inventaire SRU"
    utf16_refusal = "encodage UTF-16 non pris en charge"
    columns = tuple(Column(name, labels) for name, labels in COLUMNS.items())

    def __init__(self, table, year: int | None = None):
        super().__init__(table)
        self.year = year or year_of(table.name)
        self.seen: dict[str, int] = {}

    def check_header(self) -> None:
        has_counts = "main_residences" in self.index and "social_units" in self.index
        missing = [] if "code" in self.index else ["code INSEE de la commune"]
        if "rate" not in self.index and not has_counts:
            missing.append(COUNTS)
        found = ", ".join(f"« {h} »" for h in self.table.header)
        for label in missing:
            self.header_problem(label, f"colonne manquante ; trouvées : {found}")
        if not missing and self.year is None and "year" not in self.index:
            self.problems.add(0, "-", "année de l'inventaire introuvable : --year AAAA")

    def rows(self):
        """Rows of empty cells only (« ;;; » from a spreadsheet) are left out."""
        for line, values in super().rows():
            if any(v.strip() for v in values):
                yield line, values

    def clean(self, line: int, values: list[str]) -> SruRow | None:
        code = commune_code(self.cell(values, "code"))
        if not re.fullmatch(r"\d[\dAB]\d{2,3}", code) or len(code) != 5:
            self.problem(line, "code", f"code INSEE invalide « {code} »")
            return None
        if code in self.seen:
            self.problem(line, "code", f"commune {code} déjà lue ligne {self.seen[code]}")
            return None
        self.seen[code] = line
        row = SruRow(line, code)
        self.figures(line, values, row.values)
        self.situation(values, row.values)
        if "year" in self.index:
            found = re.search(r"(20\d\d)", values[self.index["year"]])
            if not found:
                written = values[self.index["year"]]
                self.problem(line, "year", f"année attendue, « {written} » trouvé")
                return None
            row.values["year"] = int(found.group(1))
        elif self.year is not None:
            row.values["year"] = self.year
        return row

    def figures(self, line: int, values: list[str], found: dict) -> None:
        for column in FIGURES:
            if column not in self.index:
                continue
            raw = values[self.index[column]]
            try:
                number = _number(raw)
            except InvalidOperation:
                self.problem(line, column, f"nombre attendu, « {raw} » trouvé")
                continue
            if number is not None and number < 0:
                self.problem(line, column, "nombre négatif")
                continue
            if column == "rate" and number is not None and number > 100:
                self.problem(line, column, f"taux de {number} %")
                continue
            found[column] = number

    def situation(self, values: list[str], found: dict) -> None:
        """Subject to the law, exempted, under a « constat de carence »: yes/no columns, or a
        situation written out (« non soumise », « exemptée », « carencée »…)."""
        for column in ("exempt", "carence"):
            if column in self.index:
                found[column] = fold(values[self.index[column]]) not in FALSE
        if "subject" not in self.index:
            return
        raw = fold(values[self.index["subject"]])
        if raw in TRUE or raw in FALSE:
            found["subject"] = raw in TRUE
            return
        found["subject"] = not raw.startswith(("non", "pas", "hors"))
        found["exempt"] = found.get("exempt") or "exempt" in raw
        found["carence"] = found.get("carence") or "carenc" in raw

    def parsed(self) -> SruFile:
        rows = self.read()
        return SruFile(self.name, self.year, dict(self.written), rows)


def read_sru(source: Path | Member, year: int | None = None) -> SruFile:
    """The rows of one SRU inventory (a path, or a member already read); FileProblems if any
    row is wrong."""
    member = source if isinstance(source, Member) else read_one(source)
    return SruFormat.of(member, year=year).parsed()
