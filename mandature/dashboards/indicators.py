"""What the map colours communes by. Each indicator gives a class per commune, sent as one
character per commune in the order of the map's shapes (« 0 »…« 9 » a class, « - » no data,
« x » outside the user's territory): a few kilobytes for 35,000 communes.

Territorial facts (renewal, housing, SRU) are shown for all of France; what the movement did
(contacts, events) only inside the user's scope."""

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import caches

from mandature.compliance.enums import ElectionKind
from mandature.compliance.models import Election
from mandature.events.models import Invitation, Registration
from mandature.housing.models import HousingYear, SruInventory
from mandature.housing.services import SRU_STATUSES, data_version, sru_statuses
from mandature.movement.scope import Scope
from mandature.officials.enums import ChangeType
from mandature.officials.models import Mandate, Snapshot, SnapshotEntry
from mandature.officials.services import cached_changes, default_comparison
from mandature.relations.models import Interaction
from mandature.territories.models import Commune

from .geometry import codes


@dataclass
class Indicator:
    key: str
    label: str
    classes: list[tuple[str, str]]  # (label, colour)
    personal: bool = False  # the movement's own work: limited to the scope
    note: str = ""
    values: dict[str, int] = field(default_factory=dict)


def renewal_start() -> date:
    """First round of the latest municipal elections (the calendar), else March 2026."""
    election = (
        Election.objects.filter(kind=ElectionKind.MUNICIPALES, first_round__lte=date.today())
        .order_by("-first_round")
        .first()
    )
    return election.first_round if election else date(2026, 3, 15)


def _new_mayor() -> Indicator:
    indicator = Indicator(
        "nouveau-maire",
        "Renouvellement des maires",
        [
            ("premier mandat de maire", "#b3261e"),
            ("nouveau maire, déjà maire auparavant", "#f08c4a"),
            ("maire réélu", "#9fb8d9"),
            ("maire non encore renseigné", "#e9e4d8"),
        ],
    )
    pair = default_comparison()
    if pair is None:
        indicator.note = "Deux fichiers des maires sont nécessaires pour comparer."
        return indicator
    changes = cached_changes(*pair)
    classes = {ChangeType.FIRST_TIME_MAYOR: 0, ChangeType.NEW_MAYOR: 1, ChangeType.RE_ELECTED: 2}
    reported = set()
    for change in changes.changes:
        code = change.seat.commune_id
        if change.type in classes and code:
            indicator.values[code] = classes[change.type]
            reported.add(code)

    before = set(
        SnapshotEntry.objects.filter(snapshot=pair[0]).values_list("commune_id", flat=True)
    )
    after = set(SnapshotEntry.objects.filter(snapshot=pair[1]).values_list("commune_id", flat=True))
    for code in before - after:
        indicator.values.setdefault(code, 3)
    indicator.note = (
        f"Maires au {pair[1].data_date:%d/%m/%Y} comparés à ceux du {pair[0].data_date:%d/%m/%Y} "
        "(RNE)."
    )
    return indicator


RATE_BANDS = [
    (5, "moins de 5 %"),
    (10, "5 à 10 %"),
    (15, "10 à 15 %"),
    (20, "15 à 20 %"),
    (25, "20 à 25 %"),
    (None, "25 % et plus"),
]
RATE_COLOURS = ["#f3efe6", "#d9e3ef", "#a9c1dd", "#6f97c4", "#3c6aa5", "#1d3f73"]


def _housing_rate() -> Indicator:
    indicator = Indicator(
        "taux-hlm",
        "Taux de logements sociaux (estimation DGCL)",
        [(label, colour) for (_, label), colour in zip(RATE_BANDS, RATE_COLOURS, strict=True)],
    )
    year = HousingYear.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        indicator.note = "Aucune donnée logement chargée."
        return indicator
    rows = HousingYear.objects.filter(year=year).values_list(
        "commune_id", "social_units", "housing_units"
    )
    for code, social, homes in rows:
        if not homes or social is None:
            continue
        rate = 100 * social / homes
        indicator.values[code] = next(
            i for i, (limit, _) in enumerate(RATE_BANDS) if limit is None or rate < limit
        )
    indicator.note = (
        f"Logements sociaux / logements (taxe d'habitation), critères DGCL {year} : estimation, "
        "non l'inventaire SRU."
    )
    return indicator


def _sru() -> Indicator:
    keys = list(SRU_STATUSES)
    colours = ["#b3261e", "#2e7d32", "#f0b74a", "#d9e3ef", "#e9e4d8"]
    indicator = Indicator(
        "sru",
        "Situation SRU (article 55)",
        [(SRU_STATUSES[k], c) for k, c in zip(keys, colours, strict=True)],
    )
    communes = list(
        Commune.objects.current().only("code", "population", "region", "epci", "departement")
    )
    for code, status in sru_statuses(communes).items():
        indicator.values[code] = keys.index(status)
    indicator.note = (
        "Inventaire officiel quand il a été importé, sinon estimation de Mandature (seuils de "
        "population, EPCI ; CCH L.302-5)."
    )
    return indicator


def _contacted(scope: Scope) -> Indicator:
    start = renewal_start()
    indicator = Indicator(
        "contacte",
        "Communes contactées depuis le renouvellement",
        [("au moins un échange", "#2e7d32"), ("aucun échange", "#e9e4d8")],
        personal=True,
        note=f"Échanges enregistrés depuis le {start:%d/%m/%Y} avec la commune ou l'un de "
        "ses élus.",
    )
    recent = Interaction.objects.filter(date__gte=start)
    touched = set(recent.exclude(commune=None).values_list("commune_id", flat=True))
    persons = Interaction.persons.through.objects.filter(interaction__date__gte=start)
    touched |= set(
        Mandate.objects.filter(person_id__in=persons.values("person_id"))
        .exclude(commune=None)
        .values_list("commune_id", flat=True)
    )
    for code in codes():
        indicator.values[code] = 0 if code in touched else 1
    return indicator


def _events(scope: Scope) -> Indicator:
    indicator = Indicator(
        "evenement",
        "Participation aux événements",
        [
            ("venu à un événement", "#1d3f73"),
            ("inscrit", "#6f97c4"),
            ("invité, pas inscrit", "#d9e3ef"),
            ("pas invité", "#f3efe6"),
        ],
        personal=True,
        note="Invitations, inscriptions et arrivées pointées à l'accueil.",
    )
    invited = set(Invitation.objects.exclude(commune=None).values_list("commune_id", flat=True))
    registered = Registration.objects.filter(status="confirmed").exclude(invitation__commune=None)
    came = set(
        registered.exclude(checked_in_at=None).values_list("invitation__commune_id", flat=True)
    )
    booked = set(registered.values_list("invitation__commune_id", flat=True))
    for code in codes():
        if code in came:
            indicator.values[code] = 0
        elif code in booked:
            indicator.values[code] = 1
        elif code in invited:
            indicator.values[code] = 2
        else:
            indicator.values[code] = 3
    return indicator


PUBLIC = {"nouveau-maire": _new_mayor, "taux-hlm": _housing_rate, "sru": _sru}
PERSONAL = {"contacte": _contacted, "evenement": _events}
LABELS = {
    "nouveau-maire": "Nouveau maire (mars 2026)",
    "taux-hlm": "Taux de logements sociaux",
    "sru": "Situation SRU",
    "contacte": "Contactée ou non",
    "evenement": "Venue à un événement",
}


def _public_version() -> str:
    """Changes when the data behind the territorial indicators does."""
    last = Snapshot.objects.order_by("-pk").values_list("pk", flat=True).first()
    return f"{last}:{data_version()}:{SruInventory.objects.count()}"


def indicator(key: str, scope: Scope) -> Indicator:
    if key in PUBLIC:
        cache_key = f"map:{key}:{_public_version()}"
        found = caches["shared"].get(cache_key)
        if found is None:
            found = PUBLIC[key]()
            caches["shared"].set(cache_key, found, timeout=None)
        return found
    return PERSONAL[key](scope)


def encode(found: Indicator, scope: Scope) -> tuple[str, list[int]]:
    """One character per commune of the map, and the count of communes in each class."""
    inside = None
    if found.personal and not scope.national:
        inside = set(scope.filter_communes(Commune.objects.current()).values_list("pk", flat=True))
    counts = [0] * len(found.classes)
    chars = []
    values = found.values
    for code in codes():
        if inside is not None and code not in inside:
            chars.append("x")
            continue
        value = values.get(code)
        if value is None:
            chars.append("-")
        else:
            counts[value] += 1
            chars.append(str(value))
    return "".join(chars), counts
