"""Place RNE rows on today's territories, through former codes when communes have merged."""

from dataclasses import dataclass

from mandature.core.text import fold
from mandature.territories.models import Commune, CommuneAlias, Departement, Epci, Region

from .enums import SnapshotKind
from .sources.rne import Row

ABROAD = {"ZZ", "99"}
COMMUNE_KINDS = frozenset({SnapshotKind.MAIRES.value, SnapshotKind.CM.value, SnapshotKind.CA.value})
# Collectivities with a code of their own in the RNE: (région, département or None, name).
SPECIAL = {
    "6AE": ("44", None, "Collectivité européenne d'Alsace"),
    "69M": ("84", "69", "Métropole de Lyon"),
    "20R": ("94", None, "Collectivité de Corse"),
    "ZX": (None, None, "Saint-Martin / Saint-Barthélemy"),
}


@dataclass
class Place:
    territory_key: str
    commune: str | None = None
    epci: str | None = None
    departement: str | None = None
    region: str | None = None
    code: str = ""
    label: str = ""


class Placer:
    """Caches of today's territories; `place(kind, row)` returns a Place or an error message."""

    def __init__(self):
        self.communes = {
            code: (dept, region)
            for code, dept, region in Commune.objects.filter(is_current=True).values_list(
                "code", "departement_id", "region_id"
            )
        }
        self.former: dict[str, str] = {}
        for code, successor in Commune.objects.filter(
            is_current=False, successor__isnull=False
        ).values_list("code", "successor_id"):
            self.former[code] = successor
        for code, commune in CommuneAlias.objects.values_list("code", "commune_id"):
            if code not in self.communes:
                self.former.setdefault(code, commune)
        self.departements = dict(Departement.objects.values_list("code", "region_id"))
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.epcis = set(Epci.objects.values_list("siren", flat=True))
        self.cache: dict[tuple[str, str], Place | str] = {}

    def commune(self, code: str) -> str | None:
        if code in self.communes:
            return code
        current = self.former.get(code)
        return current if current in self.communes else None

    def place(self, kind: str, row: Row) -> Place | str:
        """Rows of a commune share one Place: half a million rows, some 35,000 communes."""
        if kind in COMMUNE_KINDS:
            key = (row.commune, row.code)
            found = self.cache.get(key)
            if found is None:
                found = self.cache[key] = self._place(kind, row)
            return found
        return self._place(kind, row)

    def _place(self, kind: str, row: Row) -> Place | str:  # one branch per kind
        if kind in COMMUNE_KINDS:
            commune = self.commune(row.commune)
            if commune is None:
                return f"commune « {row.commune} » inconnue, même parmi les anciens codes"
            dept, region = self.communes[commune]
            key = commune if kind != SnapshotKind.CA else f"{commune}:{fold(row.code)}"
            return Place(key, commune, None, dept, region, row.code, row.label)
        if kind == SnapshotKind.EPCI:
            if row.siren not in self.epcis:
                return f"EPCI de SIREN « {row.siren} » inconnu"
            commune = self.commune(row.commune) if row.commune else None
            place = Place(row.siren, commune, row.siren)
            if commune:
                place.departement, place.region = self.communes[commune]
            return place
        if kind == SnapshotKind.RPE:
            return Place("france")
        if kind in (SnapshotKind.CONS, SnapshotKind.AFE):
            return Place(f"etranger:{row.code}", code=row.code, label=row.label)
        if kind == SnapshotKind.CR:
            if row.region not in self.regions:
                return f"région « {row.region} » inconnue"
            dept = row.code if row.code in self.departements else None
            return Place(
                f"{row.region}:{row.code}", None, None, dept, row.region, row.code, row.label
            )
        if kind == SnapshotKind.MA:
            return self._collectivity(row)
        # CD, DEP, SEN: a département, a collectivity, or abroad.
        dept = row.dept or row.csp
        if dept in ABROAD:
            return Place(f"etranger:{row.code}", code=row.code, label=row.label or "Étranger")
        key = f"{dept}:{row.code}" if row.code else dept
        if dept in self.departements:
            return Place(key, None, None, dept, self.departements[dept], row.code, row.label)
        if dept in SPECIAL:
            region, department, name = SPECIAL[dept]
            return Place(key, None, None, department, region, row.code, row.label or name)
        if dept in self.regions:  # Corse, Martinique, Guyane as collectivities
            return Place(key, None, None, None, dept, row.code, row.label)
        return f"département « {row.dept} » inconnu"

    def _collectivity(self, row: Row) -> Place | str:
        """An assembly: Métropole de Lyon (69M), Corse (94, a région code), overseas (972…)."""
        code = row.code
        key = f"{row.csp or row.dept or row.region}:{code}"
        if row.csp in SPECIAL:
            region, department, name = SPECIAL[row.csp]
            return Place(key, None, None, department, region, code, row.label or name)
        if len(row.csp) == 3 and row.csp in self.departements:
            dept = row.csp
            return Place(key, None, None, dept, self.departements[dept], code, row.label)
        if row.csp in self.regions:
            return Place(key, None, None, None, row.csp, code, row.label)
        if row.dept in self.departements:
            return Place(key, None, None, row.dept, self.departements[row.dept], code, row.label)
        if row.region in self.regions:
            return Place(key, None, None, None, row.region, code, row.label)
        return f"collectivité « {row.csp or code} » inconnue"
