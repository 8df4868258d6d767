"""The territory of a communication (`france`, `region:32`, `departement:59`, `commune:59350`,
`epci:200093201`) and whether an election concerns it."""

from dataclasses import dataclass

from mandature.territories.models import Commune, Departement, Epci, Region

SYNTAX = "france, region:CODE, departement:CODE, commune:CODE ou epci:SIREN"


class TerritoryError(ValueError):
    pass


@dataclass(frozen=True)
class Territory:
    kind: str
    code: str
    label: str
    regions: frozenset = frozenset()
    departements: frozenset = frozenset()
    communes: frozenset | None = None  # None: every commune of the départements

    @property
    def national(self) -> bool:
        return self.kind == "france"

    @property
    def spec(self) -> str:
        return "france" if self.national else f"{self.kind}:{self.code}"

    def overlaps(self, election) -> bool:
        if election.national or self.national:
            return True
        regions = {r.pk for r in election.regions.all()}
        departements = {d.pk for d in election.departements.all()}
        if regions & self.regions or departements & self.departements:
            return True
        communes = list(election.communes.all())
        if self.communes is None:
            return any(c.departement_id in self.departements for c in communes)
        return any(c.pk in self.communes for c in communes)


def parse_territory(text: str) -> Territory:
    text = (text or "").strip()
    if text.lower() == "france":
        return Territory("france", "", "France entière")
    kind, _, code = text.partition(":")
    kind, code = kind.strip().lower(), code.strip().upper()
    if not code or kind not in ("region", "departement", "commune", "epci"):
        raise TerritoryError(f"territoire « {text} » illisible (attendu : {SYNTAX})")
    if kind == "region":
        region = Region.objects.filter(pk=code).first()
        if region is None:
            raise TerritoryError(f"région « {code} » inconnue")
        departements = frozenset(region.departements.values_list("pk", flat=True))
        return Territory(kind, code, region.name, frozenset({code}), departements)
    if kind == "departement":
        departement = Departement.objects.filter(pk=code).first()
        if departement is None:
            raise TerritoryError(f"département « {code} » inconnu")
        return Territory(
            kind,
            code,
            f"{departement.name} ({code})",
            frozenset({departement.region_id}),
            frozenset({code}),
        )
    if kind == "commune":
        commune = Commune.objects.current().filter(pk=code).first()
        if commune is None:
            raise TerritoryError(f"commune « {code} » inconnue")
        return Territory(
            kind,
            code,
            f"{commune.name} ({code})",
            frozenset({commune.region_id}),
            frozenset({commune.departement_id}),
            frozenset({code}),
        )
    epci = Epci.objects.filter(pk=code).first()
    if epci is None:
        raise TerritoryError(f"EPCI « {code} » inconnu")
    members = list(epci.communes.current().values_list("code", "departement_id", "region_id"))
    regions = frozenset(m[2] for m in members)
    departements = frozenset(m[1] for m in members)
    return Territory(kind, code, epci.name, regions, departements, frozenset(m[0] for m in members))
