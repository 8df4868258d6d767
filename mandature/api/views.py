"""The REST API, /api/v1 (django-ninja). Every answer goes through the caller's scope: an object
outside it is « not found » (404), like an unknown one. Invalid parameters: 422 with the
errors. Personal data (contacts, interactions, registrations) needs the « export » right and
each call is written in the audit log."""

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.renderers import JSONRenderer
from pydantic import BeforeValidator

from mandature.core.models import audit
from mandature.core.ratelimit import wait_message
from mandature.directory.services import MairieCard, mairie_card
from mandature.events.models import Event, Registration
from mandature.housing.models import HousingYear, SruInventory
from mandature.housing.services import (
    RATE_METHOD,
    commune_profile,
    data_version,
    prime_epci_sru_criteria,
)
from mandature.movement.access import can, of_organisation
from mandature.movement.scope import scope_of
from mandature.officials.enums import ChangeType, FunctionCode, SnapshotKind
from mandature.officials.models import Mandate, Person, Snapshot, SnapshotEntry, latest_snapshot
from mandature.officials.services import cached_changes, default_comparison
from mandature.relations.enums import InteractionKind
from mandature.relations.models import Contact
from mandature.relations.services import changes_in_scope, current_entries, visible_interactions
from mandature.territories.models import Commune, Departement, Epci, Region

from . import schemas as out
from .auth import PerUserThrottle, Session, TokenAuth

DESCRIPTION = """Les données de Mandature pour les outils du Mouvement Hlm.

**Authentification** : un jeton personnel (page « Mon compte », rubrique « Jetons d'API »), dans
l'en-tête `Authorization: Bearer mdt_…`. Le jeton porte le rôle et le territoire de son
utilisateur : un objet hors de ce territoire répond 404, comme un objet inconnu.

**Pagination** : `limit` (1 à 500, 100 par défaut) et `offset` ; chaque liste donne `count`.

**Erreurs** : 401 sans jeton valide, 403 si le rôle ne permet pas l'accès aux données
personnelles, 404, 422 (paramètre invalide, détail en JSON), 429 au-delà du débit permis
(en-tête `Retry-After`).

Les dates de naissance ne sont jamais diffusées (tranche d'âge seulement). Chaque appel aux
contacts, échanges et inscriptions est inscrit au journal d'accès."""

ERRORS = {
    "401": "Jeton absent, inconnu, expiré ou révoqué",
    "403": "Votre rôle ne permet pas cet accès",
    "404": "Objet inconnu ou hors de votre territoire",
    "422": "Paramètre invalide (le détail nomme chaque paramètre fautif)",
    "429": "Trop de requêtes : réessayer après le délai de l'en-tête Retry-After",
}


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Every operation documents the errors it can answer, with their JSON body."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Erreur"] = {
            "type": "object",
            "properties": {
                "detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {}}]}
            },
            "required": ["detail"],
        }
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERRORS.items():
                    responses.setdefault(status, {"description": text, "content": body})
        return schema


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # accents as they are, not escaped


api = Api(
    renderer=Renderer(),
    title="Mandature",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    auth=[TokenAuth(), Session()],
    throttle=PerUserThrottle(),
)

Code = Annotated[str, Field(pattern=r"^[0-9][0-9AB][0-9]?$", description="code INSEE")]
CommuneCode = Annotated[str, Field(pattern=r"^[0-9][0-9AB][0-9]{3}$", description="code INSEE")]
Siren = Annotated[str, Field(pattern=r"^[0-9]{9}$")]
Text = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _iso_day(value):
    """A date written YYYY-MM-DD, nothing else (pydantic would read « 0 » as 1 January 1970)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, date):
        return value
    raise ValueError("date attendue au format AAAA-MM-JJ")


Day = Annotated[date, BeforeValidator(_iso_day)]


class Page(PaginationBase):
    """`limit` and `offset`, bounded (an offset past the end answers an empty page)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000_000)

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset, limit = pagination.offset, pagination.limit
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return {"items": queryset[offset : offset + limit], "count": count}


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "introuvable"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {
            "detail": "Authentification nécessaire : un jeton d'API valide dans l'en-tête "
            "« Authorization: Bearer … » (jeton inconnu, expiré ou révoqué refusé), ou une "
            "session ouverte."
        },
        status=401,
    )


# pydantic's error types, in French; others keep pydantic's message after « valeur invalide ».
VALIDATION_MESSAGES = {
    "missing": "paramètre obligatoire",
    "string_pattern_mismatch": "valeur invalide",
    "string_too_short": "valeur vide ou trop courte",
    "string_too_long": "valeur trop longue",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "greater_than_equal": "doit être au moins {ge}",
    "less_than_equal": "doit être au plus {le}",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "bool_parsing": "true ou false attendu",
    "literal_error": "valeur inconnue ; valeurs possibles : {expected}",
    "enum": "valeur inconnue ; valeurs possibles : {expected}",
    "json_invalid": "JSON illisible",
}


def _french(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "value_error":  # our own validators' messages are French already
        return str(error.get("ctx", {}).get("error") or error.get("msg", "valeur invalide"))
    template = VALIDATION_MESSAGES.get(kind)
    if template is None:
        return f"valeur invalide ({error.get('msg', kind)})"
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template


@api.exception_handler(ValidationError)
def invalid(request, exc):
    """422 with each faulty parameter named and what is wrong with it, in French."""
    detail = [
        {
            "loc": list(error.get("loc", ())),
            "msg": _french(error),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Throttled)
def too_many(request, exc):
    """429 in French; django-ninja adds Retry-After (the same seconds)."""
    wait = math.ceil(exc.wait or 1)
    return api.create_response(request, {"detail": wait_message(wait)}, status=429)


def personal(request, what: str, **detail) -> None:
    """A call that reads personal data: the right to export, and a line in the audit log."""
    if not can(request.user, "export"):
        raise HttpError(403, "Votre rôle ne permet pas d'exporter des données personnelles.")
    audit(f"api:{what}", "api", request.user, path=request.path, **detail)


def _scope(request):
    return scope_of(request.user)


InteractionKinds = InteractionKind.values


# --- territories ---------------------------------------------------------------------------
territories = Router(tags=["territoires"])


def _region(r: Region) -> dict:
    return {"code": r.code, "name": r.name, "zone": r.zone}


def _departement(d: Departement) -> dict:
    return {"code": d.code, "name": d.name, "region": d.region_id, "zone": d.zone}


def _commune(c: Commune) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "departement": c.departement_id,
        "region": c.region_id,
        "epci": c.epci_id,
        "population": c.population,
        "postal_codes": c.postal_code_list,
        "latitude": c.latitude,
        "longitude": c.longitude,
    }


def _epci(e: Epci) -> dict:
    return {
        "siren": e.siren,
        "name": e.name,
        "kind": e.kind,
        "population": e.population,
        "communes": e.member_count,
    }


@territories.get("/regions", response=list[out.RegionOut], summary="Régions")
@paginate(Page)
def regions(request):
    scope = _scope(request)
    queryset = Region.objects.order_by("code")
    if not scope.national:
        queryset = queryset.filter(code__in=scope.region_codes)
    return [_region(r) for r in queryset]


@territories.get("/regions/{code}", response=out.RegionOut, summary="Une région")
def region(request, code: Code):
    r = Region.objects.filter(code=code).first()
    if r is None or not _scope(request).has_region(code):
        raise Http404("région inconnue ou hors de votre territoire")
    return _region(r)


@territories.get("/departements", response=list[out.DepartementOut], summary="Départements")
@paginate(Page)
def departements(request, region: Code | None = None):
    scope = _scope(request)
    queryset = Departement.objects.order_by("code")
    if region:
        queryset = queryset.filter(region_id=region)
    if not scope.national:
        queryset = queryset.filter(code__in=scope.departement_codes)
    return [_departement(d) for d in queryset]


@territories.get("/departements/{code}", response=out.DepartementOut, summary="Un département")
def departement(request, code: Code):
    d = Departement.objects.filter(code=code).first()
    if d is None or not _scope(request).has_departement(code):
        raise Http404("département inconnu ou hors de votre territoire")
    return _departement(d)


@territories.get("/communes", response=list[out.CommuneOut], summary="Communes en vigueur")
@paginate(Page)
def communes(
    request,
    departement: Code | None = None,
    region: Code | None = None,
    epci: Siren | None = None,
    nom: Annotated[Text | None, Field(description="début du nom")] = None,
    population_min: Annotated[int | None, Field(ge=0, le=10_000_000)] = None,
):
    queryset = _scope(request).filter_communes(Commune.objects.current()).order_by("code")
    if departement:
        queryset = queryset.filter(departement_id=departement)
    if region:
        queryset = queryset.filter(region_id=region)
    if epci:
        queryset = queryset.filter(epci_id=epci)
    if nom:
        queryset = queryset.filter(name__istartswith=nom)
    if population_min is not None:
        queryset = queryset.filter(population__gte=population_min)
    return PageOf(queryset.values_list("pk", flat=True), convert_page=_communes_page)


def _communes_page(codes: list[str]) -> list[dict]:
    """The page's communes, read by their codes (after the codes came from the index)."""
    found = {c.code: c for c in Commune.objects.filter(code__in=codes)}
    return [_commune(found[code]) for code in codes]


@territories.get(
    "/communes/{code}",
    response=out.CommuneDetailOut,
    summary="Une commune, avec les coordonnées de sa mairie",
)
def commune(request, code: CommuneCode):
    found = _commune_in_scope(request, code)
    return _commune(found) | {"mairie": _mairie(mairie_card(found))}


def _mairie(card: MairieCard | None) -> dict | None:
    if card is None:
        return None
    return {
        "title": card.title,
        "kind": card.contact.kind,
        "address_lines": card.address_lines,
        "email": card.email,
        "phone": card.phone,
        "website": card.website,
        "opening_hours": card.opening_hours,
        "accessibility": card.accessibility,
        "source": card.source_label,
        "source_date": card.source_date,
        "in_directory": card.contact.in_directory,
        "corrected": {
            v.field: {
                "by": v.correction.author_name,
                "at": v.correction.created_at,
                "directory_value": v.directory_text,
            }
            for v in card.corrected
        },
    }


def _commune_in_scope(request, code: str) -> Commune:
    c = Commune.objects.current().filter(code=code).select_related("epci", "departement", "region")
    c = c.first()
    if c is None or not _scope(request).has_commune(c):
        raise Http404("commune inconnue ou hors de votre territoire")
    return c


def _epcis(request):
    return (
        Epci.objects.filter(is_current=True)
        .filter(_scope(request).epci_q())
        .annotate(member_count=Count("communes", filter=Q(communes__is_current=True)))
        .order_by("siren")
    )


@territories.get("/epci", response=list[out.EpciOut], summary="Intercommunalités (EPCI)")
@paginate(Page)
def epcis(request, departement: Code | None = None):
    queryset = _epcis(request)
    if departement:
        queryset = queryset.filter(
            siren__in=Commune.objects.filter(departement_id=departement).values("epci_id")
        )
    return PageOf(queryset, _epci)


@territories.get("/epci/{siren}", response=out.EpciOut, summary="Une intercommunalité")
def epci(request, siren: Siren):
    e = _epcis(request).filter(siren=siren).first()
    if e is None:
        raise Http404("EPCI inconnu ou hors de votre territoire")
    return _epci(e)


class PageOf:
    """A queryset whose page is turned into dicts only once sliced (a page, not the table):
    `convert` takes one object, or `convert_page` the page's list at once."""

    def __init__(self, queryset, convert=None, convert_page=None):
        self.queryset, self.convert, self.convert_page = queryset, convert, convert_page

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice):
        items = list(self.queryset[window])
        if self.convert_page is not None:
            return self.convert_page(items)
        return [self.convert(item) for item in items]


# --- officials ------------------------------------------------------------------------------
officials = Router(tags=["élus"])
Kind = Literal[tuple(SnapshotKind.values)]  # type: ignore[valid-type]
Function = Literal[tuple(v for v in FunctionCode.values if v)]  # type: ignore[valid-type]


def _official(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "age_band": person.age_band(),
    }


def _mandate(mandate: Mandate, entry: SnapshotEntry | None = None) -> dict:
    return {
        "kind": mandate.kind,
        "kind_label": mandate.get_kind_display(),
        "function": entry.function if entry else "",
        "function_code": entry.function_code if entry else "",
        "function_rank": entry.function_rank if entry else None,
        "function_start": entry.function_start if entry else None,
        "mandate_start": mandate.start_date,
        "commune": mandate.commune_id,
        "epci": mandate.epci_id,
        "departement": mandate.departement_id,
        "region": mandate.region_id,
        "territory": mandate.territory_label or mandate.territory_code or mandate.territory_key,
    }


def _snapshot(s: Snapshot) -> dict:
    return {
        "id": s.pk,
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "data_date": s.data_date,
        "file_name": s.file_name,
        "rows": s.row_count,
        "entries": s.entry_count,
        "covered_communes": s.covered_communes,
        "imported_at": s.imported_at,
    }


@officials.get("/snapshots", response=list[out.SnapshotOut], summary="Instantanés du RNE importés")
@paginate(Page)
def snapshots(request, kind: Kind | None = None):
    queryset = Snapshot.objects.order_by("kind", "-data_date", "-id")
    if kind:
        queryset = queryset.filter(kind=kind)
    return PageOf(queryset, _snapshot)


@officials.get(
    "/officials",
    response=list[out.OfficialSeatOut],
    summary="Élus en fonction (dernier instantané du fichier choisi)",
)
@paginate(Page)
def officials_list(
    request,
    kind: Kind = "maires",
    date: Annotated[
        Day | None, Field(description="état à cette date (défaut : le dernier)")
    ] = None,
    commune: CommuneCode | None = None,
    departement: Code | None = None,
    region: Code | None = None,
    epci: Siren | None = None,
    function: Function | None = None,
):
    snapshot = latest_snapshot(kind, date)
    if snapshot is None:
        return []
    # The page's ids come from the (snapshot, mandate) index alone; only those 100 rows are
    # then read with their mandate and person (joining first costs the whole snapshot).
    entries = SnapshotEntry.objects.filter(snapshot=snapshot).order_by("mandate_id")
    scope = _scope(request)
    if not scope.national:
        entries = entries.filter(scope.mandate_q("mandate__"))
    if commune:
        entries = entries.filter(commune_id=commune)
    if departement:
        entries = entries.filter(_within(kind, "departement_id", departement))
    if region:
        entries = entries.filter(_within(kind, "region_id", region))
    if epci:
        entries = entries.filter(mandate__epci_id=epci)
    if function:
        entries = entries.filter(function_code=function)
    return PageOf(entries.values_list("pk", flat=True), convert_page=_seats_page)


# Files whose seats are in a commune: their territory filters go through the entry's commune.
COMMUNE_KINDS = {SnapshotKind.MAIRES, SnapshotKind.CM, SnapshotKind.EPCI, SnapshotKind.CA}


def _within(kind: str, field: str, code: str) -> Q:
    """Seats in a département or région (`field`): through the commune for municipal files,
    the mandate's own territory otherwise."""
    communes = Commune.objects.filter(**{field: code}).values("code")
    if kind in COMMUNE_KINDS:
        return Q(commune_id__in=communes)
    return Q(**{f"mandate__{field}": code}) | Q(mandate__commune_id__in=communes)


def _seats_page(ids: list[int]) -> list[dict]:
    found = SnapshotEntry.objects.filter(pk__in=ids).select_related("mandate", "person")
    by_id = {entry.pk: entry for entry in found}
    return [
        {"official": _official(by_id[i].person), "seat": _mandate(by_id[i].mandate, by_id[i])}
        for i in ids
    ]


@officials.get("/officials/{person_id}", response=out.OfficialDetailOut, summary="Un élu")
def official(request, person_id: Id):
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not _scope(request).has_person(person):
        raise Http404("élu inconnu ou hors de votre territoire")

    seats = current_entries(person)
    return {**_official(person), "mandates": [_mandate(e.mandate, e) for e in seats]}


@officials.get(
    "/changes",
    response=out.ChangesOut,
    summary="Changements entre deux instantanés (nouveaux maires, départs…)",
)
def changes(
    request,
    kind: Literal["maires", "cm", "epci"] = "maires",
    date_from: Day | None = Query(None, alias="from", description="état de départ à cette date"),
    date_to: Day | None = Query(None, alias="to", description="état d'arrivée à cette date"),
    type: Literal[tuple(ChangeType.values)] | None = None,  # type: ignore[valid-type]
    departement: Code | None = None,
    region: Code | None = None,
    pagination: Query[Page.Input] = None,
):
    if date_from is None and date_to is None:
        pair = default_comparison(kind)
    else:
        after = latest_snapshot(kind, date_to)
        before = latest_snapshot(kind, date_from) if date_from else None
        pair = (before, after) if before and after else None
    if pair is None or pair[0].pk == pair[1].pk:
        raise Http404("pas deux instantanés de ce fichier à comparer à ces dates")
    found = changes_in_scope(_scope(request), cached_changes(*pair))
    selected = found.of_type(type) if type else found.changes
    if departement:
        selected = [c for c in selected if c.departement_code == departement]
    if region:
        selected = [c for c in selected if c.region_code == region]
    offset, limit = pagination.offset, pagination.limit
    return {
        "kind": kind,
        "before": _snapshot(pair[0]),
        "after": _snapshot(pair[1]),
        "counts": found.counts(),
        "count": len(selected),
        "items": [_change(c) for c in selected[offset : offset + limit]],
    }


def _change(change) -> dict:
    seat = change.seat
    return {
        "type": change.type,
        "type_label": change.type_label,
        "commune": seat.commune_id,
        "epci": seat.epci_id,
        "departement": seat.departement_id,
        "region": seat.region_id,
        "territory": change.territory_name,
        "official": _official(change.person),
        "function": seat.function,
        "previous_official": _official(change.previous_person),
        "first_time": change.first_time,
    }


# --- housing --------------------------------------------------------------------------------
housing = Router(tags=["logement"])


def _housing(commune: Commune, rows: list, inventory, version: int) -> dict:
    profile = commune_profile(commune, version, rows=rows, inventory=inventory, compare=False)
    sru = profile.sru
    return {
        "commune": commune.code,
        "name": commune.name,
        "years": [
            {
                "year": f.year,
                "population": f.population,
                "housing_units": f.housing_units,
                "social_units": f.social_units,
                "social_rate": float(f.rate) if f.rate is not None else None,
                "benefit_recipients": f.benefit_recipients,
                "qpv_population": f.qpv_population,
            }
            for f in profile.years
        ],
        "sru": {
            "official": sru.official,
            "subject": sru.subject,
            "summary": sru.summary,
            "target_rate": sru.target_rate,
            "rate": float(sru.rate) if sru.rate is not None else None,
            "deficit": sru.deficit,
            "year": sru.year,
        },
        "missing": profile.missing,
        "method": RATE_METHOD,
    }


@housing.get("/housing/{code}", response=out.HousingOut, summary="Profil logement d'une commune")
def housing_profile(request, code: CommuneCode):
    return _housing_page([_commune_in_scope(request, code).code])[0]


@housing.get(
    "/housing", response=list[out.HousingOut], summary="Profils logement (filtrer par territoire)"
)
@paginate(Page)
def housing_profiles(request, departement: Code | None = None, epci: Siren | None = None):
    queryset = _scope(request).filter_communes(Commune.objects.current()).order_by("code")
    if departement:
        queryset = queryset.filter(departement_id=departement)
    if epci:
        queryset = queryset.filter(epci_id=epci)
    return PageOf(queryset.values_list("pk", flat=True), convert_page=_housing_page)


def _housing_page(codes: list[str]) -> list[dict]:
    """Housing profiles of communes (a page, or one) with a few queries for all of them."""
    version = data_version()
    found = {c.code: c for c in Commune.objects.filter(code__in=codes).select_related("epci")}
    communes = [found[code] for code in codes]
    rows: dict[str, list] = {}
    for row in HousingYear.objects.filter(commune_id__in=codes).order_by("year"):
        rows.setdefault(row.commune_id, []).append(row)
    inventories = {}
    for inventory in SruInventory.objects.filter(commune_id__in=codes).order_by("year"):
        inventories[inventory.commune_id] = inventory
    prime_epci_sru_criteria({c.epci_id for c in communes if c.epci_id})
    return [_housing(c, rows.get(c.code, []), inventories.get(c.code), version) for c in communes]


# --- relations ------------------------------------------------------------------------------
relations = Router(tags=["relations"])


def _contact(contact) -> dict:
    return {
        "official": _official(contact.person),
        "salutation": contact.salutation,
        "email": contact.email,
        "phone": contact.phone,
        "office": contact.office,
        "assistant_name": contact.assistant_name,
        "assistant_email": contact.assistant_email,
        "assistant_phone": contact.assistant_phone,
        "postal_address": contact.postal_address,
        "preferred_channel": contact.preferred_channel,
        "objects_to_contact": contact.objects_to_contact,
        "tags": [t.name for t in contact.tags.all()],
        "updated_at": contact.updated_at,
    }


def _contacts(request):
    return (
        Contact.objects.filter(_scope(request).person_q("person__"))
        .select_related("person")
        .prefetch_related("tags")
        .order_by("person_id")
    )


@relations.get("/contacts", response=list[out.ContactOut], summary="Fiches de contact des élus")
@paginate(Page)
def contacts(request, commune: CommuneCode | None = None, departement: Code | None = None):
    personal(request, "contacts", commune=commune, departement=departement)
    queryset = _contacts(request)
    if commune:
        queryset = queryset.filter(person__mandates__commune_id=commune).distinct()
    if departement:
        queryset = queryset.filter(person__mandates__commune__departement_id=departement).distinct()
    return PageOf(queryset, _contact)


@relations.get("/contacts/{person_id}", response=out.ContactOut, summary="La fiche d'un élu")
def contact(request, person_id: Id):
    personal(request, "contact", person=person_id)
    found = _contacts(request).filter(person_id=person_id).first()
    if found is None:
        raise Http404("pas de fiche de contact pour cet élu dans votre territoire")
    return _contact(found)


def _interaction(i) -> dict:
    return {
        "id": i.pk,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "date": i.date,
        "officials": [_official(p) for p in i.persons.all()],
        "commune": i.commune_id,
        "epci": i.epci_id,
        "organisation": i.organisation.name if i.organisation else None,
        "summary": i.summary,
        "follow_up": i.follow_up,
        "source": i.source,
        "created_at": i.created_at,
    }


def _interactions(request):
    scope = _scope(request)
    return (
        visible_interactions(scope)
        .select_related("organisation")
        # an exchange in scope may also name officials outside it: not them
        .prefetch_related(Prefetch("persons", Person.objects.filter(scope.person_q())))
        .order_by("-date", "-pk")
    )


@relations.get("/interactions", response=list[out.InteractionOut], summary="Échanges")
@paginate(Page)
def interactions(
    request,
    commune: CommuneCode | None = None,
    official: Id | None = None,
    since: Day | None = None,
    kind: Literal[tuple(InteractionKinds)] | None = None,  # type: ignore[valid-type]
):
    personal(request, "interactions", commune=commune, official=official)
    queryset = _interactions(request)
    if commune:
        queryset = queryset.filter(commune_id=commune)
    if official:
        queryset = queryset.filter(persons=official)
    if since:
        queryset = queryset.filter(date__gte=since)
    if kind:
        queryset = queryset.filter(kind=kind)
    return PageOf(queryset, _interaction)


@relations.get("/interactions/{interaction_id}", response=out.InteractionOut, summary="Un échange")
def interaction(request, interaction_id: Id):
    personal(request, "interaction", interaction=interaction_id)
    found = _interactions(request).filter(pk=interaction_id).first()
    if found is None:
        raise Http404("échange inconnu ou hors de votre territoire")
    return _interaction(found)


# --- events ---------------------------------------------------------------------------------
events = Router(tags=["événements"])


def _events(request):
    return (
        of_organisation(request.user, Event.objects.all())
        .select_related("organisation")
        .prefetch_related("sessions")
        .order_by("-pk")
    )


def _event(e) -> dict:
    return {
        "id": e.pk,
        "title": e.title,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "organisation": e.organisation.name if e.organisation else None,
        "commune": e.commune_id,
        "place": " ".join(part for part in (e.venue, e.address) if part),
        "online_url": e.online_url,
        "sessions": [
            {
                "id": s.pk,
                "label": s.title,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "capacity": s.capacity,
            }
            for s in e.sessions.all()
        ],
    }


@events.get("/events", response=list[out.EventOut], summary="Événements de votre organisation")
@paginate(Page)
def event_list(request):
    return PageOf(_events(request), _event)


@events.get("/events/{event_id}", response=out.EventOut, summary="Un événement")
def event(request, event_id: Id):
    found = _events(request).filter(pk=event_id).first()
    if found is None:
        raise Http404("événement inconnu ou d'une autre organisation")
    return _event(found)


@events.get(
    "/events/{event_id}/registrations",
    response=list[out.RegistrationOut],
    summary="Inscriptions à un événement",
)
@paginate(Page)
def registrations(
    request,
    event_id: Id,
    status: Literal["confirmed", "waiting", "cancelled"] | None = None,
    present: bool | None = None,
):
    found = _events(request).filter(pk=event_id).first()
    if found is None:
        raise Http404("événement inconnu ou d'une autre organisation")
    personal(request, "registrations", event=event_id)
    queryset = (  # the people of the caller's scope only, as on the event's page
        Registration.objects.filter(session__event=found)
        .filter(_scope(request).invitation_q("invitation__"))
        .select_related("invitation", "invitation__person")
        .order_by("pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    if present is not None:
        queryset = queryset.filter(checked_in_at__isnull=not present)
    return PageOf(queryset, _registration)


def _registration(r) -> dict:
    invitation = r.invitation
    return {
        "id": r.pk,
        "session": r.session_id,
        "status": r.status,
        "seats": r.seats,
        "official": _official(invitation.person),
        "name": invitation.attendee,
        "commune": invitation.commune_id,
        "answer": invitation.answer,
        "slot_start": r.slot_start,
        "checked_in_at": r.checked_in_at,
        "created_at": r.created_at,
    }


for router in (territories, officials, housing, relations, events):
    api.add_router("/", router)
