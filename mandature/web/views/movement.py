"""The organisations of the movement: list, page, edit, the organisms import."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from mandature.core.ingest import FileProblems
from mandature.core.models import audit
from mandature.core.spreadsheet import export_response
from mandature.movement.access import can, require
from mandature.movement.enums import Family, OrganisationKind
from mandature.movement.forms import OrganisationForm, OrganismUploadForm
from mandature.movement.importer import COLUMNS, TEMPLATE, import_organisms
from mandature.movement.models import Organisation
from mandature.movement.scope import organisation_scope, scope_of
from mandature.territories.models import Commune
from mandature.web.listing import export_list


def _visible(user):
    """The union, the federations, the associations and organisms of the user's territory."""
    scope = scope_of(user)
    organisations = Organisation.objects.select_related("federation", "head_office")
    if scope.national:
        return organisations
    in_scope = Commune.objects.filter(scope.commune_q())
    return organisations.filter(
        Q(kind__in=[OrganisationKind.UNION, OrganisationKind.FEDERATION])
        | Q(head_office__in=in_scope)
        | Q(departements__in=scope.departement_codes)
        | Q(regions__in=scope.region_codes)
        | Q(communes__in=in_scope)
    ).distinct()


def _may_edit(user, organisation: Organisation) -> bool:
    if can(user, "organisations"):
        return True
    return organisation.kind == OrganisationKind.ORGANISM and can(user, "organisms")


def organisation_list(request):
    organisations = _visible(request.user)
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("nature", "")
    family = request.GET.get("famille", "")
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query)
            | Q(short_name__icontains=query)
            | Q(siren=query.replace(" ", ""))
        )
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    if family in Family.values:
        organisations = organisations.filter(family=family)
    exported = export_list(
        request,
        "organisations",
        [
            "nature",
            "nom",
            "sigle",
            "SIREN",
            "famille",
            "fédération",
            "siège (commune)",
            "courriel",
            "téléphone",
            "adresse",
            "site internet",
        ],
        lambda: [
            [
                o.get_kind_display(),
                o.name,
                o.short_name,
                o.siren,
                o.get_family_display(),
                o.federation.name if o.federation else "",
                o.head_office.name if o.head_office else "",
                o.email,
                o.phone,
                o.address,
                o.website,
            ]
            for o in organisations.order_by("kind", "name")
        ],
    )
    if exported:
        return exported
    context = {
        "organisations": organisations.order_by("kind", "name")[:500],
        "query": query,
        "kind": kind,
        "family": family,
        "kinds": OrganisationKind.choices,
        "families": Family.choices,
        "can_import": can(request.user, "organisations"),
        "can_create": can(request.user, "organisms"),
    }
    return render(request, "web/movement/organisations.html", context)


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(_visible(request.user), pk=pk)
    context = {
        "organisation": organisation,
        "scope": organisation_scope(organisation),
        "departements": organisation.departements.order_by("code"),
        "regions": organisation.regions.order_by("code"),
        "communes": organisation.communes.order_by("name")[:200],
        "commune_count": organisation.communes.count(),
        "members": organisation.users.select_related("user") if can(request.user, "invite") else [],
        "may_edit": _may_edit(request.user, organisation),
    }
    return render(request, "web/movement/organisation.html", context)


def organisation_edit(request, pk: int | None = None):
    if pk is None:
        if not can(request.user, "organisms"):
            raise PermissionDenied("Votre rôle ne permet pas de créer un organisme.")
        organisation = Organisation(kind=OrganisationKind.ORGANISM)
    else:
        organisation = get_object_or_404(_visible(request.user), pk=pk)
        if not _may_edit(request.user, organisation):
            raise PermissionDenied("Votre rôle ne permet pas de modifier cette organisation.")
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    scope = scope_of(request.user)
    if request.method == "POST" and form.is_valid() and not _touches(scope, form.cleaned_data):
        form.add_error(
            None, "L'organisme doit avoir son siège ou des logements dans votre territoire."
        )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit("organisation modifiée", "web", request.user, organisation=saved.pk)
        messages.success(request, "Organisation enregistrée.")
        return redirect(saved)
    return render(
        request, "web/movement/organisation_form.html", {"form": form, "organisation": organisation}
    )


def _touches(scope, data: dict) -> bool:
    if scope.national:
        return True
    codes = [c for c in [data.get("head_office_code")] if c] + list(data.get("commune_codes", []))
    if scope.filter_communes(Commune.objects.filter(code__in=codes)).exists():
        return True
    return any(code in scope.departement_codes for code in data.get("departement_codes", []))


@require("organisations")
def organisms_import(request):
    form = OrganismUploadForm(request.POST or None, request.FILES or None)
    problems, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_organisms(upload.name, upload.read())
        except FileProblems as error:
            problems = str(error).splitlines()
        else:
            audit(
                "import d'organismes",
                "web",
                request.user,
                file=upload.name,
                created=result.created,
                updated=result.updated,
            )
    return render(
        request,
        "web/movement/import.html",
        {"form": form, "problems": problems, "result": result, "columns": COLUMNS},
    )


def organisms_template(request):
    """The template to fill in, written like every other CSV download (core.spreadsheet)."""
    header, *rows = (line.split(";") for line in TEMPLATE.splitlines())
    return export_response(header, rows, "csv", "modele-organismes")
