"""Read and validate the Code officiel géographique files (package @etalab/decoupage-administratif).

Pure functions: they return plain records or raise DataError listing every problem found, with
the file, the record number and the field.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from mandature.core.commands import DataError
from mandature.core.files import read_json, read_text

from ..enums import EpciKind, Zone

COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DEPARTEMENT_CODE = re.compile(r"^(\d{2}|2[AB]|\d{3})$")
REGION_CODE = re.compile(r"^\d{2,3}$")
SIREN = re.compile(r"^\d{9}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
MAX_ERRORS = 20

FILES = {
    "regions": "regions.json.gz",
    "departements": "departements.json.gz",
    "communes": "communes.json.gz",
    "epci": "epci.json.gz",
    "centroids": "communes-2026-centroids-approx.csv.gz",
}


@dataclass
class RegionRecord:
    code: str
    name: str
    zone: str
    chef_lieu: str


@dataclass
class DepartementRecord:
    code: str
    name: str
    region: str
    zone: str
    chef_lieu: str


@dataclass
class CommuneRecord:
    code: str
    name: str
    departement: str
    region: str
    zone: str
    siren: str
    population: int | None
    postal_codes: list[str]
    former_codes: list[str]
    epci: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class AliasRecord:
    code: str
    name: str
    kind: str  # AliasKind value
    commune: str
    index: int = 0  # position of the record in its file, for error messages


@dataclass
class EpciRecord:
    siren: str
    name: str
    kind: str
    financing: str
    population: int | None
    population_municipale: int | None
    members: list[str]


@dataclass
class Territories:
    regions: list[RegionRecord]
    departements: list[DepartementRecord]
    communes: list[CommuneRecord]
    aliases: list[AliasRecord]
    epcis: list[EpciRecord]
    paths: list[Path] = field(default_factory=list)


class Problems:
    """Collects errors as `FILE: record N (code X): field « F »: what is wrong`."""

    def __init__(self):
        self.lines: list[str] = []
        self.count = 0

    def add(self, path: Path, index: int, code: str, name: str, message: str) -> None:
        self.count += 1
        if len(self.lines) < MAX_ERRORS:
            where = f"enregistrement {index + 1}" + (f" (code {code})" if code else "")
            self.lines.append(f"{path}: {where} : champ « {name} » : {message}")

    def raise_if_any(self) -> None:
        if self.count:
            more = self.count - len(self.lines)
            text = "\n".join(self.lines)
            if more > 0:
                text += f"\n… et {more} autre(s) erreur(s)"
            raise DataError(text)


def _list_of_objects(path: Path) -> list[dict]:
    data = read_json(path)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise DataError(f"{path}: une liste d'objets JSON est attendue")
    if not data:
        raise DataError(f"{path}: le fichier ne contient aucun enregistrement")
    return data


def _text(item, key, path, index, problems, pattern=None, required=True) -> str:
    value = item.get(key)
    code = str(item.get("code", ""))
    if value is None or value == "":
        if required:
            problems.add(path, index, code, key, "valeur manquante")
        return ""
    if not isinstance(value, str):
        problems.add(path, index, code, key, f"texte attendu, trouvé {value!r}")
        return ""
    if pattern and not pattern.match(value):
        problems.add(path, index, code, key, f"valeur invalide « {value} »")
    return value


def _count(item, key, path, index, problems) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or value < 0:
        problems.add(
            path, index, str(item.get("code", "")), key, f"entier positif attendu : {value!r}"
        )
        return None
    return value


def _zone(item, path, index, problems) -> str:
    value = item.get("zone")
    if value not in Zone.values:
        problems.add(path, index, str(item.get("code", "")), "zone", f"zone inconnue {value!r}")
        return Zone.METRO
    return value


def read_territories(data_dir: Path) -> Territories:
    """Read the five files of a millésime, check them against each other and return records."""
    paths = {key: data_dir / name for key, name in FILES.items()}
    problems = Problems()

    regions = []
    for i, item in enumerate(_list_of_objects(paths["regions"])):
        regions.append(
            RegionRecord(
                code=_text(item, "code", paths["regions"], i, problems, REGION_CODE),
                name=_text(item, "nom", paths["regions"], i, problems),
                zone=_zone(item, paths["regions"], i, problems),
                chef_lieu=_text(item, "chefLieu", paths["regions"], i, problems, required=False),
            )
        )
    region_codes = {r.code for r in regions}

    departements = []
    path = paths["departements"]
    for i, item in enumerate(_list_of_objects(path)):
        record = DepartementRecord(
            code=_text(item, "code", path, i, problems, DEPARTEMENT_CODE),
            name=_text(item, "nom", path, i, problems),
            region=_text(item, "region", path, i, problems),
            zone=_zone(item, path, i, problems),
            chef_lieu=_text(item, "chefLieu", path, i, problems, required=False),
        )
        if record.region and record.region not in region_codes:
            problems.add(path, i, record.code, "region", f"région inconnue « {record.region} »")
        departements.append(record)
    departement_codes = {d.code for d in departements}

    communes, aliases = _read_communes(paths["communes"], departement_codes, region_codes, problems)
    by_code = {c.code: c for c in communes}
    epcis = _read_epcis(paths["epci"], by_code, problems)
    _check_unique(paths["regions"], [r.code for r in regions], problems)
    _check_unique(paths["departements"], [d.code for d in departements], problems)
    _check_unique(paths["communes"], [c.code for c in communes], problems)
    _check_unique(paths["epci"], [e.siren for e in epcis], problems)
    problems.raise_if_any()
    _read_centroids(paths["centroids"], by_code)
    return Territories(regions, departements, communes, aliases, epcis, list(paths.values()))


def _check_unique(path: Path, codes: list[str], problems: Problems) -> None:
    seen = set()
    for index, code in enumerate(codes):
        if code in seen:
            problems.add(path, index, code, "code", "code en double")
        seen.add(code)


def _read_communes(path, departement_codes, region_codes, problems):
    communes, aliases = [], []
    kinds = {
        "commune-deleguee": "deleguee",
        "commune-associee": "associee",
        "arrondissement-municipal": "arrondissement",
    }
    for i, item in enumerate(_list_of_objects(path)):
        code = _text(item, "code", path, i, problems, COMMUNE_CODE)
        name = _text(item, "nom", path, i, problems)
        kind = item.get("type")
        if kind == "commune-actuelle":
            departement = _text(item, "departement", path, i, problems)
            region = _text(item, "region", path, i, problems)
            if departement and departement not in departement_codes:
                problems.add(path, i, code, "departement", f"département inconnu « {departement} »")
            if region and region not in region_codes:
                problems.add(path, i, code, "region", f"région inconnue « {region} »")
            postal_codes = item.get("codesPostaux") or []
            if not all(isinstance(p, str) and POSTAL_CODE.match(p) for p in postal_codes):
                problems.add(
                    path, i, code, "codesPostaux", f"codes postaux invalides {postal_codes!r}"
                )
                postal_codes = []
            former = item.get("anciensCodes") or []
            if not all(isinstance(c, str) and COMMUNE_CODE.match(c) for c in former):
                problems.add(path, i, code, "anciensCodes", f"codes invalides {former!r}")
                former = []
            communes.append(
                CommuneRecord(
                    code=code,
                    name=name,
                    departement=departement,
                    region=region,
                    zone=_zone(item, path, i, problems),
                    siren=_text(item, "siren", path, i, problems, SIREN, required=False),
                    population=_count(item, "population", path, i, problems),
                    postal_codes=sorted(set(postal_codes)),
                    former_codes=former,
                )
            )
        elif kind in kinds:
            parent_key = "commune" if kind == "arrondissement-municipal" else "chefLieu"
            parent = _text(item, parent_key, path, i, problems, COMMUNE_CODE)
            aliases.append(AliasRecord(code, name, kinds[kind], parent, index=i))
        else:
            problems.add(path, i, code, "type", f"type inconnu {kind!r}")
    current = {c.code for c in communes}
    for alias in aliases:
        if alias.commune and alias.commune not in current:
            problems.add(
                path,
                alias.index,
                alias.code,
                "chefLieu",
                f"commune de rattachement inconnue « {alias.commune} »",
            )
    for commune in communes:
        for former in commune.former_codes:
            aliases.append(
                AliasRecord(code=former, name="", kind="ancien-code", commune=commune.code)
            )
    return communes, aliases


def _read_epcis(path, communes_by_code, problems):
    epcis = []
    for i, item in enumerate(_list_of_objects(path)):
        siren = _text(item, "code", path, i, problems, SIREN)
        kind = item.get("type")
        if kind not in EpciKind.values:
            problems.add(path, i, siren, "type", f"nature d'EPCI inconnue {kind!r}")
        members = []
        for member in item.get("membres") or []:
            code = member.get("code") if isinstance(member, dict) else None
            if code not in communes_by_code:
                problems.add(path, i, siren, "membres", f"commune membre inconnue {code!r}")
                continue
            members.append(code)
            communes_by_code[code].epci = siren
        if not members:
            problems.add(path, i, siren, "membres", "aucune commune membre")
        epcis.append(
            EpciRecord(
                siren=siren,
                name=_text(item, "nom", path, i, problems),
                kind=kind or "",
                financing=_text(item, "modeFinancement", path, i, problems, required=False),
                population=_count(item, "populationTotale", path, i, problems),
                population_municipale=_count(item, "populationMunicipale", path, i, problems),
                members=members,
            )
        )
    return epcis


def _read_centroids(path: Path, communes_by_code: dict[str, CommuneRecord]) -> None:
    reader = csv.DictReader(read_text(path))
    expected = {"code_insee", "latitude", "longitude"}
    if not reader.fieldnames or not expected <= set(reader.fieldnames):
        raise DataError(
            f"{path}:1: colonnes attendues {sorted(expected)}, trouvées {reader.fieldnames}"
        )
    for row in reader:
        commune = communes_by_code.get(row["code_insee"])
        if commune is None:
            continue
        try:
            commune.latitude = float(row["latitude"])
            commune.longitude = float(row["longitude"])
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"{path}:{reader.line_num}: colonne « latitude/longitude » : "
                f"nombre attendu ({row['latitude']!r}, {row['longitude']!r})"
            ) from exc
