"""The housing profile of a commune: figures by year, comparisons, the SRU situation.

Everything derived here is an estimate from the DGCL criteria (social housing over homes
subject to the housing tax), labelled as such, unless an SRU inventory was imported.
"""

import hashlib
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import caches
from django.db.models import Count, Max, Q, Sum

from mandature.core.french import number, percent
from mandature.core.models import ImportRun
from mandature.territories.models import Commune, Epci

from .models import HousingYear, KeyFigure, SruInventory

ILE_DE_FRANCE = "11"
OVERSEAS_COLLECTIVITIES = {"975", "977", "978", "984", "986", "987", "988", "989"}
SRU_EPCI_POPULATION = 50_000
SRU_CENTRAL_COMMUNE = 15_000
RATE_METHOD = (
    "Taux estimé : logements sociaux ÷ logements soumis à la taxe d'habitation (« logements TH »), "
    "critères de répartition des dotations de la DGCL. Le taux officiel de la loi SRU se calcule "
    "sur les résidences principales, avec les règles de décompte de l'inventaire SRU."
)


@dataclass
class Figures:
    """One territory, one year (sums over its communes for an EPCI, a département…)."""

    label: str
    year: int
    population: int | None = None
    housing_units: int | None = None
    social_units: int | None = None
    benefit_recipients: int | None = None
    qpv_population: int | None = None
    communes: int = 1

    @property
    def rate(self) -> Decimal | None:
        """Social-housing rate in %, one decimal; None when the stock is unknown (a commune of
        a territory without taxe d'habitation reports 0 homes: that is not a figure)."""
        if not self.housing_units or self.social_units is None:
            return None
        value = Decimal(100 * self.social_units) / Decimal(self.housing_units)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def qpv_share(self) -> Decimal | None:
        if not self.population or self.qpv_population is None:
            return None
        value = Decimal(100 * self.qpv_population) / Decimal(self.population)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class SruSituation:
    official: bool
    subject: bool | None  # None: cannot be told from the data at hand
    summary: str  # the situation in one sentence of plain French
    details: list[str] = field(default_factory=list)
    target_rate: int | None = None
    rate: Decimal | None = None
    deficit: int | None = None
    year: int | None = None
    carence: bool = False
    exempt: bool = False


@dataclass
class HousingProfile:
    commune: Commune
    years: list[Figures]
    latest: Figures | None
    comparison: list[Figures]  # the commune, its EPCI, département, région, France (latest year)
    sru: SruSituation
    missing: list[str]

    @property
    def has_data(self) -> bool:
        return self.latest is not None and self.latest.rate is not None


def _figures(label: str, row: HousingYear) -> Figures:
    return Figures(
        label,
        row.year,
        row.population,
        row.housing_units,
        row.social_units,
        row.benefit_recipients,
        row.qpv_population,
    )


def data_version() -> int:
    """Changes whenever housing data is imported: keys the caches of the aggregates."""
    latest = (
        ImportRun.objects.filter(source__in=("logement-dgcl", "inventaire-sru"))
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return latest or 0


def aggregate(
    year: int, label: str, scope: Q | None = None, version: int | None = None
) -> Figures | None:
    """Sums over the current communes of a territory (all of France without scope), cached
    until the next housing import."""
    version = data_version() if version is None else version
    scope_key = hashlib.md5(f"{label}|{scope!s}".encode()).hexdigest()  # a cache key
    key = f"housing:aggregate:{version}:{year}:{scope_key}"
    cache = caches["default"]
    found = cache.get(key)
    if found is not None:
        return found or None
    rows = HousingYear.objects.filter(year=year, commune__is_current=True)
    if scope is not None:
        rows = rows.filter(scope)
    totals = rows.aggregate(
        communes=Count("id"),
        population=Sum("population"),
        housing_units=Sum("housing_units"),
        social_units=Sum("social_units"),
        benefit_recipients=Sum("benefit_recipients"),
        qpv_population=Sum("qpv_population"),
    )
    result = (
        Figures(
            label,
            year,
            **{k: v for k, v in totals.items() if k != "communes"},
            communes=totals["communes"],
        )
        if totals["communes"]
        else None
    )
    cache.set(key, result or False, 3600)
    return result


_UNREAD = object()


def commune_profile(
    commune: Commune,
    version: int | None = None,
    rows: list[HousingYear] | None = None,
    inventory: "SruInventory | None | object" = _UNREAD,
    compare: bool = True,
) -> HousingProfile:
    """`rows` (the commune's years, in order) and `inventory` (its latest SRU inventory or
    None) when the caller read them for many communes at once; `compare=False` leaves out the
    comparison with the EPCI, département, région and France (lists that do not show it)."""
    version = data_version() if version is None else version
    if rows is None:
        rows = list(HousingYear.objects.filter(commune=commune).order_by("year"))
    years = [_figures(commune.name, row) for row in rows]
    latest = years[-1] if years else None
    missing = []
    if not years:
        missing.append(
            "Aucune donnée logement de la DGCL pour cette commune (commune créée depuis 2022, "
            "ou collectivité d'outre-mer hors du champ des dotations)."
        )
    elif latest.rate is None:
        missing.append(
            f"Le nombre de logements de la commune n'est pas connu pour {latest.year} (pas de "
            "taxe d'habitation) : pas de taux calculable."
        )
    if latest is not None and latest.benefit_recipients is None:
        missing.append(f"Bénéficiaires des aides au logement non diffusés pour {latest.year}.")
    comparison = []
    if latest is not None and compare:
        comparison.append(latest)
        if commune.epci_id:
            scope = Q(commune__epci=commune.epci_id)
            epci_figures = aggregate(latest.year, commune.epci.name, scope, version)
            if epci_figures:
                comparison.append(epci_figures)
        for label, scope in (
            (commune.departement.name, Q(commune__departement=commune.departement_id)),
            (commune.region.name, Q(commune__region=commune.region_id)),
            ("France", None),
        ):
            figures = aggregate(latest.year, label, scope, version)
            if figures:
                comparison.append(figures)
    sru = sru_situation(commune, latest, inventory)
    return HousingProfile(commune, years, latest, comparison, sru, missing)


def prime_epci_sru_criteria(epci_ids: set[str]) -> None:
    """epci_sru_criteria() for many EPCI at once (two queries), into the same cache."""
    cache = caches["default"]
    wanted = [e for e in epci_ids if cache.get(f"housing:epci-criteria:{e}") is None]
    if not wanted:
        return
    populations = {
        row["pk"]: row["population_municipale"] or row["population"]
        for row in Epci.objects.filter(pk__in=wanted).values(
            "pk", "population_municipale", "population"
        )
    }
    largest = dict(
        Commune.objects.current()
        .filter(epci_id__in=wanted)
        .values("epci_id")
        .annotate(m=Max("population"))
        .values_list("epci_id", "m")
    )
    cache.set_many(
        {f"housing:epci-criteria:{e}": (populations.get(e), largest.get(e)) for e in wanted}, 3600
    )


def epci_sru_criteria(epci_id: str) -> tuple[int | None, int | None]:
    """(population, largest commune's population) of an EPCI, from the bundled territories."""
    key = f"housing:epci-criteria:{epci_id}"
    cache = caches["default"]
    found = cache.get(key)
    if found is None:
        epci = Epci.objects.filter(pk=epci_id).values("population_municipale", "population").first()
        largest = Commune.objects.current().filter(epci_id=epci_id).aggregate(m=Max("population"))
        population = (epci or {}).get("population_municipale") or (epci or {}).get("population")
        found = (population, largest["m"])
        cache.set(key, found, 3600)
    return found


def sru_situation(
    commune: Commune, latest: Figures | None, inventory: "SruInventory | None | object" = _UNREAD
) -> SruSituation:
    if inventory is _UNREAD:
        inventory = SruInventory.objects.filter(commune=commune).order_by("-year").first()
    if inventory is not None:
        return _official(inventory)
    population = commune.population or (latest.population if latest else None)
    idf = commune.region_id == ILE_DE_FRANCE
    threshold = 1_500 if idf else 3_500
    details = [
        "Estimation de Mandature, non l'inventaire officiel (qu'un administrateur peut importer)."
    ]
    if commune.departement_id in OVERSEAS_COLLECTIVITIES:
        return SruSituation(
            False,
            False,
            "L'article 55 de la loi SRU ne s'applique pas dans les collectivités d'outre-mer.",
            details,
        )
    if population is None:
        return SruSituation(
            False, None, "Population inconnue : situation SRU non estimable.", details
        )
    if population < threshold:
        return SruSituation(
            False,
            False,
            f"Avec {number(population)} habitants, sous le seuil de {number(threshold)} "
            f"habitants{' en Île-de-France' if idf else ''}, la commune n'est pas soumise à "
            "l'obligation de logements sociaux de l'article 55 de la loi SRU.",
            details,
        )
    epci_population, largest = (
        epci_sru_criteria(commune.epci_id) if commune.epci_id else (None, None)
    )
    in_scope = (
        epci_population is not None
        and epci_population > SRU_EPCI_POPULATION
        and largest is not None
        and largest > SRU_CENTRAL_COMMUNE
    )
    if not commune.epci_id:
        return SruSituation(
            False,
            None,
            f"Avec {number(population)} habitants, la commune dépasse le seuil de population "
            "mais n'appartient à aucun EPCI : elle n'est soumise à l'article 55 que si elle "
            "appartient à une agglomération de plus de 50 000 habitants comprenant une commune de "
            "plus de 15 000 (critère que les données de Mandature ne permettent pas de vérifier).",
            details,
        )
    if not in_scope:
        return SruSituation(
            False,
            None,
            f"Avec {number(population)} habitants, la commune dépasse le seuil de population, "
            "mais son EPCI ne compte pas plus de 50 000 habitants avec une commune de plus de "
            "15 000 : elle n'est probablement pas soumise à l'article 55, sauf si elle appartient "
            "à une agglomération de plus de 50 000 habitants comprenant une telle commune "
            "(critère que les données de Mandature ne permettent pas de vérifier).",
            details,
        )
    target = 25
    details.append(
        "Taux légal retenu : 25 % ; il est de 20 % dans les territoires où la situation du "
        "logement ne justifie pas un effort supplémentaire (liste fixée par décret). Des "
        "exemptions sont possibles (CCH L.302-5, III)."
    )
    rate = latest.rate if latest else None
    if rate is None:
        return SruSituation(
            False,
            True,
            "La commune est probablement soumise à l'article 55 de la loi SRU (25 % de logements "
            "sociaux), mais son taux ne peut pas être estimé faute de données.",
            details,
            target_rate=target,
        )
    deficit = max(0, math.ceil(target * latest.housing_units / 100 - latest.social_units))
    if deficit == 0:
        summary = (
            f"La commune est probablement soumise à l'article 55 de la loi SRU et atteint le taux "
            f"légal : {percent(rate)} de logements sociaux estimés pour {target} % demandés."
        )
    else:
        summary = (
            f"La commune est probablement soumise à l'article 55 de la loi SRU : {percent(rate)} "
            f"de logements sociaux estimés pour {target} % demandés, soit environ "
            f"{number(deficit)} logements sociaux manquants."
        )
    return SruSituation(
        False,
        True,
        summary,
        details,
        target_rate=target,
        rate=rate,
        deficit=deficit,
        year=latest.year,
    )


def _official(inventory: SruInventory) -> SruSituation:
    details = [f"Inventaire SRU officiel au 1er janvier {inventory.year} ({inventory.source})."]
    rate = inventory.rate.quantize(Decimal("0.1")) if inventory.rate is not None else None
    if inventory.subject is False:
        summary = "Selon l'inventaire SRU, la commune n'est pas soumise à l'article 55."
    elif inventory.exempt:
        summary = "Selon l'inventaire SRU, la commune est exemptée des obligations de l'article 55."
    elif rate is not None and inventory.target_rate:
        summary = (
            f"Selon l'inventaire SRU au 1er janvier {inventory.year}, la commune compte "
            f"{percent(rate)} de logements sociaux pour {inventory.target_rate} % demandés"
        )
        if inventory.deficit:
            summary += f", soit {number(inventory.deficit)} logements manquants"
        summary += "."
    else:
        written = percent(rate) if rate is not None else "non renseigné"
        summary = f"Inventaire SRU au 1er janvier {inventory.year} : taux {written}."
    if inventory.carence:
        summary += " Elle fait l'objet d'un arrêté de carence du préfet."
    return SruSituation(
        True,
        inventory.subject,
        summary,
        details,
        inventory.target_rate,
        rate,
        inventory.deficit,
        inventory.year,
        inventory.carence,
        inventory.exempt,
    )


def key_figures() -> list[KeyFigure]:
    return list(KeyFigure.objects.filter(on_brief=True).order_by("-year", "order"))


def housing_years() -> list[int]:
    key = f"housing:years:{data_version()}"
    cache = caches["default"]
    years = cache.get(key)
    if years is None:
        years = sorted(HousingYear.objects.values_list("year", flat=True).distinct())
        cache.set(key, years, 3600)
    return years


def territory_housing(label: str, scope: Q) -> dict:
    """A territory's social housing year by year, with France's rate beside (EPCI, département
    and région pages)."""
    version = data_version()
    rows = []
    for year in housing_years():
        figures = aggregate(year, label, scope, version)
        france = aggregate(year, "France", None, version)
        if figures:
            rows.append((figures, france))
    return {"rows": rows, "method": RATE_METHOD}


SRU_STATUSES = {
    "deficitaire": "soumise à l'article 55, en déficit de logements sociaux",
    "atteint": "soumise à l'article 55, taux atteint",
    "soumise": "soumise à l'article 55 (taux inconnu)",
    "non-soumise": "non soumise à l'article 55",
    "incertaine": "situation SRU incertaine ou inconnue",
}


def latest_figures(communes: list[Commune]) -> tuple[dict[str, Figures], dict[str, SruSituation]]:
    """For many communes at once (segments, campaigns): code INSEE → the latest DGCL figures,
    and → the SRU situation (the official inventory when imported, else Mandature's
    estimate)."""
    codes = [c.code for c in communes]
    latest_year = HousingYear.objects.order_by("-year").values_list("year", flat=True).first()
    rows, inventories = {}, {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        if latest_year is not None:
            for row in HousingYear.objects.filter(year=latest_year, commune_id__in=chunk):
                rows[row.commune_id] = _figures("", row)
        for inventory in SruInventory.objects.filter(commune_id__in=chunk).order_by("year"):
            inventories[inventory.commune_id] = inventory  # the latest year wins
    prime_epci_sru_criteria({c.epci_id for c in communes if c.epci_id})
    situations = {
        c.code: sru_situation(c, rows.get(c.code), inventories.get(c.code)) for c in communes
    }
    return rows, situations


def sru_statuses(communes: list[Commune]) -> dict[str, str]:
    """Code INSEE → a key of SRU_STATUSES, for many communes at once."""
    statuses = {}
    for code, situation in latest_figures(communes)[1].items():
        if situation.subject is None:
            statuses[code] = "incertaine"
        elif not situation.subject:
            statuses[code] = "non-soumise"
        elif situation.deficit is None:
            statuses[code] = "soumise"
        else:
            statuses[code] = "deficitaire" if situation.deficit > 0 else "atteint"
    return statuses
