"""The commune brief: web page and PDF (the same data), and the staff page for batches."""

from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from mandature.briefs.models import BriefBatch
from mandature.briefs.pdf import render_pdf
from mandature.briefs.services import build_brief
from mandature.briefs.tasks import build_briefs
from mandature.core.models import audit
from mandature.movement.access import require
from mandature.movement.scope import commune_or_404, scope_of
from mandature.territories.models import Commune
from mandature.web.listing import export_list

from ..forms import BriefBatchForm


def _commune(request, code: str) -> Commune:
    commune = get_object_or_404(
        Commune.objects.select_related("departement", "region", "epci"),
        code=code.upper(),
        is_current=True,
    )
    return commune_or_404(request.user, commune)


@require_GET
def brief_page(request, code: str):
    code = code.upper()
    if not Commune.objects.filter(code=code, is_current=True).exists():
        today = Commune.objects.today(code)
        if today is not None:
            return redirect("web:brief", code=today.code, permanent=True)
    brief = build_brief(_commune(request, code))
    data = brief.data
    # Charts are built by our own code from numbers (briefs/charts.py), never from user text.
    svgs = {key: mark_safe(data["housing"][key]) for key in ("comparison_svg", "evolution_svg")}
    svgs["stages_svg"] = mark_safe(data["stages_svg"])
    return TemplateResponse(
        request,
        "web/briefs/brief.html",
        {"commune": brief.commune, "brief": data, "svg": svgs, "unknown": brief.unknown_fields},
    )


@require_GET
def brief_pdf(request, code: str):
    commune = _commune(request, code)
    pdf = render_pdf(build_brief(commune).data)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("telecharger") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="fiche-{commune.code}.pdf"'
    return response


def _batches(request):
    batches = BriefBatch.objects.select_related("created_by")
    if not scope_of(request.user).national:
        batches = batches.filter(created_by=request.user)
    return batches


@require("brief_batches")
def batch_page(request):
    form = BriefBatchForm(request.POST or None, scope=scope_of(request.user))
    if request.method == "POST" and form.is_valid():
        selection = form.cleaned_data["selection"]
        batch = BriefBatch.objects.create(
            kind=selection.kind,
            code=selection.code,
            label=selection.label,
            total=len(selection.codes),
            created_by=request.user,
        )
        build_briefs.enqueue(batch.pk)
        return redirect("web:brief-batch", pk=batch.pk)
    batches = _batches(request)[:20]
    exported = export_list(
        request,
        "fiches-en-lot",
        ["sélection", "état", "fiches", "faites", "demandé le"],
        [
            [
                b.label,
                b.get_status_display(),
                b.total,
                b.done,
                timezone.localtime(b.created_at).strftime("%d/%m/%Y %H:%M"),
            ]
            for b in _batches(request)
        ],
    )
    if exported:
        return exported
    return TemplateResponse(request, "web/briefs/batch.html", {"form": form, "batches": batches})


@require("brief_batches")
def batch_status(request, pk: int):
    batch = get_object_or_404(_batches(request), pk=pk)
    finished = batch.status in (BriefBatch.Status.DONE, BriefBatch.Status.FAILED)
    context = {"batch": batch, "finished": finished}
    if request.headers.get("HX-Request"):
        return TemplateResponse(request, "web/briefs/partials/batch_progress.html", context)
    return TemplateResponse(request, "web/briefs/batch_status.html", context)


@require("brief_batches")
def batch_archive(request, pk: int):
    batch = get_object_or_404(_batches(request), pk=pk, status=BriefBatch.Status.DONE)
    path = Path(batch.zip_path)
    if not path.exists():
        raise Http404("archive supprimée depuis")

    audit("archive de fiches téléchargée", "web", request.user, batch=batch.pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
