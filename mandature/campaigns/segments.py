"""Segments: filters over the officials in office (latest RNE files) and their contact cards,
always inside the user's scope. Persons who object to being contacted are never in a segment
(they are counted apart)."""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Q

from mandature.compliance.territory import SYNTAX, TerritoryError, parse_territory
from mandature.core.forms import CleanText
from mandature.core.french import function_title
from mandature.housing.services import SRU_STATUSES, sru_statuses
from mandature.movement.scope import Scope
from mandature.officials.enums import FUNCTIONS, ChangeType, SnapshotKind
from mandature.officials.models import Mandate, SnapshotEntry, latest_snapshot
from mandature.officials.services import cached_changes, default_comparison
from mandature.relations.models import Contact, Interaction
from mandature.territories.enums import BANDS, EpciKind
from mandature.territories.models import Commune

from .reach import Reacher, Route

STATUSES = {
    "nouveau": (
        "nouveaux (maires ou présidents d'EPCI)",
        {ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR, ChangeType.NEW_PRESIDENT},
    ),
    "premier-mandat": ("premier mandat de maire", {ChangeType.FIRST_TIME_MAYOR}),
    "reelu": ("maires réélus", {ChangeType.RE_ELECTED}),
}


class SegmentForm(CleanText, forms.Form):
    function = forms.ChoiceField(
        label="Mandat et fonction", choices=[(k, v[0]) for k, v in FUNCTIONS.items()]
    )
    status = forms.ChoiceField(
        label="Renouvellement",
        required=False,
        choices=[("", "tous"), *[(k, v[0]) for k, v in STATUSES.items()]],
        help_text="Entre les deux derniers fichiers du RNE.",
    )
    territory = forms.CharField(
        label="Territoire",
        required=False,
        initial="",
        help_text=f"Vide : tout votre territoire ; sinon {SYNTAX}",
    )
    population = forms.ChoiceField(
        label="Population de la commune (ou de l'EPCI)",
        required=False,
        choices=[("", "toutes"), *[(k, v[0]) for k, v in BANDS.items()]],
    )
    sru = forms.ChoiceField(
        label="Situation SRU de la commune",
        required=False,
        choices=[("", "toutes"), *SRU_STATUSES.items()],
        help_text="Inventaire officiel s'il a été importé, sinon estimation de Mandature.",
    )
    epci_kind = forms.ChoiceField(
        label="Nature de l'EPCI", required=False, choices=[("", "toutes"), *EpciKind.choices]
    )
    tags = forms.CharField(
        label="Étiquettes", required=False, help_text="Séparées par des virgules (l'une d'elles)."
    )
    reachable = forms.ChoiceField(
        label="Joignable",
        required=False,
        choices=[
            ("", "peu importe"),
            ("courriel", "par courriel (le sien ou celui de sa mairie)"),
            ("courrier", "par courrier (son adresse ou celle de sa mairie)"),
            ("aucun", "ni par courriel ni par courrier"),
        ],
    )
    contacted = forms.ChoiceField(
        label="Déjà contacté",
        required=False,
        choices=[("", "peu importe"), ("oui", "oui"), ("non", "non")],
    )

    def clean_territory(self):
        text = self.cleaned_data["territory"].strip()
        if not text:
            return ""
        try:
            parse_territory(text)
        except TerritoryError as error:
            raise forms.ValidationError(str(error).capitalize() + ".") from None
        return text


@dataclass
class Member:
    entry: SnapshotEntry
    contact: Contact | None
    status: str = ""


@dataclass
class SegmentResult:
    members: list[Member] = field(default_factory=list)
    objecting: int = 0  # left out: they object to being contacted
    as_of: object = None  # the RNE snapshot
    reach: "Reachability | None" = None

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass
class Reachability:
    """How the members can be reached (`reach.Reacher`): by their own email, by their mairie's,
    by post only (no email at all), or not at all."""

    personal: int = 0
    mairie: int = 0
    post_only: int = 0
    none: int = 0

    @property
    def by_email(self) -> int:
        return self.personal + self.mairie


def _reachability(members: list[Member], wanted: str) -> tuple[list[Member], Reachability]:
    """The members kept by the filter « joignable », and how the kept ones can be reached."""
    reacher = Reacher(members, email=True, letters=True)  # the mairies read once for both
    kept, counts = [], Reachability()
    for member in members:
        email_route = reacher.by_email(member).route
        posted = reacher.by_post(member).route == Route.LETTER
        if wanted == "courriel" and email_route == Route.NONE:
            continue
        if wanted == "courrier" and not posted:
            continue
        if wanted == "aucun" and (email_route != Route.NONE or posted):
            continue
        kept.append(member)
        if email_route == Route.PERSONAL:
            counts.personal += 1
        elif email_route == Route.MAIRIE:
            counts.mairie += 1
        elif posted:
            counts.post_only += 1
        else:
            counts.none += 1
    return kept, counts


def _territory_q(spec: str, kind: str) -> Q:
    territory = parse_territory(spec)
    if territory.national:
        return Q()
    if kind == SnapshotKind.EPCI:
        if territory.kind == "epci":
            return Q(mandate__epci_id=territory.code)
        if territory.communes is not None:
            return Q(mandate__epci__communes__code__in=territory.communes)
        return Q(mandate__epci__communes__departement_id__in=territory.departements)
    if territory.communes is not None:
        return Q(commune_id__in=territory.communes) | Q(mandate__commune_id__in=territory.communes)
    q = Q(commune__departement_id__in=territory.departements) | Q(
        mandate__departement_id__in=territory.departements
    )
    if territory.kind == "region":  # regional councillors' seats have no département
        q |= Q(mandate__region_id__in=territory.regions)
    return q


def _statuses(kind: str) -> dict[int, str]:
    """person id → change type, between the two latest files of the kind."""
    pair = default_comparison(kind)
    if pair is None:
        return {}
    return {c.seat.person_id: c.type for c in cached_changes(*pair).changes}


def _selection(filters: dict, scope: Scope):
    """The segment's entries in the latest RNE file of its kind, within the scope and its
    filters, without the persons who object to being contacted: (snapshot or None, kind,
    queryset ordered and distinct, number of objecting persons left out)."""
    label, kind, code = FUNCTIONS[filters["function"]]
    snapshot = latest_snapshot(kind)
    if snapshot is None:
        return None, kind, None, 0
    entries = SnapshotEntry.objects.filter(snapshot=snapshot)
    if code:
        entries = entries.filter(function_code=code)
    if not scope.national:
        entries = entries.filter(scope.mandate_q("mandate__"))
    if filters.get("territory"):
        entries = entries.filter(_territory_q(filters["territory"], kind))
    band = BANDS.get(filters.get("population") or "")
    if band:
        field_name = (
            "mandate__epci__population" if kind == SnapshotKind.EPCI else "commune__population"
        )
        entries = entries.filter(**{f"{field_name}__gte": band[1]})
        if band[2] is not None:
            entries = entries.filter(**{f"{field_name}__lte": band[2]})
    if filters.get("epci_kind"):
        field_name = "mandate__epci__kind" if kind == SnapshotKind.EPCI else "commune__epci__kind"
        entries = entries.filter(**{field_name: filters["epci_kind"]})
    tags = [t.strip() for t in (filters.get("tags") or "").split(",") if t.strip()]
    if tags:
        entries = entries.filter(person__contact__tags__name__in=tags)
    contacted = Interaction.persons.through.objects.values("person_id")
    if filters.get("contacted") == "oui":
        entries = entries.filter(person_id__in=contacted)
    elif filters.get("contacted") == "non":
        entries = entries.exclude(person_id__in=contacted)
    objecting = Contact.objects.filter(objects_to_contact=True).values("person_id")
    objecting_count = entries.filter(person_id__in=objecting).values("person_id").distinct().count()
    entries = (
        entries.exclude(person_id__in=objecting)
        .order_by("commune__departement_id", "commune__name", "mandate__territory_label", "pk")
        .distinct()
    )
    return snapshot, kind, entries, objecting_count


def evaluate(filters: dict, scope: Scope, *, reach: bool = False) -> SegmentResult:
    """The members; with `reach`, also how they can be reached (the segment's pages)."""
    snapshot, kind, entries, objecting = _selection(filters, scope)
    if snapshot is None:
        return SegmentResult()
    result = SegmentResult(as_of=snapshot)
    result.objecting = objecting
    entries = entries.select_related(
        "person", "commune__departement", "commune__epci", "mandate__epci"
    )
    statuses = _statuses(kind) if kind in (SnapshotKind.MAIRES, SnapshotKind.EPCI) else {}
    wanted = STATUSES.get(filters.get("status") or "")
    contacts = {}
    rows = list(entries)
    person_ids = [e.person_id for e in rows]
    for start in range(0, len(person_ids), 5000):
        for contact in Contact.objects.filter(person_id__in=person_ids[start : start + 5000]):
            contacts[contact.person_id] = contact
    sru = {}
    if filters.get("sru"):
        sru = sru_statuses(list({e.commune_id: e.commune for e in rows if e.commune_id}.values()))
    for entry in rows:
        status = statuses.get(entry.person_id, "")
        if wanted and status not in wanted[1]:
            continue
        if filters.get("sru") and sru.get(entry.commune_id) != filters["sru"]:
            continue
        result.members.append(Member(entry, contacts.get(entry.person_id), status))
    if reach or filters.get("reachable"):
        wanted = filters.get("reachable") or ""
        result.members, result.reach = _reachability(result.members, wanted)
    return result


EXPORT_HEADER = [
    "formule_appel",
    "prenom",
    "nom",
    "sexe",
    "fonction",
    "commune",
    "code_insee",
    "departement",
    "epci",
    "statut",
    "courriel",
    "telephone",
    "adresse_postale",
    "donnees_au",
]
_EXPORT_FIELDS = (
    "pk",
    "person_id",
    "person__first_name",
    "person__last_name",
    "person__sex",
    "function",
    "mandate__kind",
    "commune_id",
    "commune__name",
    "commune__departement_id",
    "mandate__departement_id",
    "mandate__epci__name",
    "commune__epci__name",
)


def export_rows(filters: dict, scope: Scope) -> list[tuple]:
    """The rows of the segment's download (EXPORT_HEADER), the members of `evaluate` in the
    same order, read as plain values: building a model object for every mayor of France would
    take several times longer than the download itself (bench/exports.py)."""
    snapshot, kind, entries, _ = _selection(filters, scope)
    if snapshot is None:
        return []
    statuses = _statuses(kind) if kind in (SnapshotKind.MAIRES, SnapshotKind.EPCI) else {}
    wanted = STATUSES.get(filters.get("status") or "")
    found = list(entries.values_list(*_EXPORT_FIELDS))
    person_ids = list({row[1] for row in found})
    contacts = {}
    for start in range(0, len(person_ids), 5000):
        contacts.update(
            (person_id, rest)
            for person_id, *rest in Contact.objects.filter(
                person_id__in=person_ids[start : start + 5000]
            ).values_list("person_id", "salutation", "email", "phone", "postal_address")
        )
    sru = {}
    if filters.get("sru"):
        codes = {row[7] for row in found if row[7]}
        sru = sru_statuses(list(Commune.objects.filter(pk__in=codes)))
    if filters.get("reachable"):  # needs the mairies and the contact cards: the members'
        kept = {m.entry.pk for m in evaluate(filters, scope).members}
        found = [row for row in found if row[0] in kept]
    kinds = dict(Mandate._meta.get_field("kind").flatchoices)
    as_of = snapshot.data_date.isoformat()
    rows = []
    for (
        _,
        person_id,
        first_name,
        last_name,
        sex,
        function,
        mandate_kind,
        commune,
        name,
        departement,
        mandate_departement,
        epci,
        commune_epci,
    ) in found:
        status = statuses.get(person_id, "")
        if wanted and status not in wanted[1]:
            continue
        if filters.get("sru") and sru.get(commune) != filters["sru"]:
            continue
        salutation, email, phone, address = contacts.get(person_id, ("", "", "", ""))
        function = function_title(function, sex == "F") or kinds.get(mandate_kind, mandate_kind)
        rows.append(
            (
                salutation,
                first_name,
                last_name,
                sex,
                function,
                name or "",
                commune or "",
                departement if commune else (mandate_departement or ""),
                epci or commune_epci or "",
                ChangeType(status).label if status else "",
                email,
                phone,
                address,
                as_of,
            )
        )
    return rows


def describe(filters: dict) -> str:
    parts = [FUNCTIONS[filters["function"]][0]]
    if filters.get("status"):
        parts.append(STATUSES[filters["status"]][0])
    if filters.get("territory"):
        parts.append(parse_territory(filters["territory"]).label)
    if filters.get("population"):
        parts.append(BANDS[filters["population"]][0])
    if filters.get("sru"):
        parts.append(SRU_STATUSES[filters["sru"]])
    if filters.get("epci_kind"):
        parts.append(EpciKind(filters["epci_kind"]).label)
    if filters.get("tags"):
        parts.append(f"étiquettes : {filters['tags']}")
    if filters.get("reachable"):
        parts.append(
            {
                "courriel": "joignables par courriel",
                "courrier": "joignables par courrier",
                "aucun": "injoignables",
            }[filters["reachable"]]
        )
    if filters.get("contacted"):
        parts.append("déjà contactés" if filters["contacted"] == "oui" else "pas encore contactés")
    return " · ".join(parts)
