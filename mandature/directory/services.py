"""A mairie's contact as people and campaigns read it: the directory's values with the
corrections of colleagues applied, each value saying where it comes from.

`mairie_card(commune)` gives one commune's mairie; `mairie_cards(codes)` many at once (a
campaign, an export); `MairieCard.postal_lines`, `.email`, `.phone` are what a letter or a
message needs. `correct()` records a colleague's value, `withdraw()` goes back to the
directory's; `correct_many()` is `correct()` for many values at once (an import)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from . import values
from .enums import CONTACT_FIELDS, DirectorySource, MairieKind
from .models import MairieContact, MairieCorrection

_VOWEL = re.compile(r"[aeiouyàâäéèêëîïôöûüœAEIOUYÀÂÄÉÈÊËÎÏÔÖÛÜŒ]")
_BLANKS = re.compile(r"[ \t\r\n]+")
_ARRONDISSEMENT = re.compile(r"^(.*?) (\d+)(er|e) arrondissement$", re.IGNORECASE)
CLEANERS = {
    "address": lambda text: values.address_lines(text.splitlines()),
    "email": values.email,
    "phone": values.phone,
    "website": values.website,
    "opening_hours": lambda text: _BLANKS.sub(" ", text).strip(),  # keeps « 9 h »'s NBSP
    "accessibility": lambda text: _BLANKS.sub(" ", text).strip(),
}


def of_name(name: str) -> str:
    """« de Bordeaux », « d'Ajaccio », « du Havre », « des Abymes », « de La Rochelle »."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if _VOWEL.match(name[:1]):
        return f"d'{name}"
    return f"de {name}"


def mairie_title(kind: str, name: str) -> str:
    if kind == MairieKind.ARRONDISSEMENT:
        found = _ARRONDISSEMENT.match(name)
        if found:
            city, rank, suffix = found.groups()
            return f"Mairie du {rank}{suffix} arrondissement {of_name(city)}"
    if kind == MairieKind.DELEGUEE:
        return f"Mairie déléguée {of_name(name)}"
    if kind == MairieKind.ASSOCIEE:
        return f"Mairie annexe {of_name(name)}"
    return f"Mairie {of_name(name)}"


@dataclass(frozen=True)
class Value:
    """One contact value: the text shown, and who gave it (the directory or a colleague)."""

    field: str
    text: str
    directory_text: str
    correction: MairieCorrection | None = None

    @property
    def label(self) -> str:
        return CONTACT_FIELDS[self.field]

    @property
    def from_colleague(self) -> bool:
        return self.correction is not None

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass
class MairieCard:
    contact: MairieContact
    values: dict[str, Value] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return mairie_title(self.contact.kind, self.contact.name)

    @property
    def address_lines(self) -> list[str]:
        return self.values["address"].lines

    @property
    def postal_lines(self) -> list[str]:
        """What goes on an envelope: the mairie's name, then its address (empty if unknown)."""
        return [self.title, *self.address_lines] if self.address_lines else []

    @property
    def email(self) -> str:
        return self.values["email"].text

    @property
    def phone(self) -> str:
        return self.values["phone"].text

    @property
    def website(self) -> str:
        return self.values["website"].text

    @property
    def opening_hours(self) -> str:
        return self.values["opening_hours"].text

    @property
    def accessibility(self) -> str:
        return self.values["accessibility"].text

    @property
    def source_label(self) -> str:
        return DirectorySource(self.contact.source).label

    @property
    def source_date(self) -> date:
        return self.contact.source_date

    @property
    def corrected(self) -> list[Value]:
        return [v for v in self.values.values() if v.from_colleague]

    @property
    def missing(self) -> list[str]:
        """The French names of what the mairie's card lacks (« courriel »…)."""
        return [CONTACT_FIELDS[f] for f in ("address", "email", "phone") if not self.values[f].text]

    @property
    def missing_text(self) -> str:
        """« L'annuaire de l'administration ne publie pas de courriel pour cette mairie. »"""
        missing = self.missing
        if not missing:
            return ""
        if len(missing) == 1:
            what = f"d'{missing[0]}" if missing[0][0] in "aeiou" else f"de {missing[0]}"
            return f"L'annuaire de l'administration ne publie pas {what} pour cette mairie."
        listed = ", ni ".join(missing)
        return f"L'annuaire de l'administration ne publie ni {listed} pour cette mairie."


def card_of(contact: MairieContact, corrections: Iterable[MairieCorrection]) -> MairieCard:
    latest = {c.field: c for c in sorted(corrections, key=lambda c: c.created_at)}
    card = MairieCard(contact)
    for name in CONTACT_FIELDS:
        directory = getattr(contact, name)
        correction = latest.get(name)
        text = correction.value if correction else directory
        card.values[name] = Value(name, text, directory, correction)
    return card


# Above this many communes, every mairie is read in one query and the others dropped: faster
# than long lists of codes in IN (…), which Django writes out value by value.
WHOLE_DIRECTORY = 2000
CHUNK = 900  # values in one IN (…): under SQLite's historic limit of 999


def cards(contacts: Iterable[MairieContact]) -> list[MairieCard]:
    contacts = list(contacts)
    ids = {c.pk for c in contacts}
    active = MairieCorrection.objects.filter(withdrawn_at=None).select_related("author")
    if len(ids) <= CHUNK:  # else every active correction (a few): no IN of thousands of ids
        active = active.filter(contact_id__in=ids)
    by_contact: dict[int, list] = {}
    for correction in active:
        if correction.contact_id in ids:
            by_contact.setdefault(correction.contact_id, []).append(correction)
    return [card_of(c, by_contact.get(c.pk, ())) for c in contacts]


def mairie_card(commune) -> MairieCard | None:
    """The mairie of a commune (a Commune or its code), corrections applied; None if the
    directory is not loaded or does not know it."""
    code = getattr(commune, "code", commune)
    contact = MairieContact.objects.filter(code=code, kind=MairieKind.COMMUNE).first()
    return cards([contact])[0] if contact else None


def _of_communes(rows, codes: set[str], code_of) -> list:
    """The rows (a queryset of communes' mairies) of these codes: the whole directory read once
    above WHOLE_DIRECTORY codes, else IN (…) by chunks."""
    if len(codes) > WHOLE_DIRECTORY:
        return [row for row in rows if code_of(row) in codes]
    ordered = sorted(codes)
    return [
        row
        for start in range(0, len(ordered), CHUNK)
        for row in rows.filter(code__in=ordered[start : start + CHUNK])
    ]


def mairie_cards(codes: Iterable[str]) -> dict[str, MairieCard]:
    """The mairies of many communes at once, by code INSEE (two queries, or a few for more than
    a thousand communes)."""
    contacts = MairieContact.objects.filter(kind=MairieKind.COMMUNE)
    found = _of_communes(contacts, set(codes), lambda contact: contact.code)
    return {card.contact.code: card for card in cards(found)}


@dataclass
class MairieAddress:
    """What a campaign needs of a mairie: its name, email and postal lines (corrections
    applied), read without building a card (`mairie_addresses`)."""

    code: str
    title: str
    email: str
    address_lines: list[str]

    @property
    def postal_lines(self) -> list[str]:
        return [self.title, *self.address_lines] if self.address_lines else []


def mairie_addresses(codes: Iterable[str]) -> dict[str, MairieAddress]:
    """The email and postal address of the mairies of many communes (all of France in about a
    second: plain values, not model objects)."""
    rows = MairieContact.objects.filter(kind=MairieKind.COMMUNE).values_list(
        "pk", "code", "kind", "name", "address", "email"
    )
    found = _of_communes(rows, set(codes), lambda row: row[1])
    corrected: dict[tuple[int, str], str] = {}
    active = MairieCorrection.objects.filter(withdrawn_at=None, field__in=("address", "email"))
    for contact_id, name, value in active.order_by("created_at", "pk").values_list(
        "contact_id", "field", "value"
    ):
        corrected[contact_id, name] = value
    addresses = {}
    for pk, code, kind, name, address, email in found:
        address = corrected.get((pk, "address"), address)
        addresses[code] = MairieAddress(
            code,
            mairie_title(kind, name),
            corrected.get((pk, "email"), email),
            address.splitlines(),
        )
    return addresses


EXPORT_HEADER = ["mairie : adresse", "mairie : courriel", "mairie : téléphone"]


def export_columns(card: MairieCard | None) -> list[str]:
    """The mairie's columns of a list download (address on one line)."""
    if card is None:
        return ["", "", ""]
    return [", ".join(card.address_lines), card.email, card.phone]


def other_mairies(commune) -> list[MairieCard]:
    """The mairies déléguées, annexes and of arrondissement of a commune."""
    contacts = MairieContact.objects.filter(commune=commune).exclude(kind=MairieKind.COMMUNE)
    return cards(contacts.order_by("kind", "name"))


def clean_value(field_name: str, text: str) -> str:
    """A colleague's value, cleaned like the directory's; ValueError says why not."""
    return CLEANERS[field_name](text)


@transaction.atomic
def correct(contact: MairieContact, field_name: str, text: str, user) -> MairieCorrection | None:
    """Record a colleague's value (already cleaned); the previous correction of the field is
    withdrawn. None when it changes nothing."""
    current = card_of(contact, _active(contact)).values[field_name]
    if text == current.text:
        return None
    now = timezone.now()
    _active(contact).filter(field=field_name).update(withdrawn_at=now)
    if text == current.directory_text:
        return None  # back to the directory's value: no correction left
    return MairieCorrection.objects.create(
        contact=contact,
        field=field_name,
        value=text,
        author=user,
        author_name=_name_of(user),
    )


@transaction.atomic
def correct_many(values: Iterable[tuple[MairieCard, str, str]], user) -> int:
    """`correct()` for many values at once (an import of mairies' contacts): each is a card
    read before, a field and its new value (already cleaned). A few queries for any number;
    the number of values changed."""
    now = timezone.now()
    withdrawn: dict[str, list[int]] = {}
    created = []
    for card, field_name, text in values:
        current = card.values[field_name]
        if text == current.text:
            continue
        withdrawn.setdefault(field_name, []).append(card.contact.pk)
        if text != current.directory_text:  # else: back to the directory's value
            created.append(
                MairieCorrection(
                    contact=card.contact,
                    field=field_name,
                    value=text,
                    author=user,
                    author_name=_name_of(user),
                )
            )
    for field_name, pks in withdrawn.items():
        for start in range(0, len(pks), 500):
            MairieCorrection.objects.filter(
                contact_id__in=pks[start : start + 500], field=field_name, withdrawn_at=None
            ).update(withdrawn_at=now)
    MairieCorrection.objects.bulk_create(created, batch_size=500)
    return sum(len(pks) for pks in withdrawn.values())


def withdraw(contact: MairieContact, field_name: str) -> int:
    return _active(contact).filter(field=field_name).update(withdrawn_at=timezone.now())


def _active(contact: MairieContact):
    return MairieCorrection.objects.filter(contact=contact, withdrawn_at=None)


def _name_of(user) -> str:
    full = f"{user.first_name} {user.last_name}".strip() if user else ""
    return full or getattr(user, "email", "") or "un collègue"


def corrected_on(correction: MairieCorrection) -> datetime:
    return timezone.localtime(correction.created_at)
