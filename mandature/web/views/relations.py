"""The relationship with each official: contact card, notes, interactions, follow-ups,
« Mon territoire », the search of officials, the personal data of one person."""

import json
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mandature.campaigns.addresses import blocked, person_unsubscribed
from mandature.campaigns.reach import usable
from mandature.core.links import safe_next
from mandature.core.models import audit
from mandature.directory.services import EXPORT_HEADER, export_columns, mairie_cards
from mandature.movement.access import can, organisation_of, require
from mandature.movement.scope import outside_text, scope_of, visible
from mandature.officials.models import Person
from mandature.relations.digest import since_last_visit
from mandature.relations.forms import ContactForm, FollowUpForm, InteractionForm, NoteForm
from mandature.relations.models import Contact, FollowUp, Note
from mandature.relations.personal import erase_enrichment, person_data, person_pdf
from mandature.relations.services import (
    current_entries,
    my_territory,
    person_timeline,
    search_officials,
    visible_interactions,
)
from mandature.web.listing import export_list

from .publications import HandOverForm


def _person_in_scope(request, pk: int) -> Person:
    person = get_object_or_404(Person, pk=pk)
    if not scope_of(request.user).has_person(person):
        raise Http404("élu hors de votre territoire")
    return person


def _colleagues(user):
    """People a follow-up can be given to, or who can be an official's référent: the
    user's organisation (all users for a national administrator)."""
    users = get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name")
    organisation = organisation_of(user)
    if organisation is not None and not scope_of(user).national:
        users = users.filter(profile__organisation=organisation)
    return users


def person_context(request, person: Person) -> dict:
    contact = Contact.objects.filter(person=person).select_related("referent").first()
    return {
        "contact": contact,
        **_address_states(person, contact),
        "tags": list(contact.tags.all()) if contact else [],
        "notes": Note.objects.filter(person=person).select_related("author", "organisation"),
        "timeline": person_timeline(person, scope_of(request.user)),
        "follow_ups": FollowUp.objects.filter(person=person, done_at=None).select_related(
            "assignee"
        ),
        "can_edit": can(request.user, "edit"),
        "can_export": can(request.user, "export"),
        "can_erase": can(request.user, "erase"),
        "can_identities": can(request.user, "identities"),
        "note_form": NoteForm(),
        "hand_over_form": _hand_over_form(request),
        "publications_received": person.publications_received.select_related(
            "version__publication", "event"
        ),
    }


def _address_states(person: Person, contact: Contact | None) -> dict:
    """What the card says of the addresses campaigns reach the official by: their own (and
    whether they said stop), and their communes' mairies' when one is blocked."""
    own = contact.email if contact else ""
    codes = person.mandates.filter(end_date=None, commune__isnull=False).values_list(
        "commune_id", flat=True
    )
    cards = [c for c in mairie_cards(set(codes)).values() if c.email]
    found = blocked([own, *(c.email for c in cards)])
    person_block = person_unsubscribed([person.pk]).get(person.pk)
    address_block = found.get(own.lower()) if own else None
    return {
        "address_block": address_block,
        "person_block": person_block,
        "mairie_blocks": [
            (card, found[card.email.lower()]) for card in cards if card.email.lower() in found
        ],
        "campaigns_reach": None
        if person_block
        else _reach_text(own if own and not address_block and usable(own) else "", cards, found),
    }


def _reach_text(own: str, cards: list, found: dict) -> str:
    """How an email campaign reaches the official (campaigns.reach decides it the same way)."""
    if own:
        return f"Les campagnes par courriel lui écrivent à son adresse, {own}."
    for card in cards:
        if card.email.lower() not in found:
            mairie = card.title[:1].lower() + card.title[1:]
            return (
                f"Les campagnes par courriel lui écrivent à l'adresse de la {mairie}, "
                f"{card.email}, « à l'attention de » l'élu."
            )
    return (
        "Aucun courriel connu, ni le sien ni celui de sa mairie : les campagnes par courriel "
        "ne le joignent pas (elles peuvent être complétées par des courriers)."
    )


def _hand_over_form(request):
    return HandOverForm(user=request.user) if can(request.user, "edit") else None


@require("edit")
def contact_edit(request, pk: int):
    person = _person_in_scope(request, pk)
    contact = Contact.objects.filter(person=person).first() or Contact(person=person)
    form = ContactForm(request.POST or None, instance=contact, referents=_colleagues(request.user))
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.updated_by = request.user
        contact.save()
        form.save()  # and the tags
        audit("fiche de contact modifiée", "web", request.user, person=person.pk)
        messages.success(request, "Fiche de contact enregistrée.")
        return redirect(person)
    return render(request, "web/relations/contact_form.html", {"person": person, "form": form})


@require_POST
@require("edit")
def note_add(request, pk: int):
    person = _person_in_scope(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        Note.objects.create(
            person=person,
            author=request.user,
            organisation=organisation_of(request.user),
            text=form.cleaned_data["text"],
        )
        messages.success(request, "Note ajoutée.")
    else:
        messages.error(request, form.errors["text"][0])
    return redirect(f"{person.get_absolute_url()}#notes")


def _seat_territory(person: Person):
    """The commune and EPCI an interaction with this person is about, by default."""
    entries = current_entries(person)
    for entry in entries:
        if entry.commune_id:
            return entry.commune, entry.commune.epci
    for entry in entries:
        if entry.mandate.epci_id:
            return None, entry.mandate.epci
    return None, None


@require("edit")
def interaction_new(request, pk: int):
    person = _person_in_scope(request, pk)
    form = InteractionForm(request.POST or None, initial={"date": date.today()})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            interaction = form.save(commit=False)
            interaction.commune, interaction.epci = _seat_territory(person)
            interaction.organisation = organisation_of(request.user)
            interaction.created_by = request.user
            interaction.save()
            interaction.persons.add(person)
            if form.cleaned_data.get("follow_up_title"):
                FollowUp.objects.create(
                    title=form.cleaned_data["follow_up_title"],
                    due_date=form.cleaned_data["follow_up_due"],
                    assignee=request.user,
                    person=person,
                    interaction=interaction,
                    created_by=request.user,
                )
        messages.success(request, f"{interaction.get_kind_display().capitalize()} enregistré.")
        return redirect(f"{person.get_absolute_url()}#echanges")
    return render(request, "web/relations/interaction_form.html", {"person": person, "form": form})


def interaction_detail(request, pk: int):
    interaction = get_object_or_404(
        visible_interactions(scope_of(request.user)).select_related(
            "organisation", "created_by", "commune", "epci"
        ),
        pk=pk,
    )
    # an exchange in scope (its commune) may also name officials outside it: counted only
    persons, outside = visible(interaction.persons.all(), scope_of(request.user).person_q())
    return render(
        request,
        "web/relations/interaction.html",
        {
            "interaction": interaction,
            "persons": persons,
            "outside": outside_text(outside),
        },
    )


@require("edit")
def follow_up_new(request, pk: int):
    person = _person_in_scope(request, pk)
    form = FollowUpForm(
        request.POST or None,
        initial={"assignee": request.user},
        assignees=_colleagues(request.user),
    )
    if request.method == "POST" and form.is_valid():
        follow_up = form.save(commit=False)
        follow_up.person = person
        follow_up.created_by = request.user
        follow_up.save()
        messages.success(request, "Suivi programmé.")
        return redirect(f"{person.get_absolute_url()}#suivis")
    return render(request, "web/relations/follow_up_form.html", {"person": person, "form": form})


def _my_follow_ups(request):
    """The user's tasks (given or taken) about the officials of their scope: a colleague with
    a wider territory may have given one about someone outside it (counted, never named)."""
    mine = FollowUp.objects.filter(Q(assignee=request.user) | Q(created_by=request.user))
    return visible(mine, scope_of(request.user).shared_q(), person="person")


def follow_ups(request):
    mine, outside = _my_follow_ups(request)
    mine = mine.select_related("person", "assignee", "interaction")
    exported = export_list(
        request,
        "suivis",
        ["à faire", "échéance", "élu", "confié à", "fait le"],
        lambda: [
            [
                f.title,
                f.due_date,
                str(f.person) if f.person else "",
                f.assignee.get_full_name() or f.assignee.email,
                timezone.localtime(f.done_at).strftime("%d/%m/%Y") if f.done_at else "",
            ]
            for f in mine.order_by("done_at", "due_date")
        ],
        personal=True,
    )
    if exported:
        return exported
    context = {
        "open": mine.filter(done_at=None).order_by("due_date"),
        "done": mine.exclude(done_at=None).order_by("-done_at")[:30],
        "outside": outside_text(outside),
        "today": date.today(),
    }
    return render(request, "web/relations/follow_ups.html", context)


@require_POST
def follow_up_done(request, pk: int):
    follow_up = get_object_or_404(_my_follow_ups(request)[0], pk=pk)
    follow_up.done_at = None if follow_up.done_at else timezone.now()
    follow_up.save(update_fields=["done_at"])
    return redirect(safe_next(request, "web:follow-ups"))


def my_territory_page(request):
    scope = scope_of(request.user)
    data = my_territory(request.user, scope)
    exported = export_list(
        request,
        "nouveaux-maires",
        ["code INSEE", "commune", "département", "maire", "changement", "contacté", *EXPORT_HEADER],
        lambda: _new_mayor_rows(data.everyone),
        personal=True,
    )
    if exported:
        return exported
    since = since_last_visit(request.user, scope)
    return render(
        request,
        "web/relations/my_territory.html",
        {"data": data, "scope": scope, "today": date.today(), "since": since},
    )


def _new_mayor_rows(everyone) -> list[list]:
    mairies = mairie_cards(n.change.seat.commune_id for n in everyone if n.change.seat.commune_id)
    return [
        [
            n.change.seat.commune_id or "",
            n.change.territory_name,
            n.change.departement_name,
            str(n.change.person) if n.change.person else "",
            n.change.type_label,
            "oui" if n.contacted else "non",
            *export_columns(mairies.get(n.change.seat.commune_id)),
        ]
        for n in everyone
    ]


def officials_search(request):
    query = request.GET.get("q", "")[:100]
    results = search_officials(scope_of(request.user), query) if query.strip() else []
    exported = export_list(
        request,
        "elus-recherche",
        ["nom", "prénom", "mandats en cours"],
        [
            [
                r.person.last_name,
                r.person.first_name,
                " ; ".join(
                    f"{m.get_kind_display()} ({m.territory_label or m.territory_key})"
                    for m in r.mandates
                ),
            ]
            for r in results
        ],
        personal=True,
    )
    if exported:
        return exported
    context = {"query": query, "results": results}
    if request.headers.get("HX-Request"):
        return render(request, "web/relations/partials/official_results.html", context)
    return render(request, "web/relations/search.html", context)


# --- personal data (GDPR) ------------------------------------------------------------------
@login_not_required
def privacy_notice(request):
    return render(
        request,
        "web/relations/privacy.html",
        {"retention_days": settings.ENRICHMENT_RETENTION_DAYS},
    )


@require("export")
def person_export(request, pk: int, fmt: str):
    person = _person_in_scope(request, pk)
    audit("export des données d'une personne", "web", request.user, person=person.pk, format=fmt)
    data = person_data(person)
    name = f"donnees-{person.pk}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
    elif fmt == "pdf":
        response = HttpResponse(person_pdf(data), content_type="application/pdf")
    else:
        raise Http404("format inconnu")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
@require("erase")
def person_erase(request, pk: int):
    person = _person_in_scope(request, pk)
    counts = erase_enrichment(person)
    audit(
        "effacement des données d'enrichissement", "web", request.user, person=person.pk, **counts
    )
    messages.success(
        request,
        "Fiche de contact et notes effacées. Restent les données publiques du RNE et les échanges.",
    )
    return redirect(person)
