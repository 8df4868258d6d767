"""Find communes (by name, former name, postal code, code INSEE) and EPCI (by name, SIREN)."""

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from mandature.core.text import expand_abbreviations, fold

from .enums import SearchKind
from .models import Commune, Epci, PostalCode, SearchEntry

CODE_QUERY = re.compile(r"^(\d{2,5}|2[ABab]\d{0,3})$")
SIREN_QUERY = re.compile(r"^\d{9}$")
KIND_ORDER = {SearchKind.COMMUNE: 0, SearchKind.EPCI: 1, SearchKind.ALIAS: 2}


@dataclass
class Result:
    kind: str
    label: str
    detail: str
    code: str
    population: int | None
    url: str
    target: str = ""  # the code of the commune (or SIREN of the EPCI) the result leads to

    @property
    def kind_label(self) -> str:
        return SearchKind(self.kind).label


def search(query: str, limit: int = 20, scope=None) -> list[Result]:
    """Results ranked: exact name, then name starting with the query, then a word starting
    with it, then anywhere; ties by kind (commune first) and population. With a scope
    (mandature.movement.scope), only the communes and EPCI in it."""
    results = _search(query, limit if scope is None or scope.national else limit * 5)
    if scope is None or scope.national:
        return results
    communes = {r.target or r.code for r in results if r.kind != SearchKind.EPCI}
    epcis = {r.target or r.code for r in results if r.kind == SearchKind.EPCI}
    allowed = set(
        scope.filter_communes(Commune.objects.filter(code__in=communes)).values_list(
            "code", flat=True
        )
    )
    allowed |= set(
        Epci.objects.filter(siren__in=epcis).filter(scope.epci_q()).values_list("siren", flat=True)
    )
    return [r for r in results if (r.target or r.code) in allowed][:limit]


def _search(query: str, limit: int) -> list[Result]:
    raw = query.strip()
    if not raw:
        return []
    compact_raw = raw.replace(" ", "")
    if SIREN_QUERY.match(compact_raw):
        return _by_siren(compact_raw)
    if CODE_QUERY.match(compact_raw):
        return _by_code(compact_raw.upper(), limit)
    key = expand_abbreviations(fold(raw))
    if not key:
        return []
    compact_key = key.replace(" ", "")
    rank = Case(
        When(key=key, then=Value(0)),
        When(compact_key=compact_key, then=Value(0)),
        When(key__startswith=key, then=Value(1)),
        When(compact_key__startswith=compact_key, then=Value(1)),
        When(key__contains=" " + key, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    kind_order = Case(
        *[When(kind=kind, then=Value(order)) for kind, order in KIND_ORDER.items()],
        output_field=IntegerField(),
    )
    entries = (
        SearchEntry.objects.filter(compact_key__contains=compact_key)
        .annotate(rank=rank, kind_order=kind_order)
        .order_by("rank", "kind_order", "-population", "label")[:limit]
    )
    return [
        Result(
            e.kind,
            e.label,
            e.detail,
            e.code,
            e.population,
            e.get_absolute_url(),
            e.epci_id if e.kind == SearchKind.EPCI else e.commune_id,
        )
        for e in entries
    ]


def _by_siren(siren: str) -> list[Result]:
    results = [
        Result(
            SearchKind.EPCI,
            e.name,
            f"{e.kind} · SIREN {e.siren}",
            e.siren,
            e.population,
            e.get_absolute_url(),
        )
        for e in Epci.objects.filter(siren=siren)
    ]
    results += [_commune_result(c, f"SIREN {c.siren}") for c in Commune.objects.filter(siren=siren)]
    return results


def _by_code(code: str, limit: int) -> list[Result]:
    """A code INSEE or a postal code, whole or its first digits: exact matches first."""
    by_postal = PostalCode.objects.filter(code__startswith=code).values_list("commune_id", "code")
    postal_of: dict[str, list[str]] = {}
    for commune_id, postal in by_postal:
        postal_of.setdefault(commune_id, []).append(postal)
    communes = list(
        Commune.objects.current()
        .filter(Q(code__startswith=code) | Q(code__in=list(postal_of)))
        .select_related("departement")
    )

    def rank(commune: Commune) -> tuple:
        exact = commune.code == code or code in postal_of.get(commune.code, [])
        return (not exact, -(commune.population or 0), commune.name)

    results = []
    for commune in sorted(communes, key=rank)[:limit]:
        detail = f"code INSEE {commune.code}"
        postal = sorted(postal_of.get(commune.code, []))
        if postal:
            detail = f"{' '.join(postal[:4])} · {detail}"
        results.append(_commune_result(commune, detail))
    return results


def _commune_result(commune: Commune, detail: str) -> Result:
    return Result(
        SearchKind.COMMUNE,
        commune.name,
        f"{detail} · {commune.departement.name}",
        commune.code,
        commune.population,
        commune.get_absolute_url(),
    )
