"""The DGCL « critères de répartition des dotations » files (one row per commune).

The columns are found by the criterion's label, after the last « - » of the header (the section
names changed between years: « Dotation de solidarité urbaine » became « … et de cohésion
sociale » in 2022). Nothing here touches the database.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from mandature.core.ingest import FileProblems
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.source import Member, read_one
from mandature.core.text import fold

HousingFileError = FileProblems  # the one error type of the imports of a file

NOT_AVAILABLE = {"nd", "n.d.", "n/d", "nc", "-", "s"}  # « non disponible », secret: missing
NUMBER = re.compile(r"^\d+(?:[.,]0+)?$")
COMMUNE_CODE = re.compile(r"\d[\dAB]\d{3}")
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


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


def year_of(name: str) -> int | None:
    found = YEAR_IN_NAME.findall(Path(name).name)
    return int(found[-1]) if found else None


def commune_code(text: str) -> str:
    """A code INSEE as written by spreadsheets too: « 1001 » is 01001."""
    code = text.strip().upper()
    return "0" + code if code.isdigit() and len(code) == 4 else code


def whole_number(text: str) -> str:
    """A number without its thousands separators (spaces, narrow and non-breaking ones)."""
    return text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")


class DgclFormat(Format):
    """One DGCL file; `year` from the file's name unless given."""

    what = "un fichier de la DGCL"
    html_refusal = "page HTML, pas un fichier de la DGCL"
    utf16_refusal = "encodage UTF-16 non pris en charge"
    columns = (
        Column("code", ("code insee de la commune",), "Code INSEE de la commune", True),
        Column("name", ("nom de la commune",), "Nom de la commune"),
        Column("population", ("population insee de l annee n",), "Population INSEE de l'année N"),
        Column(
            "housing_units",
            ("nombre de logements th de la commune",),
            "Nombre de logements TH de la commune",
            True,
        ),
        Column(
            "social_units",
            ("nombre de logements sociaux de la commune",),
            "Nombre de logements sociaux de la commune",
            True,
        ),
        Column(
            "benefit_recipients",
            ("nombre de beneficiaires des aides au logement de la commune",),
            "Nombre de bénéficiaires des aides au logement de la commune",
        ),
        Column("qpv_population", ("population qpv",), "Population QPV"),
    )

    def __init__(self, table, year: int | None = None):
        super().__init__(table)
        self.year = year or year_of(table.name)
        self.seen: dict[str, int] = {}

    @staticmethod
    def header_key(text: str) -> str:
        return fold(text.rsplit(" - ", 1)[-1])

    @property
    def numeric(self) -> list[str]:
        return [c.field for c in self.columns[2:] if c.field in self.index]

    def check_header(self) -> None:
        super().check_header()
        if self.problems:
            return
        if self.year is None or not 2000 <= self.year <= 2100:
            self.problems.add(0, "-", "année introuvable dans le nom du fichier : --year AAAA")

    def clean(self, line: int, values: list[str]) -> DgclRow | None:
        code = commune_code(self.cell(values, "code"))
        if not COMMUNE_CODE.fullmatch(code):
            self.problem(line, "code", f"code INSEE invalide « {code} »")
            return None
        if code in self.seen:
            self.problem(line, "code", f"commune {code} déjà lue ligne {self.seen[code]}")
            return None
        self.seen[code] = line
        numbers: dict[str, int | None] = {}
        for column in self.numeric:
            raw = whole_number(self.cell(values, column))
            if not raw or raw.lower() in NOT_AVAILABLE:
                numbers[column] = None
            elif NUMBER.match(raw):
                numbers[column] = int(re.split(r"[.,]", raw)[0])
            else:
                found = values[self.index[column]]
                self.problem(line, column, f"nombre entier positif attendu, « {found} » trouvé")
        return DgclRow(line, code, self.cell(values, "name"), numbers)

    def parsed(self) -> DgclFile:
        rows = self.read()
        return DgclFile(self.name, self.year, dict(self.written), rows)


def read_dgcl(source: Path | Member, year: int | None = None) -> DgclFile:
    """The rows of one DGCL file (a path, or a member already read); FileProblems if any row
    is wrong."""
    member = source if isinstance(source, Member) else read_one(source)
    return DgclFormat.of(member, year=year).parsed()
