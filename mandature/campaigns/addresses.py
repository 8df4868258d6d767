"""Which email addresses a campaign must not write to, and why: the one place that says it
(and the one that writes it: unsubscribes, hard bounces at sending, delivery reports imported).

Two states, per address (lowercased):

- **unsubscribed** (`OptOut`): someone clicked « se désinscrire » (the page or the mail
  client's one-click POST, RFC 8058). The address receives no later campaign of any
  organisation. When the address was a mairie's shared one (mairie@bordeaux.fr for the mayor
  and the adjoints), it is blocked for every official reached through it and held against none
  of them personally: their own address, when one is known later, is still written to.
- **invalid** (`InvalidAddress`): a server refused it for good (a hard bounce, RFC 3463: see
  `bounces.is_hard`), at sending or in a delivery report imported later. Staff who checked the
  address lift the mark (`lift`); a corrected address is a new address, never blocked.

And one state per person: a person who unsubscribed from **their own** address said stop. They
are reached by no address at all afterwards, not through their mairie's either: writing to them
« à l'attention de » through the mairie would get round their wish (`person_unsubscribed`).

An unsubscribe cannot be lifted by staff: only the person, from the link of a message received
at that address (« Recevoir à nouveau les messages » on the unsubscribe page).

`address_states()` loads all of it for a campaign (three queries); `.check(person_id, email)`
says why not, or None.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from mandature.core.french import long_date
from mandature.core.models import audit
from mandature.directory.models import MairieContact, MairieCorrection

from .bounces import (
    ENHANCED,
    Failure,
    Report,
    code_of,
    describe_status,
    ignored_summary,
    is_hard,
    messages_of,
    read_report,
    split_code,
)
from .models import InvalidAddress, OptOut, Recipient

UNSUBSCRIBED = "unsubscribed"
INVALID = "invalid"
CHUNK = 900  # values in one IN (…): under SQLite's historic limit of 999


@dataclass(frozen=True)
class Block:
    """Why an address (or a person) is not written to, in French for a person."""

    kind: str  # UNSUBSCRIBED | INVALID
    since: date
    email: str = ""
    code: str = ""  # « 550 5.1.1 » for an invalid address
    why: str = ""  # « boîte aux lettres inconnue »
    mark_id: int | None = None  # the InvalidAddress to lift
    personal: bool = False  # a person who unsubscribed from their own address

    @property
    def motive(self) -> str:
        """« boîte aux lettres inconnue, 550 5.1.1 »."""
        return ", ".join(part for part in (self.why, self.code) if part)

    @property
    def text(self) -> str:
        """What a campaign's recipient list and the cards say (lowercase start)."""
        on = long_date(self.since)
        if self.personal:
            return f"désinscrit(e) le {on}, depuis son adresse personnelle"
        if self.kind == UNSUBSCRIBED:
            return f"adresse désinscrite le {on}"
        motive = self.motive
        return f"adresse invalide depuis le {on}" + (f" ({motive})" if motive else "")

    @property
    def label(self) -> str:
        """« Adresse désinscrite le 3 décembre 2026 », for a card."""
        return self.text[:1].upper() + self.text[1:]

    @property
    def liftable(self) -> bool:
        return self.kind == INVALID and self.mark_id is not None


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _unsubscribed_block(opt_out: OptOut, personal: bool = False) -> Block:
    return Block(
        UNSUBSCRIBED,
        timezone.localdate(opt_out.created_at),
        opt_out.email,
        personal=personal,
    )


def _invalid_block(mark: InvalidAddress) -> Block:
    return Block(
        INVALID,
        timezone.localdate(mark.created_at),
        mark.email,
        code=mark.code,
        why=describe_status(mark.code),
        mark_id=mark.pk,
    )


def _blocks(opt_outs, marks) -> dict[str, Block]:
    found: dict[str, Block] = {}
    for mark in marks:
        found[mark.email] = _invalid_block(mark)
    for opt_out in opt_outs:  # an unsubscribe says more than a bounce: it wins
        found[opt_out.email] = _unsubscribed_block(opt_out)
    return found


def blocked(emails: Iterable[str]) -> dict[str, Block]:
    """The blocked ones among these addresses, by lowercased address."""
    wanted = {normalise(e) for e in emails if e and e.strip()}
    found: dict[str, Block] = {}
    for chunk in _chunks(sorted(wanted)):
        found |= _blocks(
            OptOut.objects.filter(email__in=chunk),
            InvalidAddress.objects.filter(email__in=chunk, cleared_at=None),
        )
    return found


def person_unsubscribed(person_ids: Iterable[int]) -> dict[int, Block]:
    """The persons who unsubscribed from their own address (not from a mairie's)."""
    found: dict[int, Block] = {}
    for chunk in _chunks({p for p in person_ids if p}):
        rows = OptOut.objects.filter(person_id__in=chunk, shared=False).order_by("created_at")
        for opt_out in rows:
            found.setdefault(opt_out.person_id, _unsubscribed_block(opt_out, personal=True))
    return found


@dataclass
class AddressStates:
    """Every block at once, for a campaign's recipients."""

    addresses: dict[str, Block] = field(default_factory=dict)
    persons: dict[int, Block] = field(default_factory=dict)

    def check(self, person_id: int | None, email: str) -> Block | None:
        """Why this person must not be written to at this address (their own or their
        mairie's), or None. A person who unsubscribed from their own address is blocked
        whatever the address."""
        return self.persons.get(person_id) or self.addresses.get(normalise(email))

    def reach(self, person_id: int | None, own: str, mairie: str) -> tuple[str, Block | None]:
        """The address to write to an official at, their own first, else their mairie's, and
        why not (or None). An own address that bounced gives way to the mairie's (the address
        is dead, not the person's wish); an own address unsubscribed does not."""
        person = self.persons.get(person_id)
        if person is not None:
            return (own or mairie), person
        own_block = self.addresses.get(normalise(own)) if own else None
        if own and (own_block is None or own_block.kind == UNSUBSCRIBED or not mairie):
            return own, own_block
        return mairie, self.addresses.get(normalise(mairie)) if mairie else None


def address_states() -> AddressStates:
    """All the blocks (a few thousand rows at most): what `prepare()` reads once."""
    opt_outs = list(OptOut.objects.all())
    return AddressStates(
        _blocks(opt_outs, InvalidAddress.objects.filter(cleared_at=None)),
        {
            o.person_id: _unsubscribed_block(o, personal=True)
            for o in sorted(opt_outs, key=lambda o: o.created_at, reverse=True)
            if o.person_id and not o.shared
        },
    )


# --- mairies' shared addresses ------------------------------------------------------------------
def mairies_of(email: str) -> list[MairieContact]:
    """The mairies whose address this is (the directory's value or a colleague's correction
    still in force), case ignored; empty for a personal address."""
    address = normalise(email)
    if not address:
        return []
    direct = MairieContact.objects.annotate(low=Lower("email")).filter(low=address)
    ids = set(direct.values_list("pk", flat=True))
    corrected = MairieCorrection.objects.annotate(low=Lower("value")).filter(
        field="email", withdrawn_at=None, low=address
    )
    ids |= set(corrected.values_list("contact_id", flat=True))
    # A correction to another value replaces the directory's address.
    replaced = set(
        MairieCorrection.objects.filter(field="email", withdrawn_at=None, contact_id__in=ids)
        .exclude(pk__in=corrected.values("pk"))
        .values_list("contact_id", flat=True)
    )
    return list(
        MairieContact.objects.filter(pk__in=ids - replaced)
        .select_related("commune")
        .order_by("commune__name", "kind")
    )


# --- writing the states -------------------------------------------------------------------------
def unsubscribe(recipient: Recipient, *, one_click: bool) -> tuple[OptOut, bool, list]:
    """Record the unsubscribe of a recipient's address: (opt-out, created, mairies). The person
    is recorded only when the address was their own, not a mairie's."""
    address = normalise(recipient.email)
    mairies = mairies_of(address)
    opt_out, created = OptOut.objects.get_or_create(
        email=address,
        defaults={
            "person_id": None if mairies else recipient.person_id,
            "campaign_id": recipient.campaign_id,
            "recipient": recipient,
            "one_click": one_click,
            "shared": bool(mairies),
        },
    )
    if created:
        audit(
            "désinscription",
            "web",
            None,
            campaign=recipient.campaign_id,
            recipient=recipient.pk,
            one_click=one_click,
            adresse_de_mairie=bool(mairies),
        )
    return opt_out, created, mairies


def resubscribe(recipient: Recipient) -> bool:
    """The person who unsubscribed this address, from the link of a message received there,
    asks to receive messages again. True when an unsubscribe was removed."""
    removed, _ = OptOut.objects.filter(email=normalise(recipient.email)).delete()
    if removed:
        audit(
            "réinscription",
            "web",
            None,
            campaign=recipient.campaign_id,
            recipient=recipient.pk,
        )
    return bool(removed)


def mark_invalid(
    email: str,
    *,
    code: str,
    reason: str,
    source: str,
    recipient: Recipient | None = None,
) -> tuple[InvalidAddress, bool]:
    """Mark an address invalid (a hard bounce): (mark, created). An address already marked
    keeps its first mark."""
    address = normalise(email)
    active = InvalidAddress.objects.filter(email=address, cleared_at=None).first()
    if active is not None:
        return active, False
    try:
        with transaction.atomic():
            mark = InvalidAddress.objects.create(
                email=address,
                code=code[:20],
                reason=reason,
                source=source,
                campaign_id=recipient.campaign_id if recipient else None,
                recipient=recipient,
            )
    except IntegrityError:  # another sender marked it meanwhile
        return InvalidAddress.objects.get(email=address, cleared_at=None), False
    return mark, True


def lift(mark: InvalidAddress, user) -> bool:
    """Staff checked the address (« l'adresse a été vérifiée »): the mark is lifted, kept in
    the history with who and when, and audited. False when it was already lifted."""
    now = timezone.now()
    if not InvalidAddress.objects.filter(pk=mark.pk, cleared_at=None).update(
        cleared_at=now, cleared_by=user
    ):
        return False
    mark.cleared_at, mark.cleared_by = now, user
    audit(
        "adresse vérifiée : marque « invalide » levée",
        "web",
        user,
        email=mark.email,
        mark=mark.pk,
        code=mark.code,
        since=mark.created_at.isoformat(),
    )
    return True


# --- delivery reports imported (mandature import-bounces) -----------------------------------------
@dataclass
class Imported:
    marked: int = 0
    known: int = 0
    ignored: Counter = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)  # one per report ignored, naming it

    @property
    def summary(self) -> str:
        """« 12 adresses marquées invalides, 3 déjà connues, 1 rapport ignoré (…) »."""
        marked = (
            f"{self.marked} adresse marquée invalide"
            if self.marked < 2
            else f"{self.marked} adresses marquées invalides"
        )
        known = f"{self.known} déjà connue" + ("s" if self.known >= 2 else "")
        return f"{marked}, {known}, {ignored_summary(self.ignored)}"

    def ignore(self, origin: str, reason: str) -> None:
        self.ignored[reason] += 1
        self.lines.append(f"{origin} : ignoré ({reason})")


def _codes(failure: Failure) -> tuple[int | None, str]:
    """(basic, enhanced) codes of a report's line. Exim and others write a vague « 5.0.0 » in
    Status and the receiving server's precise answer in Diagnostic-Code: the precise one wins."""
    basic, precise = split_code(failure.diagnostic.partition(";")[2] or failure.diagnostic)
    status = failure.status if ENHANCED.fullmatch(failure.status) else ""
    if status.endswith(".0.0") and precise[:1] == status[:1]:
        return basic, precise
    return basic, status or precise


def _why_not(failure: Failure) -> str:
    """Why a recipient's line of a report marks nothing; « » when it is a hard bounce."""
    if failure.action in ("delivered", "relayed", "expanded"):
        return f"message remis ({failure.action})"
    basic, enhanced = _codes(failure)
    shown = enhanced or failure.status or "sans code"
    if failure.action == "delayed" or shown.startswith("4"):
        return f"échec temporaire {shown}"
    if failure.action != "failed":
        return f"action « {failure.action or 'absente'} » inconnue"
    if not is_hard(basic, enhanced):
        what = describe_status(shown) or "refus qui ne met pas l'adresse en cause"
        return f"{what} {shown}"
    return ""


def _target(report: Report, failure: Failure) -> tuple[Recipient | None, bool]:
    """The campaign's recipient the report is about: by the Message-ID Mandature gave the
    message (exact), else the latest recipient written to at that address. (recipient, exact)"""
    if report.recipient_id:
        found = Recipient.objects.filter(pk=report.recipient_id).first()
        if found and (
            len(report.failures) == 1 or normalise(found.email) == normalise(failure.address)
        ):
            return found, True
    if not failure.address:
        return None, False
    by_address = Recipient.objects.filter(email__iexact=failure.address).exclude(
        status=Recipient.Status.SKIPPED
    )
    return by_address.order_by("-pk").first(), False


def _apply(report: Report, failure: Failure, result: Imported) -> None:
    why = _why_not(failure)
    if why:
        result.ignore(report.origin, why)
        return
    recipient, exact = _target(report, failure)
    if recipient is None:
        result.ignore(report.origin, "adresse à laquelle Mandature n'a rien envoyé")
        return
    address = normalise(recipient.email)
    if (
        report.date
        and InvalidAddress.objects.filter(email=address, cleared_at__gte=report.date).exists()
    ):
        result.ignore(report.origin, "adresse vérifiée depuis ce rapport")
        return
    code = code_of(*_codes(failure))
    _, created = mark_invalid(
        address,
        code=code,
        reason=failure.diagnostic,
        source=InvalidAddress.Source.REPORT,
        recipient=recipient,
    )
    if created:
        result.marked += 1
    else:
        result.known += 1
    if exact:
        motive = ", ".join(p for p in (describe_status(code), code) if p)
        Recipient.objects.filter(pk=recipient.pk, status=Recipient.Status.SENT).update(
            status=Recipient.Status.FAILED,
            reason=f"rejeté après l'envoi par le serveur du destinataire : adresse invalide "
            f"({motive})",
        )


def import_reports(paths: Iterable[str | Path]) -> Imported:
    """Read delivery reports (RFC 3464) from .eml files, mboxes or directories, and mark the
    addresses that bounced for good. Every file is read before anything is written: a file
    that is not mail raises bounces.NotMail and nothing changes. Importing the same reports
    again changes nothing (« déjà connues »)."""
    paths = [Path(p) for p in paths]
    reports = [read_report(origin, m) for path in paths for origin, m in messages_of(path)]
    result = Imported()
    with transaction.atomic():
        for report in reports:
            if report.ignored:
                result.ignore(report.origin, report.ignored)
                continue
            for failure in report.failures:
                _apply(report, failure, result)
        audit(
            "import d'avis de non-remise",
            "commande",
            None,
            files=[str(p) for p in paths],
            marked=result.marked,
            known=result.known,
            ignored=sum(result.ignored.values()),
        )
    return result
