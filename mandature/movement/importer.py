"""Import of Hlm organisms from a CSV file (template: docs/movement.md, /organisations/modele.csv).

All or nothing: every line is checked first; one bad line and nothing is written. Lines are
matched on the SIREN: a known organism is updated, an unknown one created. An empty cell keeps
what is stored, so that a re-import never erases what someone typed in the UI; the territory
(départements, communes) only grows.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from mandature.core.ingest import FileProblems
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.source import Member
from mandature.core.ingest.sync import Stored, diff, write
from mandature.core.ingest.table import Table
from mandature.core.text import fold
from mandature.territories.models import Commune, CommuneAlias, Departement

from .enums import Family, OrganisationKind
from .models import Organisation
from .seed import FEDERATIONS, federation_for
from .validation import normalise_phone, siren_is_valid

COLUMNS = [
    ("siren", "SIREN (9 chiffres)", True),
    ("nom", "raison sociale", True),
    ("sigle", "sigle ou nom court", False),
    ("famille", "OPH, ESH, COOP ou SACICAP", True),
    ("federation", "sigle de la fédération (par défaut : celle de la famille)", False),
    ("siege_code_insee", "code INSEE de la commune du siège", False),
    (
        "departements",
        "codes des départements où il a des logements, séparés par des espaces",
        False,
    ),
    ("communes", "codes INSEE des communes où il a des logements, séparés par des espaces", False),
    ("courriel", "adresse électronique de contact", False),
    ("telephone", "téléphone du standard", False),
    ("adresse", "adresse postale du siège", False),
    ("site_internet", "adresse du site (https://…)", False),
]
TEMPLATE = (
    ";".join(name for name, _help, _required in COLUMNS)
    + "\n"
    + "552046484;Exemple Habitat;EXH;ESH;;75056;75 92 93;;contact@exemple-habitat.fr;"
    "01 40 50 60 70;1 rue de l'Exemple, 75001 Paris;https://www.exemple-habitat.fr\n"
)
# Other names seen for the columns (folded: lower case, no accents, spaces).
HEADER_ALIASES = {
    "siren": ["n siren", "numero siren", "siren de l organisme"],
    "nom": ["raison sociale", "denomination", "nom de l organisme", "organisme"],
    "sigle": ["nom court", "acronyme"],
    "famille": ["type", "categorie", "forme", "famille d organisme"],
    "federation": ["federation de rattachement"],
    "siege_code_insee": [
        "code insee siege",
        "code insee du siege",
        "siege",
        "code insee",
        "commune du siege",
        "code commune",
    ],
    "departements": ["departement", "departements d implantation"],
    "communes": ["communes d implantation", "codes insee des communes"],
    "courriel": ["email", "e mail", "mail", "adresse electronique"],
    "telephone": ["tel", "telephone du standard"],
    "adresse": ["adresse postale", "adresse du siege"],
    "site_internet": ["site", "site web", "url"],
}
FAMILY_WORDS = {
    "oph": Family.OPH,
    "office public de l habitat": Family.OPH,
    "esh": Family.ESH,
    "entreprise sociale pour l habitat": Family.ESH,
    "coop": Family.COOP,
    "cooperative": Family.COOP,
    "cooperative hlm": Family.COOP,
    "coop hlm": Family.COOP,
    "opac": Family.OPH,
    "office public d amenagement et de construction": Family.OPH,
    "sa hlm": Family.ESH,
    "sa d hlm": Family.ESH,
    "societe anonyme d hlm": Family.ESH,
    "entreprise sociale pour l habitat esh": Family.ESH,
    "scp hlm": Family.COOP,
    "scic hlm": Family.COOP,
    "societe cooperative": Family.COOP,
    "cooperative d hlm": Family.COOP,
    "sacicap": Family.SACICAP,
    "procivis": Family.SACICAP,
}
CONTACT_COLUMNS = [
    ("courriel", "email"),
    ("telephone", "phone"),
    ("adresse", "address"),
    ("site_internet", "website"),
]
CODES = re.compile(r"[\s,;|]+")


OrganismFileError = FileProblems  # the one error type of the imports of a file


@dataclass
class OrganismImport:
    file_name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0
    names: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.file_name} : {self.lines} organisme(s) lu(s), {self.created} créé(s), "
            f"{self.updated} mis à jour, {self.unchanged} inchangé(s)"
        )


@dataclass
class _Row:
    line: int
    values: dict
    departements: list[str]
    communes: list[str]


@dataclass
class Known:
    """What the lines are checked against: communes (former codes lead to today's), the
    départements, the federations by their names."""

    communes: dict[str, str]
    departements: set[str]
    federations: dict[str, Organisation]

    @classmethod
    def load(cls) -> "Known":
        communes = {code: code for code in Commune.objects.values_list("code", flat=True)}
        for alias in CommuneAlias.objects.filter(kind="ancien-code").only("code", "commune_id"):
            communes.setdefault(alias.code, alias.commune_id)
        departements = set(Departement.objects.values_list("code", flat=True))
        return cls(communes, departements, _federations())


class OrganismFormat(Format):
    """The organisms' template and the usual other names of its columns. Problems name the
    template's column (« siren »), whatever the file calls it."""

    what = "un fichier d'organismes"
    columns = tuple(
        Column(name, (fold(name), *HEADER_ALIASES.get(name, ())), name, needed)
        for name, _help, needed in COLUMNS
    )

    def __init__(self, table: Table, known: Known):
        super().__init__(table)
        self.known = known
        self.seen: dict[str, int] = {}

    def check_header(self) -> None:
        expected = ", ".join(name for name, _h, _r in COLUMNS)
        mapped = {position: field for field, position in self.index.items()}
        found = ", ".join(
            mapped.get(i, fold(h).replace(" ", "_")) for i, h in enumerate(self.table.header)
        )
        for column in self.required():
            if column.field not in self.index:
                self.header_problem(
                    column.field,
                    f"colonne obligatoire absente (colonnes attendues : {expected} ; "
                    f"trouvées : {found})",
                )

    def rows(self):
        """Every record with a cell filled in; a short one reads as empty cells."""
        width = len(self.table.header)
        for line, values in self.table.records():
            if any(cell.strip() for cell in values):
                yield line, values + [""] * (width - len(values))

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.add(line, field, message)

    def clean(self, line: int, values: list[str]) -> _Row:
        found = {"siren": self.siren(line, values), "name": self.cell(values, "nom")}
        if not found["name"]:
            self.problem(line, "nom", "valeur obligatoire")
        found["short_name"] = self.cell(values, "sigle")
        found["family"] = self.family(line, values)
        self.federation(line, values, found)
        head = self.cell(values, "siege_code_insee").upper()
        if head:
            if head not in self.known.communes:
                self.problem(line, "siege_code_insee", f"commune « {head} » inconnue")
            found["head_office_id"] = self.known.communes.get(head)
        self.contacts(line, values, found)
        departements = self.codes(values, "departements")
        for code in departements:
            if code not in self.known.departements:
                self.problem(line, "departements", f"département « {code} » inconnu")
        communes = self.codes(values, "communes")
        for code in communes:
            if code not in self.known.communes:
                self.problem(line, "communes", f"commune « {code} » inconnue")
        return _Row(line, found, departements, [self.known.communes.get(c) for c in communes])

    def siren(self, line: int, values: list[str]) -> str:
        siren = self.cell(values, "siren").replace(" ", "")
        if not siren:
            self.problem(line, "siren", "valeur obligatoire")
        elif not siren_is_valid(siren):
            self.problem(
                line,
                "siren",
                f"« {siren} » n'est pas un SIREN valide (9 chiffres, clé de contrôle)",
            )
        elif siren in self.seen:
            self.problem(line, "siren", f"SIREN {siren} déjà présent à la ligne {self.seen[siren]}")
        else:
            self.seen[siren] = line
        return siren

    def family(self, line: int, values: list[str]) -> str:
        text = self.cell(values, "famille")
        family = FAMILY_WORDS.get(fold(text).replace("'", " ").strip())
        if family is None:
            self.problem(
                line, "famille", f"« {text} » inconnue (attendu : OPH, ESH, COOP ou SACICAP)"
            )
        return family or ""

    def federation(self, line: int, values: list[str], found: dict) -> None:
        text = self.cell(values, "federation")
        if not text:
            return
        federation = self.known.federations.get(fold(text))
        if federation is None:
            known = ", ".join(sorted({str(f) for f in self.known.federations.values()}))
            self.problem(line, "federation", f"« {text} » inconnue (connues : {known})")
        found["federation"] = federation

    def contacts(self, line: int, values: list[str], found: dict) -> None:
        for column, field_name in CONTACT_COLUMNS:
            value = self.cell(values, column)
            if not value:
                continue
            try:
                if column == "courriel":
                    validate_email(value)
                elif column == "telephone":
                    value = normalise_phone(value)
                elif column == "site_internet":
                    URLValidator(schemes=["http", "https"])(value)
            except ValidationError as error:
                self.problem(line, column, f"« {value} » : {error.messages[0]}")
            found[field_name] = value

    def codes(self, values: list[str], column: str) -> list[str]:
        return [c.upper() for c in CODES.split(self.cell(values, column)) if c]

    def finish(self, rows: list) -> None:
        if not rows and not self.problems:
            self.problems.add(
                self.table.header_line + 1, "siren", "aucun organisme dans le fichier"
            )


def import_organisms(path: Path | str, raw: bytes | None = None) -> OrganismImport:
    """Import a file (or the bytes of an upload named `path`). Raises FileProblems, problems
    named by the file's name (not its folder), and writes nothing then."""
    path = Path(path)
    member = Member(path.name, raw if raw is not None else path.read_bytes())
    rows = OrganismFormat.of(member, known=Known.load()).read()
    return _write(path.name, rows)


def _federations() -> dict:
    found = {}
    for federation in Organisation.objects.filter(kind=OrganisationKind.FEDERATION):
        found[fold(federation.short_name)] = federation
        found[fold(federation.name)] = federation
    for _name, short, family in FEDERATIONS:  # « ESH » for the ESH federation, etc.
        if family and fold(short) in found:
            found.setdefault(fold(family), found[fold(short)])
    return found


def _filled(values: dict) -> dict:
    """The values of a line but its empty cells (they keep what is stored), by field name."""
    found = {k: v for k, v in values.items() if v not in ("", None) and k != "siren"}
    if "federation" in found:
        found["federation_id"] = found.pop("federation").pk
    return found


def _write(name: str, rows: list[_Row]) -> OrganismImport:
    result = OrganismImport(name, lines=len(rows), names=[r.values["name"] for r in rows])
    incoming = {row.values["siren"]: _filled(row.values) for row in rows}
    fields = sorted({f for values in incoming.values() for f in values})
    with transaction.atomic():
        known = Organisation.objects.filter(siren__in=list(incoming)).values("pk", "siren", *fields)
        changes = diff({o["siren"]: Stored(o["pk"], o) for o in known}, incoming, remove=False)
        for _siren, values in changes.created:
            values["kind"] = OrganisationKind.ORGANISM
            if "federation_id" not in values:
                federation = federation_for(values.get("family", ""))
                values["federation_id"] = federation.pk if federation else None
        write(Organisation, changes, ["siren"], extra={"updated_at": timezone.now()})
        pks = dict(Organisation.objects.filter(siren__in=list(incoming)).values_list("siren", "pk"))
        grown = _add_territories(rows, pks)
    created = {siren for siren, _values in changes.created}
    changed = {pk for pk, _values in changes.changed} | grown
    result.created = len(created)
    result.updated = len({pks[s] for s in incoming if s not in created} & changed)
    result.unchanged = result.lines - result.created - result.updated
    return result


def _add_territories(rows: list[_Row], pks: dict[str, int]) -> set[int]:
    """Add the départements and communes of each line its organism lacks (none is taken
    away); the organisms whose territory grew."""
    grown = set()
    for relation, codes_of in (
        (Organisation.departements, lambda row: row.departements),
        (Organisation.communes, lambda row: row.communes),
    ):
        through = relation.through
        target = f"{relation.field.m2m_reverse_field_name()}_id"
        have = set(
            through.objects.filter(organisation_id__in=pks.values()).values_list(
                "organisation_id", target
            )
        )
        new = {(pks[row.values["siren"]], code) for row in rows for code in codes_of(row)}
        missing = sorted(new - have)
        through.objects.bulk_create(
            [through(organisation_id=pk, **{target: code}) for pk, code in missing]
        )
        grown |= {pk for pk, _code in missing}
    return grown
