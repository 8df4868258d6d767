"""The bulk import of contact details in the UI: upload → preview → « Appliquer » → result.

The file is kept server-side between the preview and the application (`ContactUpload`), read
and checked again when applied: if what it would change is no longer what the preview showed
(someone edited a card meanwhile), nothing is written and the new preview is shown."""

import re
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mandature.core.ingest import FileProblems
from mandature.core.spreadsheet import export_response
from mandature.movement.access import require
from mandature.movement.scope import scope_of
from mandature.relations.contacts_file import PER_COMMUNE, PER_OFFICIAL, template_rows
from mandature.relations.contacts_import import Plan, apply, plan
from mandature.relations.forms import ContactsUploadForm
from mandature.relations.models import ContactUpload

TEMPLATES = {"elus": PER_OFFICIAL, "mairies": PER_COMMUNE}
SHOWN = 1000  # lines of the preview's tables


_LOCATED = re.compile(r"^.+?:(?P<line>\d+): column « (?P<column>.+?) »: (?P<what>.*)$")


def for_people(error: FileProblems) -> list[str]:
    """The problems of a file as a page says them (« Ligne 5, colonne « courriel » : … »); the
    command line keeps the `FILE:LINE: column « NAME »:` form other tools read."""
    said = []
    for line in str(error).splitlines():
        found = _LOCATED.match(line)
        if found is None:
            said.append(line)
        elif found["line"] == "0" or found["column"] == "-":
            said.append(f"Ligne {found['line']} : {found['what']}".replace("Ligne 0 : ", ""))
        else:
            said.append(f"Ligne {found['line']}, colonne « {found['column']} » : {found['what']}")
    return said


@require("edit")
def contacts_import(request):
    form = ContactsUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read()
        try:
            plan(upload.name, raw, scope_of(request.user))
        except FileProblems as error:
            problems = for_people(error)
        else:
            with transaction.atomic():
                _forget_unapplied(request.user)
                stored = ContactUpload.objects.create(
                    file_name=upload.name, content=raw, uploaded_by=request.user
                )
            return redirect(stored)
    return render(
        request,
        "web/relations/contacts_import.html",
        {"form": form, "problems": problems, "current": "officials-search"},
    )


def _forget_unapplied(user) -> None:
    """Personal data is not kept waiting: a user's earlier file not applied, and anyone's
    left a day without being applied, are deleted."""
    stale = timezone.now() - timedelta(days=1)
    ContactUpload.objects.filter(applied_at=None).filter(
        Q(uploaded_by=user) | Q(uploaded_at__lt=stale)
    ).delete()


def _upload_of(request, pk: int) -> ContactUpload:
    """The user's own file: another's is « not found »."""
    upload = get_object_or_404(ContactUpload, pk=pk)
    if upload.uploaded_by_id != request.user.pk:
        raise Http404("import d'un autre utilisateur")
    return upload


def _plan_of(request, upload: ContactUpload) -> tuple[Plan | None, list[str]]:
    try:
        return plan(upload.file_name, bytes(upload.content), scope_of(request.user)), []
    except FileProblems as error:
        return None, for_people(error)


@require("edit")
def contacts_import_preview(request, pk: int):
    upload = _upload_of(request, pk)
    context = {"upload": upload, "current": "officials-search"}
    if upload.applied_at is not None:
        return render(request, "web/relations/contacts_import_done.html", context)
    result, problems = _plan_of(request, upload)
    if request.method == "POST" and result is not None:
        if request.POST.get("fingerprint") != result.fingerprint():
            messages.warning(
                request,
                "Les fiches ont changé depuis l'aperçu : rien n'a été écrit. Vérifiez ce nouvel "
                "aperçu avant d'appliquer.",
            )
        else:
            _apply(request, upload, result)
            return redirect(upload)
    context.update(result=result, problems=problems)
    if result is not None:  # a national file: the page lists the first ones, counts the rest
        context.update(
            updates=result.updates[:SHOWN],
            more_updates=max(0, result.updated - SHOWN),
            unmatched=result.unmatched[:SHOWN],
            more_unmatched=max(0, len(result.unmatched) - SHOWN),
        )
    return render(request, "web/relations/contacts_import_preview.html", context)


def _apply(request, upload: ContactUpload, result: Plan) -> None:
    with transaction.atomic():
        apply(result, request.user, channel="web")
        upload.applied_at = timezone.now()
        upload.summary = result.summary()
        upload.content = b""  # personal data: the file is not kept once applied
        upload.save(update_fields=["applied_at", "summary", "content"])
    messages.success(request, f"Import appliqué : {result.counts_text()}.")


@require("edit")
def contacts_import_template(request, kind: str, fmt: str):
    """The templates to fill in, written like every other download (core.spreadsheet)."""
    if kind not in TEMPLATES or fmt not in ("csv", "xlsx"):
        raise Http404("modèle inconnu")
    header, rows = template_rows(TEMPLATES[kind])
    return export_response(header, rows, fmt, f"modele-coordonnees-{kind}", sheet="Coordonnées")
