"""Pages of the elected officials: changes between snapshots, snapshots, identities, a person."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mandature.core.models import audit
from mandature.movement.access import require
from mandature.movement.scope import scope_of
from mandature.officials.changes import (
    HEAD_FUNCTION,
    count_types,
    snapshot_at,
)
from mandature.officials.enums import ChangeType, SnapshotKind
from mandature.officials.exports import export_response
from mandature.officials.merging import IdentityError, merge, split, undo, what_moves
from mandature.officials.models import (
    IdentityDoubt,
    IdentityOperation,
    Person,
    RneUpload,
    Snapshot,
)
from mandature.officials.services import (
    cached_changes,
    default_comparison,
    freshness,
    latest_comparison,
    renewals,
)
from mandature.officials.tasks import import_upload, read_progress
from mandature.relations.services import changes_in_scope
from mandature.territories.models import Departement, Region
from mandature.web.listing import export_list

from ..forms import RneUploadForm
from .relations import person_context

CHANGE_TYPES = {  # the changes one can filter on, by the kind's head function
    "maire": [
        (ChangeType.NEW_MAYOR, "Nouveaux maires"),
        (ChangeType.FIRST_TIME_MAYOR, "dont premier mandat de maire"),
        (ChangeType.RE_ELECTED, "Maires réélus"),
        (ChangeType.DEPARTED, "Départs"),
        (ChangeType.FUNCTION_CHANGE, "Changements de fonction"),
    ],
    "president": [
        (ChangeType.NEW_PRESIDENT, "Nouveaux présidents d'EPCI"),
        (ChangeType.RE_ELECTED, "Présidents reconduits"),
        (ChangeType.DEPARTED, "Départs"),
        (ChangeType.FUNCTION_CHANGE, "Changements de fonction"),
    ],
    "": [(ChangeType.DEPARTED, "Départs"), (ChangeType.FUNCTION_CHANGE, "Changements de fonction")],
}
# The columns of the « par région » and « par département » tables, by the kind's head function.
COUNT_COLUMNS = {
    "maire": [
        ("Nouveaux maires", "new-mayor"),
        ("dont premier mandat", "first-time-mayor"),
        ("Réélus", "re-elected"),
        ("Départs", "departed"),
        ("Changements de fonction", "function-change"),
    ],
    "president": [
        ("Nouveaux présidents", "new-president"),
        ("Présidents reconduits", "re-elected"),
        ("Départs", "departed"),
        ("Changements de fonction", "function-change"),
    ],
    "": [("Départs", "departed"), ("Changements de fonction", "function-change")],
}


def _count_columns(kind: str) -> list[tuple[str, str]]:
    return COUNT_COLUMNS[HEAD_FUNCTION.get(kind, "")]


def shortcuts(kind: str) -> list[tuple[str, Snapshot, Snapshot]]:
    """Ready-made comparisons: each municipal renewal the snapshots span (the latest file of
    the term against the last one before its first round), then the last file's changes."""
    found = [(f"municipales {e.year}", before, after) for e, before, after in renewals(kind)]
    latest = latest_comparison(kind)
    if latest and not any(b.pk == latest[0].pk and a.pk == latest[1].pk for _, b, a in found):
        found.append(("le dernier fichier", *latest))
    return found


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _selection(request):
    """The two snapshots compared and the filters, from the query string."""
    kind = request.GET.get("kind") or SnapshotKind.MAIRES
    if kind not in SnapshotKind.values:
        raise Http404("type de fichier inconnu")
    date_from, date_to = _parse_date(request.GET.get("from")), _parse_date(request.GET.get("to"))
    if date_from and date_to:
        before, after = snapshot_at(kind, date_from), snapshot_at(kind, date_to)
    else:
        pair = default_comparison(kind)
        before, after = pair if pair else (None, None)
    filters = {
        "type": request.GET.get("type", ""),
        "departement": request.GET.get("departement", "").upper(),
        "region": request.GET.get("region", ""),
    }
    return kind, before, after, filters


def _filtered(changes, filters):
    selected = changes.of_type(filters["type"]) if filters["type"] else changes.changes
    if filters["departement"]:
        selected = [c for c in selected if c.departement_code == filters["departement"]]
    if filters["region"]:
        selected = [c for c in selected if c.region_code == filters["region"]]
    return selected


def _scoped_label(scope, filters) -> str:
    """What the headline counts cover when it is not all of France."""
    if filters["departement"]:
        found = Departement.objects.filter(code=filters["departement"]).first()
        return f"{found.name} ({found.code})" if found else filters["departement"]
    if filters["region"]:
        found = Region.objects.filter(code=filters["region"]).first()
        return found.name if found else filters["region"]
    return "" if scope.national else f"votre territoire : {scope.describe()}"


def changes_page(request):
    kind, before, after, filters = _selection(request)
    context = {
        "kind": kind,
        "kinds": SnapshotKind.choices,
        "snapshots": Snapshot.objects.filter(kind=kind).order_by("-data_date"),
        "before": before,
        "after": after,
        "filters": filters,
        "change_types": CHANGE_TYPES[HEAD_FUNCTION.get(kind, "")],
        "shortcuts": shortcuts(kind),
        "columns": _count_columns(kind),
        "head": HEAD_FUNCTION.get(kind, ""),
    }
    if before and after and before.pk != after.pk:
        if before.data_date > after.data_date:
            before, after = after, before
            context.update(before=before, after=after)
        scope = scope_of(request.user)
        changes = changes_in_scope(scope, cached_changes(before, after))
        selected = _filtered(changes, filters)
        here = _filtered(changes, {**filters, "type": ""})  # the headline: the territory chosen
        counts = count_types(here)
        page = Paginator(selected, 100).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            changes=changes,
            counts={k.replace("-", "_"): v for k, v in counts.items()},
            scoped=_scoped_label(scope, filters),
            by_region=changes.counts_by("region"),
            by_departement=changes.counts_by("departement"),
            page=page,
            selected_count=len(selected),
            query=query.urlencode(),
        )
    return render(request, "web/officials/changes.html", context)


@require("export")
@require("export")
def changes_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("format inconnu : csv ou xlsx")
    kind, before, after, filters = _selection(request)
    if not (before and after) or before.pk == after.pk:
        raise Http404("deux instantanés différents sont nécessaires")
    changes = changes_in_scope(scope_of(request.user), cached_changes(before, after))
    selected = _filtered(changes, filters)
    audit(
        "export des changements RNE",
        "web",
        request.user,
        kind=kind,
        format=fmt,
        before=before.pk,
        after=after.pk,
        rows=len(selected),
        **filters,
    )
    name = f"changements-{kind}-{before.data_date}-{after.data_date}"
    return export_response(changes, selected, fmt, name)


def _national_only(request) -> None:
    """The import reports name people of every territory: for users who see all of France."""
    if not scope_of(request.user).national:
        raise PermissionDenied("Les rapports d'import couvrent toute la France.")


@require("snapshots")
def snapshot_list(request):
    _national_only(request)
    snapshots = Snapshot.objects.order_by("kind", "-data_date", "-id")
    exported = export_list(
        request,
        "instantanes-rne",
        [
            "fichier RNE",
            "données au",
            "nom du fichier",
            "SHA-256",
            "lignes lues",
            "mandats en cours",
            "lignes écartées",
            "communes couvertes",
            "importé le",
        ],
        [
            [
                s.get_kind_display(),
                s.data_date,
                s.file_name,
                s.sha256,
                s.row_count,
                s.entry_count,
                s.rejected_count,
                s.covered_communes,
                timezone.localtime(s.imported_at).strftime("%d/%m/%Y %H:%M"),
            ]
            for s in snapshots
        ],
    )
    if exported:
        return exported
    return render(
        request, "web/officials/snapshots.html", {"snapshots": snapshots, "fresh": freshness()}
    )


@require("snapshots")
def snapshot_detail(request, pk: int):
    _national_only(request)
    snapshot = get_object_or_404(Snapshot, pk=pk)
    remarks = snapshot.report.get("remarks", [])
    exported = export_list(
        request,
        f"instantane-{snapshot.pk}-rapport",
        ["ligne", "colonne", "remarque", "ligne écartée"],
        [
            [line, column, message, "oui" if skipped else "non"]
            for line, column, message, skipped in remarks
        ],
        personal=True,
    )
    if exported:
        return exported
    page = Paginator(remarks, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "web/officials/snapshot.html",
        {"snapshot": snapshot, "page": page, "doubt_count": snapshot.doubts.count()},
    )


@require("identities")
def identity_review(request):
    doubts = IdentityDoubt.objects.select_related("person", "other", "snapshot").order_by(
        "-snapshot__data_date", "line"
    )
    merged = request.GET.get("fusion")
    if merged in ("oui", "non"):
        doubts = doubts.filter(merged=merged == "oui")
    if request.GET.get("dates") == "oui":
        doubts = doubts.filter(known_birth_date__isnull=False)
    snapshot_id = request.GET.get("instantane")
    if snapshot_id and snapshot_id.isdigit():
        doubts = doubts.filter(snapshot_id=int(snapshot_id))
    exported = export_list(
        request,
        "identites-a-verifier",
        [
            "instantané",
            "ligne",
            "nom dans le fichier",
            "prénom dans le fichier",
            "personne retenue",
            "autre personne",
            "fusionnées",
            "règle",
            "écart des dates de naissance",
        ],
        lambda: [
            [
                str(d.snapshot),
                d.line,
                d.file_last_name,
                d.file_first_name,
                str(d.person),
                str(d.other) if d.other else "",
                "oui" if d.merged else "non",
                d.rule,
                d.date_distance,  # never the dates themselves: personal data
            ]
            for d in doubts
        ],
        personal=True,
    )
    if exported:
        return exported
    page = Paginator(doubts, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/officials/identities.html",
        {
            "page": page,
            "merged": merged,
            "query": query.urlencode(),
            "total": IdentityDoubt.objects.count(),
            "dates": request.GET.get("dates") == "oui",
            "dated_total": IdentityDoubt.objects.filter(known_birth_date__isnull=False).count(),
            "operations": IdentityOperation.objects.select_related("done_by")[:20],
        },
    )


def _person_or_error(request, name: str) -> Person | None:
    value = request.GET.get(name) or request.POST.get(name) or ""
    if not value.strip().isdigit():
        return None
    return Person.objects.filter(pk=int(value)).first()


@require("identities")
def identity_merge(request):
    """Two persons into one: what moves is shown before, then done on confirmation."""
    keep, gone = _person_or_error(request, "garder"), _person_or_error(request, "fusionner")
    error = ""
    if keep is None or gone is None:
        error = "Indiquez deux numéros d'élus existants (« n° » sur leur fiche)."
    elif keep.pk == gone.pk:
        error = "Les deux numéros désignent la même personne."
    if not error and request.method == "POST":
        try:
            operation = merge(keep, gone, request.user)
        except IdentityError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Fusion faite : {operation.summary}.")
            return redirect("web:person", keep.pk)
    return render(
        request,
        "web/officials/identity_merge.html",
        {
            "keep": keep,
            "gone": gone,
            "error": error,
            "moves": what_moves(gone) if gone and not error else [],
        },
        status=400 if error and request.method == "POST" else 200,
    )


@require("identities")
def identity_split(request, pk: int):
    doubt = get_object_or_404(IdentityDoubt.objects.select_related("person", "snapshot"), pk=pk)
    error = "" if doubt.merged else "Ce cas n'a pas été fusionné : il n'y a rien à séparer."
    if not error and request.method == "POST":
        try:
            operation = split(doubt, request.user)
        except IdentityError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Séparation faite : {operation.summary}.")
            return redirect("web:identities")
    return render(
        request,
        "web/officials/identity_split.html",
        {"doubt": doubt, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )


@require("identities")
def identity_undo(request, pk: int):
    operation = get_object_or_404(IdentityOperation, pk=pk)
    if request.method != "POST":
        return redirect("web:identities")
    try:
        undo(operation, request.user)
    except IdentityError as problem:
        messages.error(request, f"Annulation impossible : {problem}")
    else:
        messages.success(request, f"Annulé : {operation.summary}.")
    return redirect("web:identities")


def person_detail(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    if not scope_of(request.user).has_person(person):
        raise Http404("élu hors de votre territoire")
    audit("fiche élu consultée", "web", request.user, person=person.pk)
    mandates = person.mandates.select_related("commune", "epci", "departement", "region")
    rows = []
    for mandate in mandates.order_by("-start_date"):
        last = (
            mandate.entries.select_related("snapshot")
            .defer("snapshot__report")
            .order_by("-snapshot__data_date", "-snapshot_id")
            .first()
        )
        rows.append((mandate, last))
    context = {"person": person, "mandates": rows, **person_context(request, person)}
    return render(request, "web/officials/person.html", context)


@require("import_rne")
def rne_upload(request):
    form = RneUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = RneUpload.objects.create(
            file=form.cleaned_data["file"],
            original_name=form.cleaned_data["file"].name[:300],
            data_date=form.cleaned_data["data_date"],
            skip_unplaced=form.cleaned_data["skip_unplaced"],
            uploaded_by=request.user,
        )
        import_upload.enqueue(upload.pk)
        return redirect(upload)
    uploads = RneUpload.objects.select_related("snapshot")[:20]
    return render(request, "web/officials/upload.html", {"form": form, "uploads": uploads})


@require("import_rne")
def rne_upload_status(request, pk: int):
    upload = get_object_or_404(RneUpload, pk=pk)
    progress = read_progress(upload.pk)
    percent = 100 * progress["done"] // progress["total"] if progress["total"] else 0
    if upload.status in (RneUpload.Status.DONE, RneUpload.Status.FAILED):
        percent = 100
    finished = upload.status in (RneUpload.Status.DONE, RneUpload.Status.FAILED)
    context = {"upload": upload, "progress": progress, "percent": percent, "finished": finished}
    if request.headers.get("HX-Request"):
        return render(request, "web/officials/partials/upload_progress.html", context)
    return render(request, "web/officials/upload_status.html", context)
