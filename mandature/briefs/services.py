"""Everything a commune's brief shows, as plain data (JSON-serialisable): the web page renders
it with a Django template, the PDF with Typst, so both say the same thing."""

import hashlib
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone

from mandature.core.french import long_date, merge_available, number, percent, typography
from mandature.core.memo import national
from mandature.directory.services import MairieCard, mairie_card, mairie_cards
from mandature.housing.models import HousingYear, SruInventory
from mandature.housing.services import (
    RATE_METHOD,
    HousingProfile,
    commune_profile,
    data_version,
    key_figures,
)
from mandature.movement.enums import OrganisationKind
from mandature.movement.models import Organisation
from mandature.officials.enums import SnapshotKind
from mandature.officials.models import latest_snapshot
from mandature.officials.services import TeamLookups, commune_team, mayor_entries_of
from mandature.territories.models import Commune

from . import charts
from .models import BriefContent, RegionalContact

UNAVAILABLE = "donnée indisponible"
NATIONAL_CONTACT = {
    "name": "L'Union sociale pour l'habitat",
    "address": "14, rue Lord Byron, 75384 Paris Cedex 08",
    "phone": "",
    "email": "",
    "website": "https://www.union-habitat.org",
}
TEMPLATE_VERSION = 2  # bump when the layout of the PDF changes: every brief is rebuilt


@dataclass
class Shared:
    """What every brief of a batch shares, read once (one web request reads it once too)."""

    content: BriefContent | None
    questions: list
    key_figures: list
    contacts: dict
    teams: TeamLookups | None
    housing_version: int

    @classmethod
    def load(cls, batch: bool = False, region: str | None = None) -> "Shared":
        """`batch`: also read the EPCI presidents and former mayors of all France at once;
        `region`: the contact of this région only (one brief)."""
        content = BriefContent.current()
        return cls(
            content=content,
            questions=list(content.questions.all()) if content else [],
            key_figures=key_figures(),
            contacts=_regional_contacts(region),
            teams=TeamLookups.load() if batch else None,
            housing_version=data_version(),
        )


def _regional_contacts(region: str | None = None) -> dict:
    """Région → its contact: the one staff set for the brief, else the regional association of
    the movement covering the région when it has an email or a phone (every région, or the one
    given)."""
    contacts = {}
    associations = Organisation.objects.filter(kind=OrganisationKind.REGIONAL, active=True)
    staff_set = RegionalContact.objects.all()
    if region is not None:
        associations = associations.filter(regions=region)
        staff_set = staff_set.filter(region_id=region)
    for association in associations.prefetch_related("regions"):
        if not (association.email or association.phone):
            continue
        for covered in association.regions.all():
            contacts.setdefault(
                covered.code,
                SimpleNamespace(
                    name=association.name,
                    address=association.address,
                    phone=association.phone,
                    email=association.email,
                    website=association.website,
                ),
            )
    contacts.update({c.region_id: c for c in staff_set})
    return contacts


@dataclass
class Prefetched:
    """The per-commune rows of many communes, read at once (a batch reads 40 communes a time)."""

    housing: dict[str, list]
    sru: dict[str, object]
    mayors: dict[str, list]
    mairies: dict[str, MairieCard] = field(default_factory=dict)

    @classmethod
    def read(cls, codes: list[str]) -> "Prefetched":
        housing: dict[str, list] = {code: [] for code in codes}
        for row in HousingYear.objects.filter(commune__in=codes).order_by("commune", "year"):
            housing[row.commune_id].append(row)
        sru: dict[str, object] = dict.fromkeys(codes)
        for inventory in SruInventory.objects.filter(commune__in=codes).order_by("year"):
            sru[inventory.commune_id] = inventory  # the latest year wins
        return cls(housing, sru, mayor_entries_of(codes), mairie_cards(codes))


@dataclass
class Brief:
    commune: Commune
    data: dict
    unknown_fields: list[str]

    def payload(self) -> tuple[str, str]:
        """(JSON of the data without the edition date, fingerprint): the same data, content
        version and layout give the same fingerprint, and the brief need not be made again."""
        stable = {k: v for k, v in self.data.items() if k != "generated_on"}
        text = json.dumps(stable, ensure_ascii=False)
        return text, hashlib.sha256(f"{TEMPLATE_VERSION}\n{text}".encode()).hexdigest()

    @property
    def digest(self) -> str:
        return self.payload()[1]


def _name(entry) -> str:
    person = entry.person
    return f"{person.first_name} {person.last_name}"


def _team(commune: Commune, shared: Shared, prefetched: Prefetched | None) -> dict:
    if prefetched is not None:
        entries = prefetched.mayors.get(commune.code, [])
        team = commune_team(commune, council=False, lookups=shared.teams, mayor_entries=entries)
    else:  # one brief: kept in the process until the next import
        team = national(
            ("brief-team", commune.code),
            lambda: commune_team(commune, council=False, lookups=shared.teams),
            pool="commune",
        )
    mayor = None
    if team.mayor is not None:
        if team.mayor_is_new:
            status = (
                "nouveau maire, premier mandat de maire"
                if team.mayor_first_time
                else "nouveau maire, déjà maire auparavant"
            )
            if team.mayor.person.sex == "F":
                status = status.replace("nouveau", "nouvelle")
        elif team.mayor_re_elected:
            status = "réélue" if team.mayor.person.sex == "F" else "réélu"
        else:  # no mayor known before the renewal to compare with
            status = ""
        start = team.mayor.function_start or team.mayor.mandate.start_date
        mayor = {
            "name": _name(team.mayor),
            "title": "Maire",
            "status": status,
            "since": long_date(start) if start else "",
            "as_of": long_date(team.mayor.snapshot.data_date),
            "source": team.mayor.snapshot.source,
            "reported": team.reported,
            "latest": long_date(team.latest_mayors.data_date) if team.latest_mayors else "",
        }
    president = None
    if team.epci_president is not None:
        president = {
            "name": _name(team.epci_president),
            "title": "Présidente" if team.epci_president.person.sex == "F" else "Président",
            "source": team.epci_president.snapshot.source,
            "as_of": long_date(team.epci_president.snapshot.data_date),
        }
    return {"mayor": mayor, "epci_president": president, "adjoint_count": len(team.adjoints)}


def _contact(commune: Commune, shared: Shared) -> dict:
    contact = shared.contacts.get(commune.region_id)
    if contact is None:
        return NATIONAL_CONTACT | {"regional": False}
    return {
        "name": contact.name,
        "address": contact.address,
        "phone": contact.phone,
        "email": contact.email,
        "website": contact.website,
        "regional": True,
    }


FIELD_LABELS = {
    "commune": "nom de la commune",
    "population": "population",
    "departement": "département",
    "region": "région",
    "epci": "intercommunalité",
    "annee": "année des données",
    "logements": "nombre de logements",
    "logements_sociaux": "logements sociaux",
    "taux": "taux de logements sociaux",
    "taux_epci": "taux de l'intercommunalité",
    "taux_departement": "taux du département",
    "taux_region": "taux de la région",
    "taux_france": "taux national",
    "beneficiaires_aides": "personnes couvertes par les aides au logement",
    "population_qpv": "population en quartier prioritaire",
    "part_qpv": "part de la population en quartier prioritaire",
    "sru": "situation SRU",
    "deficit": "logements manquants",
    "taux_legal": "taux légal",
    "demandeurs": "demandeurs de logement social",
    "association": "association régionale",
    "contact": "coordonnées",
}


def _fields(
    commune: Commune, profile: HousingProfile, contact: dict, shared: Shared
) -> dict[str, str | None]:
    """The {champs} the answers may use (FIELD_LABELS); None when the figure is unknown for
    this commune: the sentence that needs it is left out of the answer."""
    latest = profile.latest
    stock_known = bool(latest and latest.housing_units)
    by_label = {f.label: f for f in profile.comparison[1:]}

    def rate_of(label: str | None) -> str | None:
        figures = by_label.get(label) if label else None
        return percent(figures.rate) if figures and figures.rate is not None else None

    def known(value, show=number):
        return show(value) if value is not None else None

    waiting = next((k for k in shared.key_figures if "attente" in k.label), None)
    reach = [contact["phone"], contact["email"], contact["website"]]
    return {
        "commune": commune.name,
        "population": number(commune.population) if commune.population else None,
        "departement": commune.departement.name,
        "region": commune.region.name,
        "epci": commune.epci.name if commune.epci_id else "L'intercommunalité",
        "annee": str(latest.year) if latest else None,
        "logements": number(latest.housing_units) if stock_known else None,
        "logements_sociaux": known(latest.social_units) if stock_known else None,
        "taux": known(latest.rate, percent) if latest else None,
        "taux_epci": rate_of(commune.epci.name if commune.epci_id else None),
        "taux_departement": rate_of(commune.departement.name),
        "taux_region": rate_of(commune.region.name),
        "taux_france": rate_of("France"),
        "beneficiaires_aides": known(latest.benefit_recipients) if latest else None,
        "population_qpv": known(latest.qpv_population) if latest else None,
        "part_qpv": known(latest.qpv_share, percent) if latest else None,
        "sru": profile.sru.summary,
        "deficit": known(profile.sru.deficit),
        "taux_legal": f"{profile.sru.target_rate} %" if profile.sru.target_rate else None,
        "demandeurs": f"{_figure(waiting)} de ménages ({waiting.as_of})" if waiting else None,
        "association": contact["name"],
        "contact": ", ".join(x for x in [contact["address"], *reach] if x) or None,
    }


def build_brief(
    commune: Commune, shared: Shared | None = None, prefetched: Prefetched | None = None
) -> Brief:
    shared = shared or Shared.load(region=commune.region_id)
    if prefetched is not None:
        profile = commune_profile(
            commune,
            shared.housing_version,
            prefetched.housing[commune.code],
            prefetched.sru[commune.code],
        )
    else:  # one brief (its web page or PDF): kept in the process until the next import
        profile = national(
            ("brief-housing", commune.code, shared.housing_version),
            lambda: commune_profile(commune, shared.housing_version),
            pool="commune",
        )
    contact = _contact(commune, shared)
    values = _fields(commune, profile, contact, shared)
    content = shared.content
    questions, unknown = [], []
    for question in shared.questions:
        answer, bad, missing = merge_available(question.answer, values)
        unknown += bad
        if missing:
            answer += (
                " (Donnée indisponible pour cette commune : "
                + ", ".join(FIELD_LABELS.get(f, f) for f in missing)
                + ".)"
            )
        questions.append(
            {
                "number": question.number,
                "question": typography(question.question),
                "answer": typography(answer),
                "basis": typography(question.legal_basis),
            }
        )
    latest = profile.latest
    mayors = (
        shared.teams.latest.get(SnapshotKind.MAIRES) if shared.teams else latest_snapshot("maires")
    )
    housing_years = [f.year for f in profile.years]
    sources = [
        "Territoires : Code officiel géographique de l'INSEE, millésime 2026 ; populations "
        "légales de l'INSEE.",
        "Élus : Répertoire national des élus (ministère de l'Intérieur), "
        + (f"maires au {long_date(mayors.data_date)}." if mayors else "non importé."),
        "Logement : critères de répartition des dotations de la DGCL, exercices "
        + (", ".join(map(str, housing_years)) if housing_years else "non disponibles")
        + ". "
        + RATE_METHOD,
    ]
    if profile.sru.official:
        sources.append(profile.sru.details[0])
    comparison = [(f.label, f.rate) for f in profile.comparison]
    data = {
        "commune": {
            "code": commune.code,
            "name": commune.name,
            "population": number(commune.population) if commune.population else "",
            "departement": f"{commune.departement.name} ({commune.departement_id})",
            "region": commune.region.name,
            "epci": commune.epci.name if commune.epci_id else "",
            "epci_kind": commune.epci.get_kind_display() if commune.epci_id else "",
        },
        "team": _team(commune, shared, prefetched),
        "housing": {
            "year": latest.year if latest else None,
            "rows": [
                {
                    "label": f.label,
                    "rate": percent(f.rate) if f.rate is not None else UNAVAILABLE,
                    "social_units": number(f.social_units)
                    if f.social_units is not None and f.housing_units
                    else UNAVAILABLE,
                    "housing_units": number(f.housing_units) if f.housing_units else UNAVAILABLE,
                }
                for f in profile.comparison
            ],
            "years": [
                {
                    "year": f.year,
                    "social_units": number(f.social_units)
                    if f.social_units is not None and f.housing_units
                    else UNAVAILABLE,
                    "rate": percent(f.rate) if f.rate is not None else UNAVAILABLE,
                }
                for f in profile.years
            ],
            "benefit_recipients": values["beneficiaires_aides"] or UNAVAILABLE,
            "qpv_population": values["population_qpv"] or UNAVAILABLE,
            "qpv_share": values["part_qpv"] or UNAVAILABLE,
            "missing": [typography(m) for m in profile.missing],
            "method": typography(RATE_METHOD),
            "comparison_svg": charts.comparison_chart(comparison),
            "evolution_svg": charts.evolution_chart(
                [
                    (f.year, f.social_units if f.housing_units else None, f.rate)
                    for f in profile.years
                ]
            ),
        },
        "sru": {
            "official": profile.sru.official,
            "summary": typography(profile.sru.summary),
            "details": [typography(d) for d in profile.sru.details],
        },
        "questions": questions,
        "content_version": content.version if content else 0,
        "content_date": long_date(content.published_at) if content else "",
        "key_figures": [
            {"label": k.label, "value": _figure(k), "as_of": k.as_of, "source": k.source}
            for k in shared.key_figures
        ],
        "contact": contact,
        "mairie": _mairie(
            prefetched.mairies.get(commune.code) if prefetched else mairie_card(commune)
        ),
        "stages_svg": charts.stages_diagram(),
        "sources": [typography(s) for s in sources],
        "data_dates": " · ".join(
            part
            for part in (
                f"RNE maires au {long_date(mayors.data_date)}" if mayors else "",
                f"DGCL {latest.year}" if latest else "",
                "COG 2026",
            )
            if part
        ),
        "generated_on": long_date(timezone.localdate()),
        "site": settings.SITE_NAME if hasattr(settings, "SITE_NAME") else "Mandature",
    }
    return Brief(commune, data, sorted(set(unknown)))


def _mairie(card: MairieCard | None) -> dict:
    """« Écrire à la mairie »: what the brief prints, and what the directory lacks."""
    if card is None:
        return {"known": False, "lines": []} | dict.fromkeys(
            ("title", "phone", "email", "website", "hours", "note", "source"), ""
        )
    return {
        "known": True,
        "title": card.title,
        "lines": card.address_lines,
        "phone": card.phone,
        "email": card.email,
        "website": card.website,
        "hours": card.opening_hours,
        "note": typography(card.missing_text),
        "source": f"{card.source_label}, chargé le {long_date(card.source_date)}",
    }


def _figure(figure) -> str:
    value = figure.value
    decimals = 0 if value == value.to_integral() else len(str(value.normalize()).split(".")[1])
    return f"{number(value, decimals)} {figure.unit}".strip()
