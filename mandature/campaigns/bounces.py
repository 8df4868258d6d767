"""Bounces: which refusals say an address is dead (a « hard bounce »), and the delivery reports
(DSN, RFC 3464) that come back after a message was handed over, read from .eml files, mboxes
or directories with the standard library's `email` and `mailbox`.

What is hard (RFC 3463, enhanced status codes « class.subject.detail »): only a permanent
failure (class 5) whose subject is the recipient's address or mailbox:

- 5.1.x addressing: 5.1.1 unknown mailbox, 5.1.2 unknown domain, 5.1.3 bad syntax, 5.1.4
  ambiguous, 5.1.6 moved without forwarding, 5.1.10 domain that accepts no mail (null MX, RFC
  7505)… but not 5.1.7 and 5.1.8, which are about *our* sending address;
- 5.2.1 mailbox disabled;
- 5.4.4 unable to route (the domain does not exist: a passing DNS failure is 4.4.3);
- 5.4.1 as Microsoft 365 uses it (« Recipient address rejected: Access denied », a mailbox
  that does not exist; RFC 3463's « no answer from host » is never permanent in practice).

Soft, never held against the address: 5.2.2 mailbox full (with 552, RFC 3463 says it is
usually transient), 5.2.3 message too long, 5.3.x the receiving system, 5.7.x policy and
spam filters (the message or the sender is refused, not the address), and every 4.x.x. A
reply without an enhanced code, or with a vague « 5.0.0 », is judged on its basic code: 550,
551 and 553 hard; 552, 554 and the rest soft.
"""

import mailbox
import re
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
BASIC = re.compile(r"^\s*([245]\d\d)\b")
HARD_BASIC = {550, 551, 553}
HARD_ENHANCED = {(2, 1), (4, 4), (4, 1)}  # (subject, detail) besides 5.1.x
NOT_RECIPIENT = {7, 8}  # 5.1.7, 5.1.8: the sender's address

STATUS_TEXT = {
    "5.1.0": "adresse refusée",
    "5.1.1": "boîte aux lettres inconnue",
    "5.1.2": "domaine inconnu",
    "5.1.3": "adresse mal formée",
    "5.1.4": "adresse ambiguë",
    "5.1.6": "boîte aux lettres fermée sans réexpédition",
    "5.1.10": "le domaine ne reçoit pas de courriel",
    "5.2.1": "boîte aux lettres désactivée",
    "5.4.1": "destinataire refusé par le serveur",
    "5.4.4": "domaine introuvable",
    "4.2.2": "boîte aux lettres pleine",
    "5.2.2": "boîte aux lettres pleine",
    "5.2.3": "message trop long",
}
BASIC_TEXT = {
    550: "boîte aux lettres indisponible",
    551: "destinataire absent de ce serveur",
    553: "adresse non autorisée",
}


def split_code(text: str) -> tuple[int | None, str]:
    """(basic code, enhanced code) found in a reply or a diagnostic (« 550 5.1.1 … »)."""
    basic = BASIC.match(text or "")
    enhanced = ENHANCED.search(text or "")
    return (int(basic.group(1)) if basic else None), (enhanced.group(0) if enhanced else "")


def is_hard(basic: int | None, enhanced: str = "") -> bool:
    """True when the refusal says the address itself is dead (see the module's docstring). A
    vague « 5.0.0 » says nothing more than its basic code."""
    if enhanced and not enhanced.endswith(".0.0"):
        klass, subject, detail = (int(p) for p in enhanced.split("."))
        if klass != 5:
            return False
        if subject == 1:
            return detail not in NOT_RECIPIENT
        return (subject, detail) in HARD_ENHANCED
    return basic in HARD_BASIC


def describe_status(code: str) -> str:
    """« boîte aux lettres inconnue » for « 550 5.1.1 » (or « 5.1.1 »); « » if unknown."""
    basic, enhanced = split_code(code)
    if enhanced in STATUS_TEXT:
        return STATUS_TEXT[enhanced]
    if basic is None and code.strip()[:3].isdigit():
        basic = int(code.strip()[:3])
    return BASIC_TEXT.get(basic, "") if not enhanced or enhanced.startswith("5.1.") else ""


def code_of(basic: int | None, enhanced: str) -> str:
    return " ".join(str(p) for p in (basic, enhanced) if p)


# --- delivery reports ---------------------------------------------------------------------------
MESSAGE_ID = re.compile(r"campagne-(\d+)-(\d+)@[^>\s]+")


class NotMail(ValueError):
    """A file that is not mail; the message names it, in French."""


@dataclass
class Failure:
    """One failed recipient of one report."""

    address: str  # the recipient's address as the report gives it
    status: str  # « 5.1.1 »
    diagnostic: str  # « smtp; 550 5.1.1 <x@y>: Recipient address rejected: … »
    action: str  # failed, delayed, delivered…


@dataclass
class Report:
    """What a message says, once read: where it came from, the campaign's message it answers
    (recipient id from the Message-ID Mandature gave it) and each recipient's fate; `ignored`
    says why nothing is to be done (« pas un avis de non-remise »)."""

    origin: str  # « bounces.mbox, message 3 »
    recipient_id: int | None = None
    failures: list[Failure] = field(default_factory=list)
    ignored: str = ""
    date: object = None


def _looks_like_mail(message: EmailMessage) -> bool:
    if not message.keys():
        return False
    names = {name.lower() for name in message}
    return bool(names & {"from", "received", "return-path", "content-type", "date", "to"})


def _parse(raw: bytes, origin: str) -> EmailMessage:
    if b"\x00" in raw[:4096] or not raw.strip():
        raise NotMail(f"{origin} : ce n'est pas un courriel (fichier vide ou binaire)")
    message = message_from_bytes(raw, policy=policy.default)
    if not _looks_like_mail(message):
        raise NotMail(f"{origin} : ce n'est pas un courriel (aucun en-tête de message)")
    return message


def messages_of(path: Path) -> list[tuple[str, EmailMessage]]:
    """Every message of a file (.eml, or an mbox when it starts with « From ») or of a
    directory (a Maildir, or the files it holds, in name order): (origin, message). Raises
    NotMail naming the file that is not mail."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            box = mailbox.Maildir(path, factory=None, create=False)
            return [
                (f"{path.name}/{key}", _parse(box.get_bytes(key), f"{path}/{key}"))
                for key in sorted(box.keys())
            ]
        found = []
        for child in sorted(p for p in path.iterdir() if p.is_file()):
            found += messages_of(child)
        if not found:
            raise NotMail(f"{path} : ce dossier ne contient aucun courriel")
        return found
    if not path.exists():
        raise NotMail(f"{path} : fichier introuvable")
    try:
        raw = path.read_bytes()
    except OSError:
        raise NotMail(f"{path} : fichier illisible (droits d'accès ?)") from None
    if raw.startswith(b"From "):
        box = mailbox.mbox(path, create=False)
        keys = list(box.keys())
        if not keys:
            raise NotMail(f"{path} : boîte mbox sans aucun message")
        return [
            (f"{path.name}, message {n}", _parse(box.get_bytes(key), f"{path}, message {n}"))
            for n, key in enumerate(keys, 1)
        ]
    return [(path.name, _parse(raw, str(path)))]


def _address(value: str) -> str:
    """« rfc822; Mairie@Example.fr » → « mairie@example.fr »."""
    _, _, address = (value or "").rpartition(";")
    return address.strip().strip("<>").lower()


def _our_recipient(*texts: str) -> int | None:
    for text in texts:
        found = MESSAGE_ID.search(text or "")
        if found:
            return int(found.group(2))
    return None


def _original_headers(message: EmailMessage) -> str:
    """The Message-ID of the returned message (third part: text/rfc822-headers or
    message/rfc822)."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or b""
            found = message_from_bytes(payload, policy=policy.default)
            return str(found.get("Message-ID", ""))
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            return str(inner.get("Message-ID", ""))
    return ""


def read_report(origin: str, message: EmailMessage) -> Report:
    """A message read as a delivery report (multipart/report; report-type=delivery-status)."""
    report = Report(origin)
    try:
        report.date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        report.date = None
    status_part = next(
        (p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None
    )
    if message.get_content_type() != "multipart/report" or status_part is None:
        report.ignored = "pas un avis de non-remise (RFC 3464)"
        return report
    blocks = status_part.get_payload()
    if not isinstance(blocks, list) or len(blocks) < 2:
        report.ignored = "avis de non-remise sans destinataire"
        return report
    per_message, per_recipient = blocks[0], blocks[1:]
    report.recipient_id = _our_recipient(
        str(per_message.get("Original-Envelope-Id", "")), _original_headers(message)
    )
    for block in per_recipient:
        status = str(block.get("Status", "")).strip()
        found = ENHANCED.search(status)
        report.failures.append(
            Failure(
                address=_address(
                    str(block.get("Original-Recipient") or block.get("Final-Recipient") or "")
                ),
                status=found.group(0) if found else status,
                diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split()),
                action=str(block.get("Action", "")).strip().lower(),
            )
        )
    return report


def ignored_summary(reasons: Counter) -> str:
    """« 1 rapport ignoré (échec temporaire 4.2.2) »; several reasons with their counts."""
    total = sum(reasons.values())
    if not total:
        return "aucun rapport ignoré"
    noun = "rapport ignoré" if total == 1 else "rapports ignorés"
    if len(reasons) == 1:
        return f"{total} {noun} ({next(iter(reasons))})"
    listed = " ; ".join(f"{reason} : {n}" for reason, n in reasons.most_common())
    return f"{total} {noun} ({listed})"
