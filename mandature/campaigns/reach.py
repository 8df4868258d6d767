"""How each official of a campaign is reached, decided in one place for the figures a page
shows before launching and for the recipients frozen at launch (`services.prepare`):

- by email: the official's own address (contact card) when known and usable, else the
  address of the mairie of the commune where they sit (the mairie directory, colleagues'
  corrections applied) « à l'attention de » them; blocked addresses (`addresses`) are not
  written to, and an own address that bounced gives way to the mairie's;
- by post: the official's own postal address when known, else « Madame la Maire, Mairie
  de …, address »;
- an email campaign may be completed by letters for those it cannot reach by email.

Only municipal and intercommunal councillors (mayors, adjoints, EPCI presidents…) are reached
through a mairie: a deputy or a regional councillor is not written to at a town hall."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Max

from mandature.core.french import number
from mandature.core.models import ImportRun
from mandature.core.text import fold
from mandature.directory.models import MairieCorrection
from mandature.directory.services import MairieAddress, mairie_addresses
from mandature.officials.enums import MandateKind
from mandature.relations.models import Contact
from mandature.territories.models import PostalCode

from .addresses import AddressStates, address_states
from .models import InvalidAddress, OptOut, Recipient

Route = Recipient.Route
THROUGH_MAIRIE = {MandateKind.MUNICIPAL, MandateKind.COMMUNAUTAIRE}
CHUNK = 900
AFNOR_LINES, AFNOR_WIDTH = 6, 38


@dataclass(frozen=True)
class Way:
    route: str  # Recipient.Route
    email: str = ""
    reason: str = ""  # why not reached (route NONE)
    mairie: MairieAddress | None = None  # the mairie written to (email or letter)
    postal_code: str = ""  # a mayor's letter to « Mairie, CODE COMMUNE » (no directory entry)
    failed: bool = False  # not reached because the contact card's address is malformed


@dataclass
class Split:
    """How many recipients each way reaches, as the campaign's page says before launching."""

    personal: int = 0
    mairie: int = 0
    letter: int = 0
    none: int = 0
    letter_at_mairie: int = 0

    @property
    def emails(self) -> int:
        return self.personal + self.mairie

    @property
    def total(self) -> int:
        return self.emails + self.letter + self.none

    def text(self, email: bool) -> str:
        """« 212 par courriel personnel, 18 par courriel à la mairie, 6 par courrier,
        0 injoignable »."""
        parts = []
        if email:
            parts += [
                f"{number(self.personal)} par courriel personnel",
                f"{number(self.mairie)} par courriel à la mairie",
            ]
        if self.letter or not email:
            parts.append(f"{number(self.letter)} par courrier")
        parts.append(f"{number(self.none)} injoignable{'s' if self.none > 1 else ''}")
        return ", ".join(parts)

    def question(self, email: bool) -> str:
        """The launch button's confirmation: « Envoyer 230 courriels et préparer 6 courriers ? »."""
        emails = f"{number(self.emails)} courriel{'s' if self.emails > 1 else ''}"
        letters = f"{number(self.letter)} courrier{'s' if self.letter > 1 else ''}"
        if not email:
            return f"Préparer {letters} ?"
        if self.letter:
            return f"Envoyer {emails} et préparer {letters} ?"
        return f"Envoyer {emails} ?"

    def as_dict(self) -> dict[str, int]:
        return {
            "personal": self.personal,
            "mairie": self.mairie,
            "letter": self.letter,
            "none": self.none,
        }


def through_mairie(entry) -> bool:
    return bool(entry.commune_id) and entry.mandate.kind in THROUGH_MAIRIE


def usable(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


class Reacher:
    """The ways of a campaign's members: the mairies of their communes and the blocked
    addresses are read once (a few queries for all the mayors of France)."""

    def __init__(self, members: list, *, email: bool, letters: bool):
        self.email, self.letters = email, letters
        codes = sorted({m.entry.commune_id for m in members if through_mairie(m.entry)})
        self.cards: dict[str, MairieAddress] = mairie_addresses(codes)
        self.states: AddressStates | None = address_states() if email else None
        self.postal_codes: dict[str, str] = {}
        if letters or not email:  # for mayors whose mairie the directory does not know
            self.postal_codes = postal_codes(
                [c for c in codes if not (c in self.cards and self.cards[c].postal_lines)]
            )

    def card(self, member) -> MairieAddress | None:
        entry = member.entry
        return self.cards.get(entry.commune_id) if through_mairie(entry) else None

    def way(self, member) -> Way:
        if not self.email:
            return self.by_post(member)
        found = self.by_email(member)
        if found.route != Route.NONE or not self.letters:
            return found
        post = self.by_post(member)
        return post if post.route == Route.LETTER else found

    def by_email(self, member) -> Way:
        own = (member.contact.email if member.contact else "").strip()
        bad_own = own and not usable(own)
        card = self.card(member)
        mairie = card.email.strip() if card else ""
        if mairie and not usable(mairie):
            mairie = ""
        address, block = self.states.reach(member.entry.person_id, "" if bad_own else own, mairie)
        if block is not None:
            return Way(Route.NONE, address, block.text)
        if address and address == own:
            return Way(Route.PERSONAL, own)
        if address:
            return Way(Route.MAIRIE, address, mairie=card)
        if bad_own:
            return Way(Route.NONE, own, f"adresse électronique invalide : « {own} »", failed=True)
        if through_mairie(member.entry):
            return Way(
                Route.NONE,
                reason="ni courriel sur la fiche contact, ni courriel de la mairie dans l'annuaire",
            )
        return Way(Route.NONE, reason="pas d'adresse électronique sur la fiche contact")

    def by_post(self, member) -> Way:
        if member.contact and member.contact.postal_address.strip():
            return Way(Route.LETTER)
        card = self.card(member)
        if card is not None and card.postal_lines:
            return Way(Route.LETTER, mairie=card)
        entry = member.entry
        if entry.function_code == "maire" and entry.commune_id in self.postal_codes:
            return Way(Route.LETTER, postal_code=self.postal_codes[entry.commune_id])
        if through_mairie(member.entry):
            return Way(
                Route.NONE,
                reason="pas d'adresse postale, ni sur la fiche contact ni dans l'annuaire",
            )
        return Way(Route.NONE, reason="pas d'adresse postale sur la fiche contact")

    def split(self, members: Iterable) -> tuple[Split, list[tuple[object, Way]]]:
        """The split, and the members reached by no way with the reason."""
        counts: Counter = Counter()
        unreached = []
        at_mairie = 0
        for member in members:
            way = self.way(member)
            counts[way.route] += 1
            if way.route == Route.NONE:
                unreached.append((member, way))
            elif way.route == Route.LETTER and way.mairie is not None:
                at_mairie += 1
        split = Split(
            counts[Route.PERSONAL],
            counts[Route.MAIRIE],
            counts[Route.LETTER],
            counts[Route.NONE],
            at_mairie,
        )
        return split, unreached


def attention(values: dict, is_mayor: bool) -> str:
    """The first line of a message sent to a mairie: « À l'attention de Madame la Maire »,
    « À l'attention de Monsieur Jean DUPONT, adjoint au maire »."""
    if is_mayor:
        return f"À l'attention de {values['formule_appel']}"
    name = f"{values['civilite']} {values['prenom']} {values['nom'].upper()}".strip()
    function = values.get("fonction") or ""
    return f"À l'attention de {name}, {function}" if function else f"À l'attention de {name}"


def postal_block(member, values: dict, way: Way) -> list[str] | None:
    """The address block (AFNOR NF Z10-011: at most 6 lines of 38 characters, the last one
    « CODE POSTAL LOCALITÉ » in capitals without accents): the contact card's address, else
    the mairie's (« Madame la Maire », « Mairie de … », its address); None without either."""
    if way.route != Route.LETTER:
        return None
    person = member.entry.person
    name = f"{values['civilite']} {person.first_name} {person.last_name.upper()}".strip()
    function = values["fonction"]
    function = (function[:1].upper() + function[1:])[:AFNOR_WIDTH]
    if way.postal_code:
        commune = member.entry.commune
        return [name, function, "Mairie", f"{way.postal_code} {fold(commune.name).upper()}"]
    if way.mairie is None:
        lines = [line.strip() for line in member.contact.postal_address.splitlines()]
        return _afnor([name, function, *[line for line in lines if line]])
    *top, last = way.mairie.postal_lines
    last = fold(last).upper()
    if member.entry.function_code == "maire":
        return _afnor([values["formule_appel"], *top, last])
    return _afnor([name, function, *top, last])


def _afnor(lines: list[str]) -> list[str]:
    """At most six lines: the recipient's first, the locality's last; the lines between
    dropped from the second (the function) when there are too many."""
    lines = [line[:AFNOR_WIDTH] if i < len(lines) - 1 else line for i, line in enumerate(lines)]
    while len(lines) > AFNOR_LINES:
        del lines[1]
    return lines


def postal_codes(codes: list[str]) -> dict[str, str]:
    """The first postal code of each commune."""
    found: dict[str, str] = {}
    for start in range(0, len(codes), CHUNK):
        rows = PostalCode.objects.filter(commune_id__in=codes[start : start + CHUNK]).order_by(
            "commune_id", "code"
        )
        for commune_id, code in rows.values_list("commune_id", "code"):
            found.setdefault(commune_id, code)
    return found


def data_version() -> tuple:
    """What the ways depend on besides the segment: contact cards, the directory and its
    corrections, unsubscribes and invalid addresses. A page that keeps a campaign's split
    keys it on this (a few aggregate queries), so a card typed a second ago counts."""
    return (
        tuple(Contact.objects.aggregate(n=Count("pk"), at=Max("updated_at")).values()),
        tuple(
            MairieCorrection.objects.aggregate(
                n=Count("pk"), at=Max("created_at"), out=Max("withdrawn_at")
            ).values()
        ),
        tuple(OptOut.objects.aggregate(n=Count("pk"), at=Max("created_at")).values()),
        tuple(
            InvalidAddress.objects.aggregate(
                n=Count("pk"), at=Max("created_at"), out=Max("cleared_at")
            ).values()
        ),
        ImportRun.objects.aggregate(at=Max("pk"))["at"],
    )
