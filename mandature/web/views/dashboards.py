"""The map of France and the dashboards of the renewal's follow-up."""

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import condition

from mandature.dashboards import charts, geometry
from mandature.dashboards.indicators import LABELS, PERSONAL, encode, indicator
from mandature.dashboards.metrics import METRICS, dashboard
from mandature.movement.scope import scope_of
from mandature.territories.models import Departement, Region
from mandature.web.listing import export_list

OVERSEAS = [
    ("971", "Guadeloupe"),
    ("972", "Martinique"),
    ("973", "Guyane"),
    ("974", "La Réunion"),
    ("976", "Mayotte"),
]


def map_page(request):
    scope = scope_of(request.user)
    key = request.GET.get("indicateur", "nouveau-maire")
    if key not in LABELS:
        key = "nouveau-maire"
    departements = Departement.objects.order_by("code")
    if not scope.national:
        departements = departements.filter(code__in=scope.departement_codes)
    context = {
        "indicators": LABELS.items(),
        "current": key,
        "overseas": OVERSEAS,
        "departements": departements,
        "focus": ",".join(sorted(scope.departement_codes)) if not scope.national else "",
        "scope": scope,
    }
    return render(request, "web/dashboards/map.html", context)


def _geometry_etag(request):
    return geometry.etag()


@condition(etag_func=_geometry_etag)
def map_geometry(request):
    """The communes' shapes (TopoJSON), gzipped once; cached by the browser for a day."""
    data = geometry.compressed()
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(data, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(geometry.inflated(), content_type="application/json")
    response["Cache-Control"] = "private, max-age=86400"
    response["Vary"] = "Accept-Encoding"
    return response


def map_data(request):
    """An indicator's class for every commune of the map (one character each), its legend with
    counts, and what it is based on."""
    key = request.GET.get("indicateur", "")
    if key not in LABELS:
        return JsonResponse(
            {"detail": f"indicateur inconnu : choisir parmi {', '.join(LABELS)}"}, status=400
        )
    scope = scope_of(request.user)
    found = indicator(key, scope)
    values, counts = encode(found, scope)
    body = {
        "indicateur": key,
        "titre": found.label,
        "note": found.note,
        "territoire": "France entière"
        if scope.national or not found.personal
        else scope.describe(),
        "legende": [
            {"classe": i, "libelle": label, "couleur": colour, "communes": counts[i]}
            for i, (label, colour) in enumerate(found.classes)
        ],
        "valeurs": values,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )
    response["Cache-Control"] = "private, max-age=60"
    return response


def _region_for(request, code: str | None):
    scope = scope_of(request.user)
    if code is None:
        if not scope.national:
            regions = sorted(scope.region_codes)
            if len(regions) == 1:
                return None, redirect("web:dashboard-region", code=regions[0])
            raise Http404("Le tableau national est réservé aux utilisateurs de toute la France.")
        return None, None
    region = get_object_or_404(Region, code=code)
    if not scope.has_region(code):
        raise Http404("région hors de votre territoire")
    return region, None


def dashboard_page(request, code: str | None = None):
    chosen = request.GET.get("region", "")
    if code is None and chosen.isalnum() and len(chosen) <= 3:  # the form, without JavaScript
        return redirect("web:dashboard-region", code=chosen)
    region, redirection = _region_for(request, code)
    if redirection:
        return redirection
    scope = scope_of(request.user)
    board = dashboard(scope, region)
    base = reverse("web:dashboard-region", args=[code]) if region else reverse("web:dashboard")
    exported = export_list(
        request,
        f"tableau-de-bord-{code or 'france'}",
        _table_header(),
        lambda: _table_rows(board, region),
        title="Nouveaux maires",
    )
    if exported:
        return exported
    chart = request.GET.get("graphique")
    if chart in ("evolution", *[f"departements-{k}" for k, _ in METRICS]):
        if chart == "evolution":
            svg = charts.over_time(board)
        else:
            svg = charts.by_departement(board, chart.removeprefix("departements-"))
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{chart}-{code or "france"}.svg"'
        return response
    regions = Region.objects.order_by("name")
    if not scope.national:
        regions = regions.filter(code__in=scope.region_codes)
    context = {
        "board": board,
        "region": region,
        "regions": regions,
        "base": base,
        "metrics": METRICS,
        "evolution": charts.over_time(board),
        "by_departement": charts.by_departement(board, "contacted"),
        "personal_indicators": PERSONAL,
    }
    return render(request, "web/dashboards/dashboard.html", context)


def _table_header() -> list[str]:
    header = ["code", "territoire", "nouveaux maires"]
    for _, label in METRICS:
        header += [label, f"{label} (%)"]
    return header


def _table_rows(board, region) -> list[list]:
    rows = []
    for row in [board.total, *board.departements]:
        line = [row.code or ("" if region is None else region.code), row.name, row.total]
        for key, _ in METRICS:
            share = row.share(key)
            line += [row.counts[key], round(share, 1) if share is not None else ""]
        rows.append(line)
    return rows
