"""Distributing a publication: the record, the interaction, the personal download link."""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from mandature.officials.enums import MandateKind
from mandature.officials.models import Mandate
from mandature.relations.enums import InteractionKind, Source
from mandature.relations.models import Interaction

from .models import Distribution, Publication, Version

ALLOWED = {  # extension → what the first bytes must be
    ".pdf": (b"%PDF-",),
    ".epub": (b"PK\x03\x04",),
    ".mp4": (b"ftyp",),  # at offset 4
    ".webm": (b"\x1aE\xdf\xa3",),
}
MAX_BYTES = 200 * 1024 * 1024


def check_file(upload) -> str | None:
    """Why an uploaded file is refused (French), or None: type by its content, size."""
    name = upload.name.lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in ALLOWED:
        return f"Type de fichier refusé ({extension or 'sans extension'}) : PDF, EPUB, MP4 ou WebM."
    if upload.size > MAX_BYTES:
        return f"Fichier trop gros ({upload.size // 1_000_000} Mo) : 200 Mo au plus."
    head = upload.read(12)
    upload.seek(0)
    signature = ALLOWED[extension][0]
    found = head[4:8] == signature if extension == ".mp4" else head.startswith(signature)
    if not found:
        return f"Le contenu du fichier n'est pas celui d'un fichier {extension[1:].upper()}."
    return None


def _commune_of(person) -> str | None:
    """The commune of the official's latest municipal seat (the interaction is about it)."""
    seats = Mandate.objects.filter(person=person, kind=MandateKind.MUNICIPAL)
    return seats.order_by("-start_date").values_list("commune_id", flat=True).first()


def record(
    version: Version, person, channel: str, *, date=None, user=None, event=None, organisation=None
) -> Distribution:
    """A distribution and its interaction on the official's timeline."""
    date = date or timezone.localdate()
    with transaction.atomic():
        interaction = Interaction.objects.create(
            kind=InteractionKind.PUBLICATION,
            date=date,
            commune_id=_commune_of(person),
            organisation=organisation,
            summary=f"« {version.publication.title} » ({version.label}) "
            f"{Distribution.Channel(channel).label}.",
            source=Source.PUBLICATION,
            created_by=user,
        )
        interaction.persons.add(person)
        return Distribution.objects.create(
            version=version,
            person=person,
            channel=channel,
            date=date,
            event=event,
            organisation=organisation,
            recorded_by=user,
            interaction=interaction,
            downloads=1 if channel == Distribution.Channel.DOWNLOAD else 0,
        )


def downloaded(version: Version, person, organisation=None) -> Distribution:
    """A download through the personal link: recorded once, then counted."""
    found = Distribution.objects.filter(
        version=version, person=person, channel=Distribution.Channel.DOWNLOAD
    ).first()
    if found is not None:
        Distribution.objects.filter(pk=found.pk).update(downloads=F("downloads") + 1)
        return found
    try:
        return record(version, person, Distribution.Channel.DOWNLOAD, organisation=organisation)
    except IntegrityError:  # two clicks at once: the other one recorded it
        return Distribution.objects.get(
            version=version, person=person, channel=Distribution.Channel.DOWNLOAD
        )


_SALT = "publication-link"


def personal_link(publication: Publication, person_id: int, organisation_id=None) -> str:
    token = signing.TimestampSigner(salt=_SALT).sign_object(
        [publication.pk, person_id, organisation_id]
    )
    return settings.SITE_URL + reverse("web:publication-link", args=[token])


def from_token(token: str):
    """(publication, person id, organisation id), or None for a wrong or expired link."""
    try:
        publication_id, person_id, organisation_id = signing.TimestampSigner(
            salt=_SALT
        ).unsign_object(token, max_age=settings.PUBLICATION_LINK_DAYS * 86400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    publication = Publication.objects.filter(pk=publication_id).first()
    return (publication, person_id, organisation_id) if publication else None
