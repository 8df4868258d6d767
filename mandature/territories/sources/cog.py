"""The Code officiel géographique files (package @etalab/decoupage-administratif) and the
communes' centroids: one format class each, checked against each other.

Nothing here touches the database. Problems read `FILE: enregistrement N (code X) : champ « F »
: what` (the JSON files) and `FILE:LINE: colonne …` (the centroids); every problem of the four
JSON files is listed before refusing them.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from mandature.core.ingest import Problems
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.records import RecordFormat

from ..enums import EpciKind, Zone

COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DEPARTEMENT_CODE = re.compile(r"^(\d{2}|2[AB]|\d{3})$")
REGION_CODE = re.compile(r"^\d{2,3}$")
SIREN = re.compile(r"^\d{9}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
ZONES = frozenset(Zone.values)  # `Zone.values` builds its list at each call
EPCI_KINDS = frozenset(EpciKind.values)

FILES = {
    "regions": "regions.json.gz",
    "departements": "departements.json.gz",
    "communes": "communes.json.gz",
    "epci": "epci.json.gz",
    "centroids": "communes-2026-centroids-approx.csv.gz",
}
ALIAS_KINDS = {
    "commune-deleguee": "deleguee",
    "commune-associee": "associee",
    "arrondissement-municipal": "arrondissement",
}


@dataclass
class RegionRecord:
    code: str
    name: str
    zone: str
    chef_lieu: str
    liaison: int = 0


@dataclass
class DepartementRecord:
    code: str
    name: str
    region: str
    zone: str
    chef_lieu: str
    liaison: int = 0


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
    liaison: int = 0  # the COG's typeLiaison: the article the name takes


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


class CogFormat(RecordFormat):
    """A COG file: problems name the record's code; codes appear once in a file."""

    def locate(self, index: int, item: dict) -> str:
        code = str(item.get("code", ""))
        return f"enregistrement {index + 1}" + (f" (code {code})" if code else "")

    def zone(self, index: int, item: dict) -> str:
        value = item.get("zone")
        if value not in ZONES:
            self.problem(index, item, "zone", f"zone inconnue {value!r}")
            return Zone.METRO
        return value

    def liaison(self, index: int, item: dict) -> int:
        """The COG's typeLiaison (0 to 8): which article the name takes; 0 when absent."""
        value = self.count(index, item, "liaison")
        if value is not None and value > 8:
            self.problem(index, item, "typeLiaison", f"type de liaison inconnu {value!r} (0 à 8)")
            return 0
        return value or 0

    def check_unique(self, codes: list[str]) -> None:
        seen = set()
        for index, code in enumerate(codes):
            if code in seen:
                self.problem(index, {"code": code}, "code", "code en double")
            seen.add(code)


class RegionFile(CogFormat):
    columns = (
        Column("code", ("code",), required=True),
        Column("name", ("nom",), required=True),
        Column("chef_lieu", ("chefLieu",)),
        Column("liaison", ("typeLiaison",)),
    )

    def clean(self, index: int, item: dict) -> RegionRecord:
        return RegionRecord(
            code=self.text(index, item, "code", REGION_CODE),
            name=self.text(index, item, "name"),
            zone=self.zone(index, item),
            chef_lieu=self.text(index, item, "chef_lieu"),
            liaison=self.liaison(index, item),
        )


class DepartementFile(CogFormat):
    columns = (
        Column("code", ("code",), required=True),
        Column("name", ("nom",), required=True),
        Column("region", ("region",), required=True),
        Column("chef_lieu", ("chefLieu",)),
        Column("liaison", ("typeLiaison",)),
    )

    def __init__(self, name, items, problems=None, regions: frozenset[str] = frozenset()):
        super().__init__(name, items, problems)
        self.regions = regions

    def clean(self, index: int, item: dict) -> DepartementRecord:
        record = DepartementRecord(
            code=self.text(index, item, "code", DEPARTEMENT_CODE),
            name=self.text(index, item, "name"),
            region=self.text(index, item, "region"),
            zone=self.zone(index, item),
            chef_lieu=self.text(index, item, "chef_lieu"),
            liaison=self.liaison(index, item),
        )
        if record.region and record.region not in self.regions:
            self.problem(index, item, "region", f"région inconnue « {record.region} »")
        return record


class CommuneFile(CogFormat):
    """Current communes, and the former ones (déléguées, associées) and arrondissements as
    aliases of the commune they belong to."""

    columns = (
        Column("code", ("code",), required=True),
        Column("name", ("nom",), required=True),
        Column("departement", ("departement",), required=True),
        Column("region", ("region",), required=True),
        Column("siren", ("siren",)),
        Column("population", ("population",)),
        Column("commune", ("commune",), required=True),
        Column("chef_lieu", ("chefLieu",), required=True),
        Column("liaison", ("typeLiaison",)),
    )

    def __init__(self, name, items, problems=None, departements=frozenset(), regions=frozenset()):
        super().__init__(name, items, problems)
        self.departements, self.regions = departements, regions

    def clean(self, index: int, item: dict) -> CommuneRecord | AliasRecord | None:
        code = self.text(index, item, "code", COMMUNE_CODE)
        name = self.text(index, item, "name")
        kind = item.get("type")
        if kind == "commune-actuelle":
            return self.commune(index, item, code, name)
        if kind in ALIAS_KINDS:
            parent = "commune" if kind == "arrondissement-municipal" else "chef_lieu"
            commune = self.text(index, item, parent, COMMUNE_CODE)
            return AliasRecord(code, name, ALIAS_KINDS[kind], commune, index=index)
        self.problem(index, item, "type", f"type inconnu {kind!r}")
        return None

    def commune(self, index: int, item: dict, code: str, name: str) -> CommuneRecord:
        departement = self.text(index, item, "departement")
        region = self.text(index, item, "region")
        if departement and departement not in self.departements:
            self.problem(index, item, "departement", f"département inconnu « {departement} »")
        if region and region not in self.regions:
            self.problem(index, item, "region", f"région inconnue « {region} »")
        postal_codes = item.get("codesPostaux") or []
        if not all(isinstance(p, str) and POSTAL_CODE.match(p) for p in postal_codes):
            self.problem(index, item, "codesPostaux", f"codes postaux invalides {postal_codes!r}")
            postal_codes = []
        former = item.get("anciensCodes") or []
        if not all(isinstance(c, str) and COMMUNE_CODE.match(c) for c in former):
            self.problem(index, item, "anciensCodes", f"codes invalides {former!r}")
            former = []
        return CommuneRecord(
            code=code,
            name=name,
            departement=departement,
            region=region,
            zone=self.zone(index, item),
            siren=self.text(index, item, "siren", SIREN),
            population=self.count(index, item, "population"),
            postal_codes=sorted(set(postal_codes)),
            former_codes=former,
            liaison=self.liaison(index, item),
        )

    def split(self, records: list) -> tuple[list[CommuneRecord], list[AliasRecord]]:
        """Communes, then aliases: the former ones (their commune must be current) and the
        former codes of current communes."""
        communes = [r for r in records if isinstance(r, CommuneRecord)]
        aliases = [r for r in records if isinstance(r, AliasRecord)]
        current = {c.code for c in communes}
        for alias in aliases:
            if alias.commune and alias.commune not in current:
                self.problem(
                    alias.index,
                    {"code": alias.code},
                    "chefLieu",
                    f"commune de rattachement inconnue « {alias.commune} »",
                )
        for commune in communes:
            aliases += [
                AliasRecord(code, "", "ancien-code", commune.code) for code in commune.former_codes
            ]
        return communes, aliases


class EpciFile(CogFormat):
    columns = (
        Column("siren", ("code",), required=True),
        Column("name", ("nom",), required=True),
        Column("financing", ("modeFinancement",)),
        Column("population", ("populationTotale",)),
        Column("population_municipale", ("populationMunicipale",)),
    )

    def __init__(self, name, items, problems=None, communes: frozenset[str] = frozenset()):
        super().__init__(name, items, problems)
        self.communes = communes

    def clean(self, index: int, item: dict) -> EpciRecord:
        siren = self.text(index, item, "siren", SIREN)
        kind = item.get("type")
        if kind not in EPCI_KINDS:
            self.problem(index, item, "type", f"nature d'EPCI inconnue {kind!r}")
        members = []
        for member in item.get("membres") or []:
            code = member.get("code") if isinstance(member, dict) else None
            if code not in self.communes:
                self.problem(index, item, "membres", f"commune membre inconnue {code!r}")
                continue
            members.append(code)
        if not members:
            self.problem(index, item, "membres", "aucune commune membre")
        return EpciRecord(
            siren=siren,
            name=self.text(index, item, "name"),
            kind=kind or "",
            financing=self.text(index, item, "financing"),
            population=self.count(index, item, "population"),
            population_municipale=self.count(index, item, "population_municipale"),
            members=members,
        )


class CentroidFile(Format):
    """The approximate centroid of each commune (CSV): rows of unknown communes are left out."""

    what = "un fichier de centroïdes des communes"
    default_delimiter = ","
    columns = (
        Column("code", ("code insee",), required=True),
        Column("latitude", ("latitude",), required=True),
        Column("longitude", ("longitude",), required=True),
    )
    expected = ("code_insee", "latitude", "longitude")

    def __init__(self, table, communes: frozenset[str] = frozenset()):
        super().__init__(table)
        self.communes = communes

    def check_header(self) -> None:
        if not set(self.expected) <= set(self.table.header):
            self.problems.add_text(
                f"{self.name}:{self.table.header_line}: colonnes attendues "
                f"{sorted(self.expected)}, trouvées {self.table.header}"
            )

    def clean(self, line: int, values: list[str]) -> tuple[str, float, float] | None:
        code = values[self.index["code"]]
        if code not in self.communes:
            return None
        latitude, longitude = values[self.index["latitude"]], values[self.index["longitude"]]
        try:
            return code, float(latitude), float(longitude)
        except ValueError:
            self.problems.add_text(
                f"{self.name}:{line}: colonne « latitude/longitude » : "
                f"nombre attendu ({latitude!r}, {longitude!r})"
            )
            return None

    def finish(self, rows: list) -> None:
        """A file of other communes only is not a problem: they keep no centroid."""


def read_territories(data_dir: Path) -> Territories:
    """Read the five files of a millésime, check them against each other and return records."""
    paths = {key: data_dir / name for key, name in FILES.items()}
    problems = Problems(str(data_dir))
    regions_file = RegionFile.open(paths["regions"], problems=problems)
    regions = regions_file.clean_all()
    region_codes = frozenset(r.code for r in regions)
    departements_file = DepartementFile.open(
        paths["departements"], problems=problems, regions=region_codes
    )
    departements = departements_file.clean_all()
    communes_file = CommuneFile.open(
        paths["communes"],
        problems=problems,
        departements=frozenset(d.code for d in departements),
        regions=region_codes,
    )
    communes, aliases = communes_file.split(communes_file.clean_all())
    by_code = {c.code: c for c in communes}
    epci_file = EpciFile.open(paths["epci"], problems=problems, communes=frozenset(by_code))
    epcis = epci_file.clean_all()
    regions_file.check_unique([r.code for r in regions])
    departements_file.check_unique([d.code for d in departements])
    communes_file.check_unique([c.code for c in communes])
    epci_file.check_unique([e.siren for e in epcis])
    problems.raise_if_any()
    for epci in epcis:
        for code in epci.members:
            by_code[code].epci = epci.siren
    _place(paths["centroids"], by_code)
    return Territories(regions, departements, communes, aliases, epcis, list(paths.values()))


def _place(path: Path, communes_by_code: dict[str, CommuneRecord]) -> None:
    """The centroids of the communes (a file of another format is refused)."""
    (reader,) = CentroidFile.open(path, communes=frozenset(communes_by_code))
    for code, latitude, longitude in reader.read():
        commune = communes_by_code[code]
        commune.latitude, commune.longitude = latitude, longitude
