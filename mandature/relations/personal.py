"""Personal data of one official: export (JSON, PDF), erasure of the enrichment on request, and
the automatic purge after the end of the mandates (GDPR)."""

import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from mandature.core.french import long_date
from mandature.core.typst_compiler import compiler
from mandature.officials.enums import SnapshotKind
from mandature.officials.models import Mandate, Person, SnapshotEntry, latest_snapshot

from .models import Contact, FollowUp, Interaction, Note

TEMPLATE = Path(__file__).parent / "typst" / "person.typ"
NOTICE = (
    "Extrait établi au titre du droit d'accès (RGPD, article 15). La date de naissance sert "
    "uniquement à distinguer les homonymes : elle n'est ni affichée ni exportée ; seule la "
    "tranche d'âge figure ici."
)
CONTACT_FIELDS = [
    ("salutation", "Formule d'appel"),
    ("email", "Courriel"),
    ("phone", "Téléphone"),
    ("office", "Bureau ou service"),
    ("postal_address", "Adresse postale"),
    ("assistant_name", "Cabinet ou assistant(e)"),
    ("assistant_email", "Courriel du cabinet"),
    ("assistant_phone", "Téléphone du cabinet"),
]


def _name(user) -> str:
    return (user.get_full_name() or user.email) if user else "inconnu"


def person_data(person: Person) -> dict:
    contact = Contact.objects.filter(person=person).select_related("referent").first()
    contact_rows = []
    if contact:
        contact_rows = [
            [label, getattr(contact, f)] for f, label in CONTACT_FIELDS if getattr(contact, f)
        ]
        if contact.preferred_channel:
            contact_rows.append(["Canal préféré", contact.get_preferred_channel_display()])
        contact_rows.append(
            [
                "Opposition au contact",
                f"oui, depuis le {long_date(contact.objection_date)}"
                if contact.objects_to_contact and contact.objection_date
                else "oui"
                if contact.objects_to_contact
                else "non",
            ]
        )
        if contact.referent:
            contact_rows.append(["Référent du Mouvement", _name(contact.referent)])
        tags = ", ".join(t.name for t in contact.tags.all())
        if tags:
            contact_rows.append(["Étiquettes", tags])
    mandates = person.mandates.select_related("commune", "epci").order_by("-start_date")
    return {
        "generated_on": long_date(date.today()),
        "notice": NOTICE,
        "person": {"id": person.pk, "name": person.display_name},
        "identity": [
            ["Nom", person.last_name],
            ["Prénom", person.first_name],
            ["Sexe", person.get_sex_display()],
            ["Âge", person.age_band()],
        ],
        "mandates": [
            {
                "kind": m.get_kind_display(),
                "territory": (
                    m.commune.name
                    if m.commune
                    else m.epci.name
                    if m.epci
                    else m.territory_label or m.territory_key
                ),
                "start": long_date(m.start_date),
                "end": long_date(m.end_date) if m.end_date else "en cours",
            }
            for m in mandates
        ],
        "contact": contact_rows,
        "notes": [
            {"date": long_date(n.created_at.date()), "author": _name(n.author), "text": n.text}
            for n in Note.objects.filter(person=person).select_related("author")
        ],
        "interactions": [
            {
                "date": long_date(i.date),
                "kind": i.get_kind_display(),
                "organisation": str(i.organisation) if i.organisation else "",
                "summary": i.summary,
                "follow_up": i.follow_up,
            }
            for i in Interaction.objects.filter(persons=person).select_related("organisation")
        ],
        "follow_ups": [
            {
                "title": f.title,
                "due": long_date(f.due_date),
                "state": "fait" if f.done_at else "à faire",
            }
            for f in FollowUp.objects.filter(person=person)
        ],
    }


def person_pdf(data: dict) -> bytes:
    return compiler(TEMPLATE).compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})


def erase_enrichment(person: Person) -> dict:
    """Deletes what people added about the person (contact card, notes); the RNE data and the
    record of interactions stay."""
    with transaction.atomic():
        contacts = Contact.objects.filter(person=person).delete()[0]
        notes = Note.objects.filter(person=person).delete()[0]
    return {"contacts": contacts, "notes": notes}


def purgeable(today: date | None = None) -> list[Person]:
    """Persons with enrichment whose mandates all ended more than the retention period ago. A
    mandate ends on its end date when the RNE gives one; otherwise a person absent from the
    latest file of every kind they appeared in is taken to have left after the last file that
    listed them (the conservative reading)."""
    today = today or date.today()
    limit = today - timedelta(days=settings.ENRICHMENT_RETENTION_DAYS)
    enriched = set(Contact.objects.values_list("person_id", flat=True)) | set(
        Note.objects.values_list("person_id", flat=True)
    )
    current = [s.pk for k in SnapshotKind.values if (s := latest_snapshot(k))]
    still_listed = set(
        SnapshotEntry.objects.filter(person_id__in=enriched, snapshot_id__in=current).values_list(
            "person_id", flat=True
        )
    )
    candidates = enriched - still_listed
    if not candidates:
        return []
    open_ended = set(
        Mandate.objects.filter(person_id__in=candidates, end_date=None).values_list(
            "person_id", flat=True
        )
    )
    last_seen = dict(
        SnapshotEntry.objects.filter(person_id__in=candidates)
        .values("person_id")
        .annotate(last=Max("snapshot__data_date"))
        .values_list("person_id", "last")
    )
    last_end = dict(
        Mandate.objects.filter(person_id__in=candidates)
        .values("person_id")
        .annotate(last=Max("end_date"))
        .values_list("person_id", "last")
    )
    gone = []
    for pid in candidates:
        ends = [d for d in (last_end.get(pid), last_seen.get(pid)) if d]
        if pid in open_ended and pid not in last_seen:
            continue  # an open mandate never seen in a snapshot: nothing says it ended
        if ends and max(ends) < limit:
            gone.append(pid)
    return list(Person.objects.filter(pk__in=gone))


def purge(today: date | None = None) -> tuple[int, int]:
    """(persons, records) purged."""
    persons = list(purgeable(today))
    records = 0
    for person in persons:
        counts = erase_enrichment(person)
        records += sum(counts.values())
    return len(persons), records
