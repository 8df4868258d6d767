"""Events: the organiser's pages (event, sessions, answers, approvals, badges, exports,
statistics), the check-in page for a phone at the door, and the invitee's pages without an
account (personal link, public registration form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from mandature.campaigns.models import Campaign, Segment
from mandature.compliance.enums import CommunicationKind
from mandature.core.models import audit
from mandature.core.ratelimit import rate_limited
from mandature.core.spreadsheet import export_response
from mandature.events import services
from mandature.events.badges import qr_svg
from mandature.events.badges import render as render_badges
from mandature.events.forms import AnswerForm, EventForm, PublicForm, session_formset
from mandature.events.mail import ics, when
from mandature.events.models import Event, Invitation, Registration
from mandature.movement.access import of_organisation, organisation_of, require
from mandature.movement.scope import outside_text, scope_of, visible
from mandature.publications.models import Publication
from mandature.web.listing import export_list


def _events(request):
    return of_organisation(request.user, Event.objects.select_related("organisation", "segment"))


def _segments(request):
    return of_organisation(request.user, Segment.objects.all())


def _invitees_q(request):
    """The event's invitees the user may see by name (the rest are counted)."""
    return scope_of(request.user).invitation_q()


def _registrants_q(request):
    return scope_of(request.user).invitation_q("invitation__")


@require("events")
def event_list(request):
    events = list(_events(request).prefetch_related("sessions")[:200])
    figures = services.stats(events)
    by_segment: dict = {}
    for event in events:
        event.figures = figures[event.pk]
        sessions = list(event.sessions.all())
        event.first_start = min((s.starts_at for s in sessions), default=None)
        key = event.segment.name if event.segment else "(sans segment)"
        total = by_segment.setdefault(key, dict.fromkeys(services.STAT_KEYS, 0) | {"events": 0})
        total["events"] += 1
        for name in services.STAT_KEYS:
            total[name] += event.figures[name]
    labels = [
        "invites",
        "reponses",
        "oui",
        "peut_etre",
        "non",
        "demandes_a_valider",
        "inscrits",
        "en_attente",
        "presents",
    ]
    rows = [
        [
            "evenement",
            e.title,
            e.segment.name if e.segment else "",
            timezone.localdate(e.first_start).isoformat() if e.first_start else "",
            *[e.figures[k] for k in services.STAT_KEYS],
        ]
        for e in events
    ]
    rows += [
        ["segment", name, name, "", *[t[k] for k in services.STAT_KEYS]]
        for name, t in sorted(by_segment.items())
    ]
    exported = export_list(  # the figures (no personal data)
        request,
        "evenements-chiffres",
        ["niveau", "nom", "segment", "date", *labels],
        rows,
        title="Chiffres",
    )
    if exported:
        return exported
    return render(
        request,
        "web/events/events.html",
        {"events": events, "by_segment": sorted(by_segment.items())},
    )


@require("events")
def event_edit(request, pk: int | None = None):
    event = get_object_or_404(_events(request), pk=pk) if pk else None
    if event is None:
        event = Event(organisation=organisation_of(request.user), created_by=request.user)
    form = EventForm(request.POST or None, instance=event, segments=_segments(request))
    sessions = session_formset(event)(request.POST or None, instance=event, prefix="seances")
    if request.method == "POST" and form.is_valid() and sessions.is_valid():
        with transaction.atomic():
            event = form.save()
            sessions.instance = event
            sessions.save()
            mails: list = []
            for session in event.sessions.all():  # more seats: the waiting list moves up
                services.promote(services.locked(session), mails)
            services.send_mails(mails)
        audit("événement enregistré", "web", request.user, event=event.pk)
        messages.success(request, f"Événement « {event.title} » enregistré.")
        return redirect(event)
    return render(
        request, "web/events/event_form.html", {"form": form, "sessions": sessions, "event": event}
    )


def _registrations(event, within, status: str = "", session: str = ""):
    """The event's registrations of the people in the user's scope (`within`)."""
    rows = (
        Registration.objects.filter(session__event=event)
        .filter(within)
        .select_related("invitation__commune", "session")
        .order_by("invitation__name", "session__starts_at")
    )
    if status in Registration.Status.values:
        rows = rows.filter(status=status)
    elif status == "present":
        rows = rows.filter(checked_in_at__isnull=False)
    if session.isdigit():
        rows = rows.filter(session_id=int(session))
    return rows


@require("events")
def event_detail(request, pk: int):
    event = get_object_or_404(_events(request), pk=pk)

    context = {
        "event": event,
        "publications": Publication.objects.order_by("title"),
        "figures": services.stats([event])[event.pk],
        "sessions": services.session_stats(event),
    }
    if request.headers.get("HX-Request"):  # the live figures, polled while answers arrive
        return render(request, "web/events/partials/figures.html", context)
    status, session = request.GET.get("statut", ""), request.GET.get("seance", "")
    invitees, outside = visible(event.invitations.all(), _invitees_q(request))
    context.update(
        check=services.electoral_check(event),
        territory=services.territory(event),
        pending=invitees.filter(approval=Invitation.Approval.PENDING),
        recent=invitees.exclude(answer=Invitation.Answer.PENDING).order_by("-answered_at")[:15],
        outside=outside_text(outside),
        registrations=_registrations(event, _registrants_q(request), status, session)[:300],
        status_filter=status,
        session_filter=session,
        statuses=Registration.Status.choices,
        campaigns=Campaign.objects.filter(event=event).order_by("-created_at"),
        departements=services.by_departement(event),
        public_url=request.build_absolute_uri(reverse("web:event-public", args=[event.pk])),
        ended=event.sessions.filter(ends_at__lt=timezone.now()).exists(),
    )
    audit("événement consulté", "web", request.user, event=event.pk)
    return render(request, "web/events/event.html", context)


@require("events")
@require_POST
def event_approve(request, pk: int, invitation_id: int):
    event = get_object_or_404(_events(request), pk=pk)
    invitation = get_object_or_404(event.invitations.filter(_invitees_q(request)), pk=invitation_id)
    accept = request.POST.get("decision") == "accept"
    try:
        outcomes = services.approve(invitation, request.user, accept)
    except services.AnswerError as error:
        messages.error(request, f"{invitation.name} : {error}")
    else:
        if accept:
            messages.success(
                request,
                f"Inscription de {invitation.name} acceptée : "
                + " ".join(o.message for o in outcomes),
            )
        else:
            messages.success(request, f"Demande de {invitation.name} refusée.")
    return redirect(event)


@require("events")
@require_POST
def registration_cancel(request, pk: int, registration_id: int):
    event = get_object_or_404(_events(request), pk=pk)
    registration = get_object_or_404(
        Registration.objects.filter(_registrants_q(request)),
        pk=registration_id,
        session__event=event,
    )
    mails: list = []
    with transaction.atomic():
        done = services.cancel(registration, mails)
        services.send_mails(mails)
    if done:
        audit(
            "inscription annulée par l'organisateur",
            "web",
            request.user,
            event=event.pk,
            registration=registration.pk,
        )
        messages.success(request, f"Inscription de {registration.invitation.name} annulée.")
    return redirect(event)


EXPORT_HEADER = [
    "nom",
    "fonction",
    "courriel",
    "commune",
    "code_insee",
    "seance",
    "creneau",
    "statut",
    "places",
    "collaborateur",
    "role_collaborateur",
    "accessibilite",
    "reponse",
    "arrive_a",
    "code",
    "origine",
]


def _export_rows(event, within):
    questions = event.questions
    for registration in _registrations(event, within):
        invitation = registration.invitation
        commune = invitation.commune
        arrived = registration.checked_in_at
        yield [
            invitation.name,
            invitation.function,
            invitation.email,
            commune.name if commune else "",
            commune.code if commune else "",
            registration.session.title,
            (
                f"{timezone.localtime(registration.slot_start):%H:%M}"
                if registration.slot_start
                else ""
            ),
            registration.get_status_display(),
            registration.seats,
            invitation.companion_name,
            invitation.get_companion_display() if invitation.companion else "",
            invitation.accessibility,
            invitation.get_answer_display(),
            f"{timezone.localtime(arrived):%d/%m/%Y %H:%M}" if arrived else "",
            registration.code,
            invitation.get_source_display(),
            *[invitation.answers.get(q["key"], "") for q in questions],
        ]


@require("export")
def event_export(request, pk: int, fmt: str):
    event = get_object_or_404(_events(request), pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("format inconnu")
    header = EXPORT_HEADER + [q["label"] for q in event.questions]
    rows = list(_export_rows(event, _registrants_q(request)))
    audit(
        "export des inscriptions d'un événement",
        "web",
        request.user,
        event=event.pk,
        rows=len(rows),
        format=fmt,
    )
    return export_response(header, rows, fmt, f"evenement-{event.pk}-inscriptions", "Inscriptions")


@require("export")
def event_badges(request, pk: int):
    event = get_object_or_404(_events(request), pk=pk)
    session = request.GET.get("seance", "")
    pdf = render_badges(
        event, int(session) if session.isdigit() else None, within=_registrants_q(request)
    )
    audit("badges d'un événement", "web", request.user, event=event.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evenement-{event.pk}-badges.pdf"'
    return response


# --- check-in at the door -------------------------------------------------------------------
def _counts(event, session_id=None):
    rows = Registration.objects.filter(session__event=event, status=Registration.Status.CONFIRMED)
    if session_id:
        rows = rows.filter(session_id=session_id)
    return {"expected": rows.count(), "present": rows.filter(checked_in_at__isnull=False).count()}


def _session_of(request, event):
    value = request.GET.get("seance") or request.POST.get("seance") or ""
    if value.isdigit():
        return event.sessions.filter(pk=int(value)).first()
    return None


@require("events")
def checkin_page(request, pk: int):
    event = get_object_or_404(_events(request), pk=pk)
    session = _session_of(request, event)
    query = request.GET.get("q", "")
    results = (
        services.lookup(event, query, session, within=_registrants_q(request)) if query else []
    )
    context = {
        "event": event,
        "session": session,
        "sessions": event.sessions.all(),
        "q": query,
        "results": results,
        "counts": _counts(event, session.pk if session else None),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/events/partials/checkin_results.html", context)
    return render(request, "web/events/checkin.html", context)


@require("events")
def checkin_counts(request, pk: int):
    event = get_object_or_404(_events(request), pk=pk)
    session = _session_of(request, event)
    return render(
        request,
        "web/events/partials/checkin_counts.html",
        {
            "counts": _counts(event, session.pk if session else None),
            "event": event,
            "session": session,
        },
    )


@require("events")
@require_POST
def checkin_mark(request, pk: int):
    event = get_object_or_404(_events(request), pk=pk)
    session = _session_of(request, event)
    code = request.POST.get("code", "").strip().upper().removeprefix("MANDATURE:")
    registration = (  # someone outside the user's scope is unknown here
        Registration.objects.select_related("invitation", "session__event")
        .filter(_registrants_q(request), session__event=event, code=code)
        .first()
    )
    if registration is None:
        ok, text = False, f"Code « {code[:20]} » inconnu pour cet événement."
    elif request.POST.get("undo"):
        services.undo_check_in(registration)
        ok, text = True, f"{registration.invitation.attendee} : arrivée annulée."
    else:
        ok, text = services.check_in(registration, request.user)
    if registration is not None:
        registration.refresh_from_db()
    context = {
        "event": event,
        "session": session,
        "ok": ok,
        "text": text,
        "registration": registration,
        "counts": _counts(event, session.pk if session else None),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/events/partials/checkin_done.html", context)
    messages.success(request, text) if ok else messages.error(request, text)
    url = reverse("web:event-checkin", args=[event.pk])
    return redirect(f"{url}?seance={session.pk}" if session else url)


@require("events")
def checkin_lookup_json(request, pk: int):
    """The search of the check-in page as JSON (measured by bench/events.py)."""
    event = get_object_or_404(_events(request), pk=pk)
    results = services.lookup(
        event, request.GET.get("q", ""), _session_of(request, event), within=_registrants_q(request)
    )
    return JsonResponse(
        {
            "results": [
                {
                    "code": r.code,
                    "name": r.invitation.attendee,
                    "session": r.session.title,
                    "status": r.status,
                    "present": r.checked_in_at is not None,
                }
                for r in results
            ]
        }
    )


# --- the invitee's pages (no account) ---------------------------------------------------------
def _answer_context(event, invitation=None):
    """The sessions that are full, and the slots already taken (the invitee's own kept)."""
    full, taken = services.full_sessions(event), {}
    slotted = [s.pk for s in event.sessions.all() if s.has_slots]
    for session_id, slot, invitation_id in (
        Registration.objects.filter(
            session__in=slotted, status=Registration.Status.CONFIRMED, slot_start__isnull=False
        ).values_list("session_id", "slot_start", "invitation_id")
        if slotted
        else ()
    ):
        taken.setdefault(session_id, set()).add(slot)
        if invitation is not None and invitation_id == invitation.pk:
            taken[("own", session_id)] = slot
    return full, taken


def _sessions_text(event):
    return [{"session": s, "when": when(s)} for s in event.sessions.all()]


@login_not_required
@rate_limited("public")
def rsvp(request, token: str):
    invitation, reason = services.invitation_from_token(token)
    if invitation is None:
        return render(
            request,
            "web/events/link_invalid.html",
            {"reason": reason},
            status=410 if reason == "expired" else 404,
        )
    event = invitation.event
    closed = services.closed_reason(event)
    full, taken = _answer_context(event, invitation)
    form = AnswerForm(
        request.POST if request.method == "POST" and not closed else None,
        event=event,
        invitation=invitation,
        full=full,
        taken=taken,
    )
    outcomes = None
    if form.is_bound and form.is_valid():
        try:
            outcomes = services.record_answer(invitation, form.answer_data())
        except services.AnswerError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            invitation.refresh_from_db()
            full, taken = _answer_context(event, invitation)
            form = AnswerForm(event=event, invitation=invitation, full=full, taken=taken)
    held = list(
        invitation.registrations.exclude(status=Registration.Status.CANCELLED).select_related(
            "session"
        )
    )
    for registration in held:
        registration.qr = mark_safe(qr_svg(registration.code))  # segno's SVG
    return render(
        request,
        "web/events/rsvp.html",
        {
            "event": event,
            "invitation": invitation,
            "form": form,
            "outcomes": outcomes,
            "closed": closed,
            "held": held,
            "sessions": _sessions_text(event),
            "token": token,
        },
    )


@login_not_required
def rsvp_calendar(request, token: str, code: str):
    """The invitee's registration as an .ics file, to add to their calendar."""
    invitation, _reason = services.invitation_from_token(token)
    registration = (
        invitation.registrations.select_related("session__event")
        .exclude(status=Registration.Status.CANCELLED)
        .filter(code=code)
        .first()
        if invitation
        else None
    )
    if registration is None:
        raise Http404("inscription inconnue")
    response = HttpResponse(ics(registration), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evenement-{code}.ics"'
    return response


@login_not_required
@rate_limited("public")
def public_registration(request, pk: int):
    event = get_object_or_404(
        Event.objects.select_related("organisation").prefetch_related("sessions"),
        pk=pk,
        public_registration=True,
    )
    closed = services.closed_reason(event)
    full, taken = _answer_context(event)
    form = PublicForm(
        request.POST if request.method == "POST" and not closed else None,
        event=event,
        full=full,
        taken=taken,
    )
    done = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, created = services.public_request(
                event,
                name=data["name"].strip(),
                email=data["email"].strip(),
                function=data["function"].strip(),
                data=form.answer_data(),
            )
        except services.AnswerError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            done = {"invitation": invitation, "created": created}
    return render(
        request,
        "web/events/public.html",
        {
            "event": event,
            "form": form,
            "closed": closed,
            "done": done,
            "sessions": _sessions_text(event),
        },
    )


# --- invitations and follow-ups through campaigns ---------------------------------------------
@require("campaigns")
@require_POST
def event_campaign(request, pk: int, audience: str):
    """A campaign prepared for the event: the invitation (personal links) or a follow-up."""
    event = get_object_or_404(_events(request), pk=pk)
    if audience not in ("invited", "present", "absent"):
        raise Http404("destinataires inconnus")
    if event.segment is None:
        messages.error(request, "Choisissez d'abord le segment des invités de l'événement.")
        return redirect(event)
    texts = {
        "invited": (f"Invitation : {event.title}", INVITATION_BODY),
        "present": (f"Merci de votre venue : {event.title}", PRESENT_BODY),
        "absent": (f"{event.title} : ce que vous avez manqué", ABSENT_BODY),
    }
    subject, body = texts[audience]

    first = event.sessions.order_by("starts_at").first()
    campaign = Campaign.objects.create(
        name=f"{event.title} — "
        + {"invited": "invitation", "present": "suivi des présents", "absent": "suivi des absents"}[
            audience
        ],
        channel=Campaign.Channel.EMAIL,
        organisation=event.organisation,
        segment=event.segment,
        communication_kind=(
            CommunicationKind.INVITATION if audience == "invited" else CommunicationKind.INFORMATION
        ),
        event=event,
        event_audience=audience,
        subject=subject,
        body=body.format(title=event.title, when=when(first) if first else ""),
        created_by=request.user,
    )
    messages.success(request, "Campagne préparée : relisez le texte et l'aperçu, puis envoyez.")
    return redirect(reverse("web:campaign-edit", args=[campaign.pk]))


INVITATION_BODY = """{{formule_appel}},

{{expediteur}} a le plaisir de vous inviter à « {title} », {when}.

Pour répondre, choisir votre séance, vous faire accompagner ou représenter : \
[votre invitation personnelle]({{lien_invitation}}). Vous pourrez modifier votre réponse à tout \
moment avec ce même lien.

Je vous prie d'agréer, {{formule_appel}}, l'expression de ma haute considération.
"""

PRESENT_BODY = """{{formule_appel}},

Merci de votre participation à « {title} ». Vous trouverez la fiche de votre commune, avec les \
réponses aux questions que se posent les maires, à cette adresse : \
[fiche de {{commune}}]({{lien_fiche}}).

Je vous prie d'agréer, {{formule_appel}}, l'expression de ma haute considération.
"""

ABSENT_BODY = """{{formule_appel}},

Vous n'avez pas pu vous joindre à nous pour « {title} ». Vous trouverez la fiche de votre \
commune, avec les réponses aux questions que se posent les maires, à cette adresse : \
[fiche de {{commune}}]({{lien_fiche}}). Nous serions heureux de vous rencontrer à une autre \
occasion.

Je vous prie d'agréer, {{formule_appel}}, l'expression de ma haute considération.
"""
