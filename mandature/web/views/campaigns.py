"""Segments of officials (build with a live count, save, list, export) and campaigns (write,
preview, test, launch, follow the statuses); the public unsubscribe and shared-brief pages."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mandature.briefs.pdf import render_pdf
from mandature.briefs.services import build_brief
from mandature.campaigns.addresses import lift, mairies_of, resubscribe
from mandature.campaigns.addresses import unsubscribe as unsubscribe_address
from mandature.campaigns.compose import brief_code, compile_template, subject_for
from mandature.campaigns.forms import CampaignForm, field_help
from mandature.campaigns.letters import folder as letters_folder
from mandature.campaigns.models import Campaign, InvalidAddress, OptOut, Recipient, Segment
from mandature.campaigns.reach import attention, postal_block
from mandature.campaigns.segments import (
    EXPORT_HEADER,
    SegmentForm,
    describe,
    evaluate,
    export_rows,
)
from mandature.campaigns.sending import Outage, send_test, unsubscribe_recipient
from mandature.campaigns.services import (
    LaunchError,
    audience_summary,
    launch,
    member_at,
    member_values,
    reacher_of,
    status_counts,
    template_problems,
)
from mandature.core.links import safe_next
from mandature.core.mail import Identity
from mandature.core.models import audit
from mandature.core.ratelimit import rate_limited
from mandature.core.spreadsheet import export_response
from mandature.core.text import strip_controls
from mandature.directory.services import mairie_title
from mandature.events.models import Event
from mandature.movement.access import can, of_organisation, organisation_of, require
from mandature.movement.scope import outside_text, scope_of, visible
from mandature.officials.models import SnapshotEntry
from mandature.territories.models import Commune
from mandature.web.listing import export_list


def _segments(request):
    return of_organisation(
        request.user, Segment.objects.select_related("organisation", "created_by")
    )


def segment_list(request):
    exported = export_list(
        request,
        "segments",
        ["nom", "organisation", "créé par", "filtres", "modifié le"],
        lambda: [
            [
                g.name,
                g.organisation.name if g.organisation else "",
                g.created_by.email if g.created_by else "",
                json.dumps(g.filters, ensure_ascii=False),
                timezone.localtime(g.updated_at).strftime("%d/%m/%Y"),
            ]
            for g in _segments(request)
        ],
    )
    if exported:
        return exported
    return render(
        request,
        "web/campaigns/segments.html",
        {"segments": _segments(request), "can_edit": can(request.user, "edit")},
    )


@require("edit")
def segment_edit(request, pk: int | None = None):
    segment = get_object_or_404(_segments(request), pk=pk) if pk else None
    # Bound from the start (the saved filters, or all the mayors): the count shows at once.
    data = request.POST or request.GET or (segment.filters if segment else {"function": "maire"})
    form = SegmentForm(data)
    result = (
        evaluate(form.cleaned_data, scope_of(request.user), reach=True) if form.is_valid() else None
    )
    if request.headers.get("HX-Request"):
        return render(
            request, "web/campaigns/partials/count.html", {"result": result, "form": form}
        )
    if request.method == "POST" and form.is_valid():
        name = strip_controls(request.POST.get("name", ""), multiline=False).strip()[:200]
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
        request,
        "web/campaigns/segment_form.html",
        {"form": form, "result": result, "segment": segment},
    )


def segment_detail(request, pk: int):
    segment = get_object_or_404(_segments(request), pk=pk)
    scope = scope_of(request.user)
    # A segment is a set of filters, evaluated anew in each viewer's territory: a colleague
    # with a wider one finds more officials (not counted here: it would mean a second
    # evaluation of the whole segment).
    result = evaluate(segment.filters, scope, reach=True)
    page = Paginator(result.members, 100).get_page(request.GET.get("page"))
    audit("segment consulté", "web", request.user, segment=segment.pk, count=result.count)
    context = {
        "segment": segment,
        "result": result,
        "page": page,
        "description": describe(segment.filters),
        "territory": "" if scope.national else scope.describe(),
        "can_export": can(request.user, "export"),
    }
    return render(request, "web/campaigns/segment.html", context)


@require("export")
def segment_export(request, pk: int, fmt: str = "csv"):
    """The segment's members as CSV (streamed) or XLSX: every mayor of France in a few
    seconds (docs/benchmarks.md, « Exports »)."""
    segment = get_object_or_404(_segments(request), pk=pk)
    rows = export_rows(segment.filters, scope_of(request.user))
    audit("export d'un segment", "web", request.user, segment=segment.pk, rows=len(rows))
    return export_response(EXPORT_HEADER, rows, fmt, f"segment-{segment.pk}")


# --- campaigns ------------------------------------------------------------------------------
def _events_of(request):
    return of_organisation(request.user, Event.objects.all())


def _campaigns(request):
    return of_organisation(
        request.user, Campaign.objects.select_related("organisation", "segment", "created_by")
    )


def _recipients_q(request):
    """The recipients the user may see by name: by their mandates, or the commune of an
    official erased since (the others are counted)."""
    return scope_of(request.user).shared_q("person", "commune")


@require("campaigns")
def campaign_list(request):
    campaigns = list(_campaigns(request)[:200])
    counts = {}
    rows = Recipient.objects.filter(campaign__in=campaigns).values("campaign_id", "status")
    for row in rows.annotate(n=Count("pk")):
        counts.setdefault(row["campaign_id"], {})[row["status"]] = row["n"]
    for campaign in campaigns:
        campaign.counts = counts.get(campaign.pk, {})
    statuses = [s.value for s in Recipient.Status]
    exported = export_list(
        request,
        "campagnes",
        [
            "nom",
            "canal",
            "état",
            "segment",
            "objet",
            "lancée le",
            *[f"destinataires : {s.label}" for s in Recipient.Status],
        ],
        [
            [
                c.name,
                c.get_channel_display(),
                c.get_status_display(),
                c.segment.name if c.segment else "",
                c.subject,
                timezone.localtime(c.launched_at).strftime("%d/%m/%Y")
                if getattr(c, "launched_at", None)
                else "",
                *[c.counts.get(s, 0) for s in statuses],
            ]
            for c in campaigns
        ],
    )
    if exported:
        return exported
    return render(request, "web/campaigns/campaigns.html", {"campaigns": campaigns})


@require("campaigns")
def campaign_edit(request, pk: int | None = None):
    campaign = get_object_or_404(_campaigns(request), pk=pk) if pk else None
    if campaign and campaign.status != Campaign.Status.DRAFT:
        messages.error(request, "Une campagne lancée ne se modifie plus.")
        return redirect(campaign)
    organisation = organisation_of(request.user)
    if campaign is None:
        campaign = Campaign(
            organisation=organisation,
            created_by=request.user,
            signatory=organisation.signatory if organisation else "",
        )
    initial = {}
    if request.GET.get("segment", "").isdigit():
        initial["segment"] = request.GET["segment"]
    form = CampaignForm(
        request.POST or None,
        request.FILES or None,
        instance=campaign,
        initial=initial,
        segments=_segments(request),
        events=_events_of(request),
    )
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, "Campagne enregistrée : vérifiez l'aperçu avant de l'envoyer.")
        return redirect(campaign)
    return render(
        request,
        "web/campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "fields": field_help(True)},
    )


def _preview(request, campaign: Campaign, summary, index: int):
    """The message of the index-th member, as the recipient will see it."""
    if not summary.count:
        return None
    index = max(0, min(index, summary.count - 1))
    member = member_at(summary, index)
    values = member_values(campaign, [member])[0]
    way = reacher_of(campaign, [member]).way(member)
    if way.route == Recipient.Route.MAIRIE:
        values["_attention"] = attention(values, member.entry.function_code == "maire")
    by_email = way.route in (Recipient.Route.PERSONAL, Recipient.Route.MAIRIE)
    compiled = compile_template(campaign.subject, campaign.body, email=by_email)
    values["lien_desinscription"] = settings.SITE_URL + "/desinscription/…"
    message = compiled.render(values)
    preview = {
        "by_email": by_email,
        "index": index,
        "count": summary.count,
        "member": member,
        "message": message,
        "way": way,
        "email": way.email if way.route != Recipient.Route.LETTER else "",
    }
    if way.route == Recipient.Route.LETTER:
        preview["address"] = postal_block(member, values, way)
    return preview


UNREACHED_SHOWN = 200


def _unreached(summary) -> list[tuple]:
    """(entry, why) of the first members reached by no way, for the page."""
    shown = summary.unreached[:UNREACHED_SHOWN]
    entries = SnapshotEntry.objects.select_related("person", "commune").in_bulk(
        [entry_id for entry_id, _ in shown]
    )
    return [(entries[entry_id], why) for entry_id, why in shown if entry_id in entries]


@require("campaigns")
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    context = {"campaign": campaign, "can_override": can(request.user, "override")}
    if campaign.status == Campaign.Status.DRAFT:
        problems = template_problems(campaign)
        try:
            result = audience_summary(campaign, scope_of(request.user))
        except LaunchError as error:
            result, problems = None, [*problems, str(error)]
        context["problems"] = problems
        context["identity"] = Identity.of(campaign.organisation)
        if result is not None:
            context["result"] = result
            context["unreached"] = _unreached(result)
            context["check"] = result.check
            index = int(request.GET.get("n", "0")) if request.GET.get("n", "").isdigit() else 0
            context["preview"] = (
                _preview(request, campaign, result, index) if not problems else None
            )
        if request.headers.get("HX-Request"):
            return render(request, "web/campaigns/partials/preview.html", context)
        return render(request, "web/campaigns/campaign.html", context)
    status = request.GET.get("statut", "")
    recipients = campaign.recipients.order_by("pk")
    if status in Recipient.Status.values:  # before counting the others: they are the filter's
        recipients = recipients.filter(status=status)
    recipients, outside = visible(recipients, _recipients_q(request))
    exported = export_list(
        request,
        f"campagne-{campaign.pk}-destinataires",
        ["destinataire", "fonction", "courriel", "adresse", "état", "envoyé le", "détail"],
        lambda: [
            [
                r.name,
                r.values.get("fonction", ""),
                r.email,
                r.address,
                r.get_status_display(),
                f"{timezone.localtime(r.sent_at):%d/%m/%Y %H:%M:%S}" if r.sent_at else "",
                r.reason,
            ]
            for r in recipients
        ],
        personal=True,
    )
    if exported:
        return exported
    context.update(
        counts=status_counts(campaign),
        outside=outside_text(outside),
        page=Paginator(recipients, 100).get_page(request.GET.get("page")),
        status_filter=status,
        statuses=Recipient.Status.choices,
        # one file for every recipient: offered to those who may see them all
        letters_ready=not outside and (letters_folder(campaign) / "courriers.pdf").exists(),
    )
    if request.headers.get("HX-Request"):
        return render(request, "web/campaigns/partials/progress.html", context)
    return render(request, "web/campaigns/campaign.html", context)


@require("campaigns")
@require_POST
def campaign_test(request, pk: int):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if not campaign.is_email:
        raise Http404("pas d'essai pour un courrier")
    problems = template_problems(campaign)
    if problems:
        messages.error(request, " ".join(problems))
        return redirect(campaign)
    result = audience_summary(campaign, scope_of(request.user))
    if not result.count:
        messages.error(request, "Le segment ne compte aucun élu : pas d'exemple à envoyer.")
        return redirect(campaign)
    n = request.POST.get("n", "0")
    member = member_at(result, min(int(n) if n.isdigit() else 0, result.count - 1))
    recipient = Recipient(
        campaign=campaign,
        values=member_values(campaign, [member])[0],
        name="",
        email=request.user.email,
    )
    try:
        send_test(campaign, recipient, request.user.email)
    except Outage as error:
        messages.error(request, f"Essai non envoyé : {error}.")
    else:
        audit("campagne : essai envoyé", "web", request.user, campaign=campaign.pk)
        messages.success(
            request,
            f"Essai envoyé à {request.user.email} (le message de "
            f"{member.entry.person.display_name}).",
        )
    return redirect(f"{campaign.get_absolute_url()}?n={n}")


@require("campaigns")
@require_POST
def campaign_launch(request, pk: int):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    try:
        launch(
            campaign,
            request.user,
            scope_of(request.user),
            override_reason=strip_controls(request.POST.get("override_reason", "")),
            expected=_expected(request.POST),
        )
    except LaunchError as error:
        messages.error(request, str(error))
        return redirect(campaign)
    messages.success(
        request,
        "Campagne lancée : les destinataires sont arrêtés, puis "
        + ("les messages partent." if campaign.is_email else "les courriers sont produits."),
    )
    return redirect(campaign)


def _expected(data) -> dict[str, int] | None:
    """The split the page showed when the user confirmed (None from a form without it)."""
    names = ("personal", "mairie", "letter", "none")
    values = [data.get(f"reach_{name}", "") for name in names]
    if not all(value.isdigit() for value in values):
        return None
    return dict(zip(names, map(int, values), strict=True))


@require("campaigns")
@require_POST
def campaign_stop(request, pk: int):
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    stopped = Campaign.objects.filter(pk=pk, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.CANCELLED, finished_at=timezone.now()
    )
    if stopped:
        audit("campagne arrêtée", "web", request.user, campaign=campaign.pk)
        messages.success(request, "Campagne arrêtée : les messages en attente ne partiront pas.")
    return redirect(campaign)


@require("export")
def campaign_file(request, pk: int, name: str):
    campaign = get_object_or_404(
        _campaigns(request).filter(
            Q(channel=Campaign.Channel.LETTER) | Q(complete_with_letters=True)
        ),
        pk=pk,
    )
    path = letters_folder(campaign) / name
    if not path.exists():
        raise Http404("courriers pas encore produits")
    _inside, outside = visible(campaign.recipients.all(), _recipients_q(request))
    if outside:  # one file for every recipient: for those who may see them all
        raise PermissionDenied(
            f"Ce fichier contient les courriers de {outside_text(outside)} : il est réservé "
            "aux utilisateurs dont le territoire couvre tous les destinataires."
        )
    audit(
        "export des courriers d'une campagne", "web", request.user, campaign=campaign.pk, file=name
    )
    content_type = "application/pdf" if name.endswith(".pdf") else "text/csv; charset=utf-8"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="campagne-{campaign.pk}-{name}"'
    return response


# --- public pages: unsubscribe, shared brief ------------------------------------------------
@login_not_required
@csrf_exempt  # RFC 8058: the mail client posts « List-Unsubscribe=One-Click », with no cookie
@rate_limited("public")
def unsubscribe(request, token: str):
    recipient_id = unsubscribe_recipient(token)
    recipient = (
        Recipient.objects.select_related("campaign__organisation").filter(pk=recipient_id).first()
        if recipient_id
        else None
    )
    if recipient is None or not recipient.email:
        return render(request, "web/campaigns/unsubscribe.html", {"invalid": True}, status=404)
    mairies = mairies_of(recipient.email)
    done = OptOut.objects.filter(email=recipient.email.lower()).exists()
    resubscribed = False
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            resubscribed = resubscribe(recipient)
            done = False
        else:
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            _, _, mairies = unsubscribe_address(recipient, one_click=one_click)
            if one_click:
                return HttpResponse(
                    "Désinscription enregistrée.", content_type="text/plain; charset=utf-8"
                )
            done = True
    return render(
        request,
        "web/campaigns/unsubscribe.html",
        {
            "recipient": recipient,
            "subject": subject_for(recipient.campaign.subject, recipient.values),
            "done": done,
            "token": token,
            "mairies": [_lower_first(mairie_title(m.kind, m.name)) for m in mairies],
            "resubscribed": resubscribed,
        },
    )


def _lower_first(text: str) -> str:
    """« mairie de Bordeaux », inside a sentence."""
    return text[:1].lower() + text[1:]


# --- staff: an address checked after a bounce -------------------------------------------------
@require("edit")
@require_POST
def address_verified(request, pk: int):
    """« L'adresse a été vérifiée »: the invalid mark is lifted (audited). Only for a mark
    about an official or a commune of the user's territory."""
    mark = get_object_or_404(
        InvalidAddress.objects.select_related("recipient__person", "recipient__commune"), pk=pk
    )
    scope, recipient = scope_of(request.user), mark.recipient
    if recipient is None or not (
        (recipient.person is not None and scope.has_person(recipient.person))
        or (recipient.commune is not None and scope.has_commune(recipient.commune))
    ):
        raise Http404("adresse hors de votre territoire")
    if lift(mark, request.user):
        messages.success(
            request,
            f"Adresse {mark.email} vérifiée : les prochaines campagnes lui écriront de nouveau.",
        )
    else:
        messages.info(request, f"L'adresse {mark.email} avait déjà été vérifiée.")
    return redirect(safe_next(request, "web:home"))


@login_not_required
def public_brief(request, token: str, pdf: bool = False):
    code = brief_code(token)
    commune = (
        Commune.objects.select_related("departement", "region", "epci")
        .filter(code=code or "", is_current=True)
        .first()
    )
    if commune is None:
        raise Http404("lien de fiche invalide")
    brief = build_brief(commune)
    if pdf:
        response = HttpResponse(render_pdf(brief.data), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="fiche-{commune.code}.pdf"'
        return response
    data = brief.data
    svgs = {
        key: mark_safe(data["housing"][key])  # our own SVG, from numbers
        for key in ("comparison_svg", "evolution_svg")
    }
    svgs["stages_svg"] = mark_safe(data["stages_svg"])
    return render(
        request,
        "web/briefs/brief.html",
        {
            "commune": commune,
            "brief": data,
            "svg": svgs,
            "unknown": [],
            "public": True,
            "pdf_url": reverse("web:public-brief-pdf", args=[token]),
        },
    )
