"""Segments of officials: build with a live count, save, list, export (CSV, logged)."""

import csv
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mandature.campaigns.models import Segment
from mandature.campaigns.segments import SegmentForm, describe, evaluate
from mandature.core.models import audit
from mandature.movement.access import can, organisation_of, require, role_of
from mandature.movement.enums import Role
from mandature.movement.scope import scope_of


def _segments(request):
    segments = Segment.objects.select_related("organisation", "created_by")
    if role_of(request.user) == Role.ADMIN:
        return segments
    return segments.filter(organisation=organisation_of(request.user))


def segment_list(request):
    return render(
        request, "web/campaigns/segments.html",
        {"segments": _segments(request), "can_edit": can(request.user, "edit")},
    )  # fmt: skip


@require("edit")
def segment_edit(request, pk: int | None = None):
    segment = get_object_or_404(_segments(request), pk=pk) if pk else None
    # Bound from the start (the saved filters, or all the mayors): the count shows at once.
    data = request.POST or request.GET or (segment.filters if segment else {"function": "maire"})
    form = SegmentForm(data)
    result = evaluate(form.cleaned_data, scope_of(request.user)) if form.is_valid() else None
    if request.headers.get("HX-Request"):
        return render(
            request, "web/campaigns/partials/count.html", {"result": result, "form": form}
        )
    if request.method == "POST" and form.is_valid():
        name = request.POST.get("name", "").strip()[:200]
        if not name:
            messages.error(request, "Donnez un nom au segment pour l'enregistrer.")
        else:
            segment = segment or Segment(
                created_by=request.user, organisation=organisation_of(request.user)
            )
            segment.name, segment.filters = name, form.cleaned_data
            segment.save()
            messages.success(request, f"Segment « {name} » enregistré.")
            return redirect(segment)
    return render(
        request, "web/campaigns/segment_form.html",
        {"form": form, "result": result, "segment": segment},
    )  # fmt: skip


def segment_detail(request, pk: int):
    segment = get_object_or_404(_segments(request), pk=pk)
    result = evaluate(segment.filters, scope_of(request.user))
    page = Paginator(result.members, 100).get_page(request.GET.get("page"))
    audit("segment consulté", "web", request.user, segment=segment.pk, count=result.count)
    context = {
        "segment": segment,
        "result": result,
        "page": page,
        "description": describe(segment.filters),
        "can_export": can(request.user, "export"),
    }
    return render(request, "web/campaigns/segment.html", context)


HEADER = [
    "formule_appel", "prenom", "nom", "sexe", "fonction", "commune", "code_insee",
    "departement", "epci", "statut", "courriel", "telephone", "adresse_postale", "donnees_au",
]  # fmt: skip


@require("export")
def segment_export(request, pk: int):
    segment = get_object_or_404(_segments(request), pk=pk)
    result = evaluate(segment.filters, scope_of(request.user))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for member in result.members:
        entry, contact = member.entry, member.contact
        commune = entry.commune
        writer.writerow([
            contact.salutation if contact else "", entry.person.first_name, entry.person.last_name,
            entry.person.sex, entry.function or entry.mandate.get_kind_display(),
            commune.name if commune else "", commune.code if commune else "",
            commune.departement_id if commune else (entry.mandate.departement_id or ""),
            entry.mandate.epci.name if entry.mandate.epci_id else "",
            member.status, contact.email if contact else "", contact.phone if contact else "",
            contact.postal_address if contact else "", result.as_of.data_date.isoformat(),
        ])  # fmt: skip
    audit("export d'un segment", "web", request.user, segment=segment.pk, rows=result.count)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.csv"'
    return response
