"""Import of Hlm organisms from a CSV file (template: docs/movement.md, /organisations/modele.csv).

All or nothing: every line is checked first; one bad line and nothing is written. Lines are
matched on the SIREN: a known organism is updated, an unknown one created. An empty cell keeps
what is stored, so that a re-import never erases what someone typed in the UI.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from mandature.core.problems import FileProblems, decode, open_table
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


class OrganismFileError(FileProblems):
    pass


def _column(header: str) -> str:
    """The template's name of a header cell: « Raison sociale » → « nom »."""
    folded = fold(header)
    name = folded.replace(" ", "_")
    if name in {c for c, _h, _r in COLUMNS}:
        return name
    for column, aliases in HEADER_ALIASES.items():
        if folded in aliases:
            return column
    return name


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


def import_organisms(path: Path | str, raw: bytes | None = None) -> OrganismImport:
    path = Path(path)
    name = path.name
    text = decode(name, raw if raw is not None else path.read_bytes(), OrganismFileError)
    reader, header = open_table(name, text, "un fichier d'organismes", OrganismFileError, ";")
    header = [_column(h) for h in header]
    required = [c for c, _h, needed in COLUMNS if needed]
    missing = [c for c in required if c not in header]
    if missing:
        expected = ", ".join(c for c, _h, _r in COLUMNS)
        raise OrganismFileError(
            [
                f"{name}:1: column « {c} »: colonne obligatoire absente "
                f"(colonnes attendues : {expected} ; trouvées : {', '.join(header)})"
                for c in missing
            ]
        )
    index = {column: header.index(column) for column, _h, _r in COLUMNS if column in header}
    rows, problems = _check(name, reader, index)
    if problems:
        raise OrganismFileError(problems)
    return _write(name, rows)


def _check(name: str, reader, index: dict[str, int]) -> tuple[list[_Row], list[str]]:
    communes = {c.code: c.code for c in Commune.objects.only("code")}
    for alias in CommuneAlias.objects.filter(kind="ancien-code").only("code", "commune_id"):
        communes.setdefault(alias.code, alias.commune_id)
    departements = set(Departement.objects.values_list("code", flat=True))
    federations = _federations()
    rows, problems, seen = [], [], {}

    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row=row) -> str:
            position = index.get(column)
            return row[position].strip() if position is not None and position < len(row) else ""

        def problem(column: str, message: str, line=line) -> None:
            problems.append(f"{name}:{line}: column « {column} »: {message}")

        values = {}
        siren = cell("siren").replace(" ", "")
        if not siren:
            problem("siren", "valeur obligatoire")
        elif not siren_is_valid(siren):
            problem("siren", f"« {siren} » n'est pas un SIREN valide (9 chiffres, clé de contrôle)")
        elif siren in seen:
            problem("siren", f"SIREN {siren} déjà présent à la ligne {seen[siren]}")
        else:
            seen[siren] = line
        values["siren"] = siren
        values["name"] = cell("nom")
        if not values["name"]:
            problem("nom", "valeur obligatoire")
        values["short_name"] = cell("sigle")
        family_text = cell("famille")
        family = FAMILY_WORDS.get(fold(family_text).replace("'", " ").strip())
        if family is None:
            problem("famille", f"« {family_text} » inconnue (attendu : OPH, ESH, COOP ou SACICAP)")
        values["family"] = family or ""
        federation_text = cell("federation")
        if federation_text:
            federation = federations.get(fold(federation_text))
            if federation is None:
                known = ", ".join(sorted({str(f) for f in federations.values()}))
                problem("federation", f"« {federation_text} » inconnue (connues : {known})")
            values["federation"] = federation
        head = cell("siege_code_insee").upper()
        if head:
            if head not in communes:
                problem("siege_code_insee", f"commune « {head} » inconnue")
            values["head_office_id"] = communes.get(head)
        for column, field_name in CONTACT_COLUMNS:
            value = cell(column)
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
                problem(column, f"« {value} » : {error.messages[0]}")
            values[field_name] = value
        codes = [c.upper() for c in CODES.split(cell("departements")) if c]
        for code in codes:
            if code not in departements:
                problem("departements", f"département « {code} » inconnu")
        insee = [c.upper() for c in CODES.split(cell("communes")) if c]
        for code in insee:
            if code not in communes:
                problem("communes", f"commune « {code} » inconnue")
        rows.append(_Row(line, values, codes, [communes.get(c) for c in insee]))
    if not rows and not problems:
        problems.append(f"{name}:2: column « siren »: aucun organisme dans le fichier")
    return rows, problems


def _federations() -> dict:
    found = {}
    for federation in Organisation.objects.filter(kind=OrganisationKind.FEDERATION):
        found[fold(federation.short_name)] = federation
        found[fold(federation.name)] = federation
    for _name, short, family in FEDERATIONS:  # « ESH » for the ESH federation, etc.
        if family and fold(short) in found:
            found.setdefault(fold(family), found[fold(short)])
    return found


def _write(name: str, rows: list[_Row]) -> OrganismImport:
    result = OrganismImport(name, lines=len(rows))
    known = {
        o.siren: o for o in Organisation.objects.filter(siren__in=[r.values["siren"] for r in rows])
    }
    with transaction.atomic():
        for row in rows:
            organism = known.get(row.values["siren"])
            values = {k: v for k, v in row.values.items() if v not in ("", None)}
            if organism is None:
                organism = Organisation(kind=OrganisationKind.ORGANISM)
                values.setdefault("federation", federation_for(values.get("family", "")))
                changed = True
            else:
                changed = any(
                    getattr(organism, k if k != "federation" else "federation_id")
                    != (v.pk if k == "federation" else v)
                    for k, v in values.items()
                )
            for key, value in values.items():
                setattr(organism, key, value)
            is_new = organism.pk is None
            if changed:
                organism.save()
            departements = set(organism.departements.values_list("pk", flat=True))
            if row.departements and not set(row.departements) <= departements:
                organism.departements.add(*row.departements)
                changed = True
            communes = set(organism.communes.values_list("pk", flat=True))
            if row.communes and not set(row.communes) <= communes:
                organism.communes.add(*row.communes)
                changed = True
            if is_new:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
            result.names.append(organism.name)
    return result
