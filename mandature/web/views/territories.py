"""Pages of the territories: home, search, commune, EPCI, département, région."""

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from mandature.campaigns.addresses import blocked
from mandature.core.memo import national
from mandature.directory.services import (
    EXPORT_HEADER,
    export_columns,
    mairie_card,
    mairie_cards,
    other_mairies,
)
from mandature.housing.services import territory_housing
from mandature.movement.access import can
from mandature.movement.scope import commune_or_404, scope_of
from mandature.officials.services import commune_team, freshness, renewal_summary
from mandature.relations.services import commune_timeline, epci_timeline
from mandature.territories.models import Commune, CommuneAlias, Departement, Epci, Region
from mandature.territories.search import search
from mandature.web.listing import export_list

from ..sorting import sort_table


def _outside(what: str):
    return Http404(f"{what} hors de votre territoire")


COMMUNE_COLUMNS = {
    "nom": ("Commune", "name"),
    "code": ("Code INSEE", "code"),
    "population": ("Population", "population"),
    "epci": ("Intercommunalité", "epci__name"),
}


def home(request):
    scope = scope_of(request.user)
    if not scope.national:
        return redirect("web:my-territory")  # the renewal of their own territory
    context = {
        "renewal": renewal_summary(),
        "fresh": freshness(),
        "counts": national(
            "home-counts",
            lambda: {
                "communes": Commune.objects.current().count(),
                "epci": Epci.objects.filter(is_current=True).count(),
                "departements": Departement.objects.count(),
                "regions": Region.objects.count(),
            },
        ),
    }
    return render(request, "web/home.html", context)


def search_page(request):
    query = request.GET.get("q", "")[:100]
    results = search(query, scope=scope_of(request.user)) if query.strip() else []
    exported = export_list(
        request,
        "recherche",
        ["nature", "nom", "détail", "code", "population", "adresse"],
        [[r.kind_label, r.label, r.detail, r.code, r.population, r.url] for r in results],
    )
    if exported:
        return exported
    context = {"query": query, "results": results}
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/search_results.html", context)
    return render(request, "web/search.html", context)


def commune_detail(request, code: str):
    code = code.upper()
    commune = Commune.objects.select_related("departement", "region", "epci").filter(code=code)
    commune = commune.first()
    if commune is None or not commune.is_current:
        target = commune.successor if commune else None
        if target is None:
            alias = CommuneAlias.objects.filter(code=code).select_related("commune").first()
            target = alias.commune if alias else None
        if target is None:
            return get_object_or_404(Commune, code=code, is_current=True)
        return redirect(target, permanent=True)
    commune_or_404(request.user, commune)

    def names() -> dict:
        aliases = list(commune.aliases.order_by("name", "code"))
        return {
            "aliases": [a for a in aliases if a.kind != "ancien-code"],
            "predecessors": list(commune.predecessors.order_by("name")),
            "former_codes": sorted(
                (a for a in aliases if a.kind == "ancien-code"), key=lambda a: a.code
            ),
        }

    # What comes from the national data alone (territories, RNE) is kept in the process until
    # the next import (core.memo): a commune seen again is read with about half the queries.
    context = {
        "timeline": commune_timeline(commune, scope_of(request.user))[:50],
        "commune": commune,
        "neighbours": commune.neighbours(10.0),  # 40 to 50 KiB a commune: read each time
        # Colleagues correct the directory: read each time, never memoised with national data.
        **_mairies(commune),
        "can_correct": can(request.user, "edit"),
        **national(
            ("commune-page", code),
            lambda: {"team": commune_team(commune), **names()},
            pool="commune",
        ),
    }
    return render(request, "web/commune.html", context)


def _mairies(commune) -> dict:
    """The commune's mairies, and the state of their addresses for campaigns (unsubscribed,
    invalid), by lowercased address."""
    mairie, others = mairie_card(commune), other_mairies(commune)
    emails = [card.email for card in [mairie, *others] if card and card.email]
    return {"mairie": mairie, "other_mairies": others, "address_blocks": blocked(emails)}


def epci_detail(request, siren: str):
    epci = get_object_or_404(Epci, siren=siren)
    scope = scope_of(request.user)
    if not scope.has_epci(epci):
        raise _outside("intercommunalité")

    ordering, columns = sort_table(
        request,
        {k: v for k, v in COMMUNE_COLUMNS.items() if k != "epci"},
        "population",
        numeric={"population"},
    )
    if "tri" not in request.GET:
        ordering = ["-population"]
        columns[2].aria_sort = "descending"
    members = epci.communes.current().select_related("departement").order_by(*ordering, "name")
    members = scope.filter_communes(members)
    exported = export_list(request, f"communes-epci-{epci.siren}", *commune_table(members))
    if exported:
        return exported
    return render(
        request,
        "web/epci.html",
        {
            "epci": epci,
            "members": members,
            "columns": columns,
            "partial": not scope.national and members.count() < epci.communes.current().count(),
            "timeline": epci_timeline(epci, scope_of(request.user))[:50],
            "member_population": sum(c.population or 0 for c in members),
            "housing": territory_housing(epci.name, Q(commune__epci=epci.siren)),
        },
    )


def departement_list(request):
    ordering, columns = sort_table(
        request,
        {
            "code": ("Code", "code"),
            "nom": ("Département", "name"),
            "region": ("Région", "region__name"),
            "communes": ("Communes", "commune_count"),
            "population": ("Population", "population"),
        },
        "code",
        numeric={"communes", "population"},
    )
    departements = _with_counts(Departement.objects.select_related("region")).order_by(*ordering)
    scope = scope_of(request.user)
    if not scope.national:
        departements = departements.filter(code__in=scope.departement_codes)
    exported = export_list(
        request,
        "departements",
        ["code", "département", "région", "communes", "population"],
        [[d.code, d.name, d.region.name, d.commune_count, d.population] for d in departements],
    )
    if exported:
        return exported
    return render(
        request, "web/departement_list.html", {"departements": departements, "columns": columns}
    )


def departement_detail(request, code: str):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code.upper())
    scope = scope_of(request.user)
    if not scope.has_departement(departement.code):
        raise _outside("département")
    ordering, columns = sort_table(request, COMMUNE_COLUMNS, "nom", numeric={"population"})
    communes = departement.communes.current().select_related("epci").order_by(*ordering, "name")
    communes = scope.filter_communes(communes)
    exported = export_list(request, f"communes-{departement.code}", *commune_table(communes))
    if exported:
        return exported
    epcis = (
        Epci.objects.filter(is_current=True, communes__departement=departement)
        .annotate(members_here=Count("communes", filter=Q(communes__departement=departement)))
        .order_by("name")
    )
    if not scope.national:
        epcis = epcis.filter(scope.epci_q())
    totals = communes.aggregate(population=Sum("population"))
    context = {
        "departement": departement,
        "communes": communes,
        "columns": columns,
        "epcis": epcis,
        "population": totals["population"] or 0,
        "housing": territory_housing(departement.name, Q(commune__departement=departement.code)),
    }
    return render(request, "web/departement.html", context)


def region_list(request):
    regions = Region.objects.annotate(
        departement_count=Count("departements", distinct=True),
        commune_count=Count("communes", filter=Q(communes__is_current=True), distinct=True),
    ).order_by("code")
    scope = scope_of(request.user)
    if not scope.national:
        regions = regions.filter(code__in=scope.region_codes)
    exported = export_list(
        request,
        "regions",
        ["code", "région", "départements", "communes"],
        [[r.code, r.name, r.departement_count, r.commune_count] for r in regions],
    )
    if exported:
        return exported
    return render(request, "web/region_list.html", {"regions": regions})


def region_detail(request, code: str):
    region = get_object_or_404(Region, code=code)
    scope = scope_of(request.user)
    if not scope.has_region(region.code):
        raise _outside("région")
    ordering, columns = sort_table(
        request,
        {
            "code": ("Code", "code"),
            "nom": ("Département", "name"),
            "communes": ("Communes", "commune_count"),
            "population": ("Population", "population"),
        },
        "code",
        numeric={"communes", "population"},
    )
    departements = _with_counts(region.departements.all()).order_by(*ordering)
    if not scope.national:
        departements = departements.filter(code__in=scope.departement_codes)
    exported = export_list(
        request,
        f"departements-{region.code}",
        ["code", "département", "communes", "population"],
        [[d.code, d.name, d.commune_count, d.population] for d in departements],
    )
    if exported:
        return exported
    totals = {
        "communes": sum(d.commune_count for d in departements),
        "population": sum(d.population or 0 for d in departements),
        "epci": Epci.objects.filter(is_current=True, communes__region=region).distinct().count(),
    }
    return render(
        request,
        "web/region.html",
        {
            "region": region,
            "departements": departements,
            "columns": columns,
            "totals": totals,
            "housing": territory_housing(region.name, Q(commune__region=region.code)),
        },
    )


def commune_table(communes) -> tuple[list[str], list[list]]:
    """The header and rows of a list of communes, for its download."""
    header = ["code INSEE", "commune", "département", "EPCI (SIREN)", "EPCI", "population"]
    communes = list(communes.select_related("epci"))
    mairies = mairie_cards(c.code for c in communes)
    rows = [
        [
            c.code,
            c.name,
            c.departement_id,
            c.epci_id or "",
            c.epci.name if c.epci else "",
            c.population,
            *export_columns(mairies.get(c.code)),
        ]
        for c in communes
    ]
    return [*header, *EXPORT_HEADER], rows


def _with_counts(departements):
    current = Q(communes__is_current=True)
    return departements.annotate(
        commune_count=Count("communes", filter=current),
        population=Sum("communes__population", filter=current),
    )
