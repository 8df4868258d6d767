"""Mail building shared by the apps that write to people (campaigns, events): who a message
comes from (`Identity`), the message written by the standard library (`compose`: headers in
RFC 2047, quoted-printable bodies, `List-Unsubscribe`), and the same message for tens of
thousands of recipients (`Skeleton`)."""

import binascii
import re
import time
from dataclasses import dataclass
from email import quoprimime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from functools import lru_cache

from django.conf import settings

# CRLF line ends and lines folded at 78 characters, as SMTP wants them.
POLICY = SMTP


@dataclass
class Identity:
    """Who the messages of a campaign or of an event come from."""

    envelope_from: str
    reply_to: str
    name: str

    @classmethod
    def of(cls, organisation) -> "Identity":
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        reply_to = ""
        if organisation is not None:
            name = organisation.sender_name or organisation.name
            address = organisation.sender_email or address
            reply_to = organisation.reply_to or organisation.email
        return cls(address, reply_to, " ".join(name.split()))

    @property
    def domain(self) -> str:
        return self.envelope_from.rpartition("@")[2] or "mandature.localhost"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str  # « text/calendar »
    params: tuple[tuple[str, str], ...] = ()


def compose(
    *,
    identity: Identity,
    to: list[tuple[str, str]],
    subject: str,
    text: str,
    html: str = "",
    message_id: str = "",
    unsubscribe: str = "",
    date: str = "",
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """The message as sent: plain text (then the HTML document as an alternative when there is
    one), UTF-8 in quoted-printable, then the attachments; `to` is a list of (name, address)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(identity.name, addr_spec=identity.envelope_from)
    message["To"] = [Address(name, addr_spec=address) for name, address in to]
    message["Subject"] = " ".join(subject.split())
    message["Date"] = date or formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain=identity.domain)
    if identity.reply_to:
        message["Reply-To"] = identity.reply_to
    if unsubscribe:  # RFC 2369 and RFC 8058 (one click, by POST, without a page to visit)
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Precedence"] = "bulk"
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, cte="quoted-printable")
    if html:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data,
            maintype,
            subtype,
            filename=attachment.filename,
            params=dict(attachment.params),
        )
    return message


def html_document(body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#222">\n'
        f"{body}</body></html>\n"
    )


# --- one writing for a whole campaign ---------------------------------------------------------
# compose() costs about 3 ms a message (the email package parses each header it is given and
# folds it again): more than the SMTP exchange. A campaign's messages differ only in five
# headers and the two bodies, so the standard library writes the message once with markers,
# and each recipient's message is that writing with the markers replaced by the values encoded
# as the standard library encodes them (tests/campaigns/test_compose.py checks they are the
# same message). A multipart boundary (« ===…== ») cannot occur in a quoted-printable body,
# which writes every « = » as « =3D »: one boundary serves every recipient.
_MARKERS = {
    "to": "to@marqueur.invalid",
    "subject": "MARQUEURSUJET",
    "date": "Sat, 01 Jan 2000 00:00:00 +0000",  # a date: the header parses it
    "id": "<marqueur@marqueur.invalid>",
    "unsubscribe": "https://marqueur.invalid/desinscription",
    "text": "MARQUEURTEXTE",
    "html": "MARQUEURHTML",
}


def _slots() -> re.Pattern:
    """Where the markers are in the writing: the whole line for « To » and « Subject » (the
    standard library may fold them on several lines), the value for the others."""
    found = []
    for name, marker in _MARKERS.items():
        pattern = re.escape(marker.encode("ascii"))
        if name in ("to", "subject"):
            pattern = rb"[A-Za-z]+: " + pattern + rb"\r\n"
        elif name in ("text", "html"):
            pattern += rb"\r\n"  # the body as written ends with its line break
        found.append(b"(?P<%s>%s)" % (name.encode("ascii"), pattern))
    return re.compile(b"|".join(found))


_SLOTS = _slots()


class Skeleton:
    """The message of a campaign written once by `compose`, split at its markers; `fill` gives
    one recipient's message, as bytes ready for SMTP."""

    def __init__(self, identity: Identity, *, unsubscribe: bool):
        written = compose(
            identity=identity,
            to=[("", _MARKERS["to"])],
            subject=_MARKERS["subject"],
            text=_MARKERS["text"],
            html=_MARKERS["html"],
            message_id=_MARKERS["id"],
            unsubscribe=_MARKERS["unsubscribe"] if unsubscribe else "",
            date=_MARKERS["date"],
        ).as_bytes()
        self.pieces: list[bytes | str] = []  # constant bytes, or the name of a slot
        start = 0
        for slot in _SLOTS.finditer(written):
            self.pieces += [written[start : slot.start()], slot.lastgroup]
            start = slot.end()
        self.pieces.append(written[start:])
        slots = [piece for piece in self.pieces if isinstance(piece, str)]
        expected = {name for name in _MARKERS if unsubscribe or name != "unsubscribe"}
        if sorted(slots) != sorted(expected):  # a marker in a name, or a change of writing
            raise RuntimeError(f"squelette de message inattendu : {slots}")

    def fill(
        self,
        *,
        to: tuple[str, str],
        subject: str,
        text: str,
        html: str,
        message_id: str,
        unsubscribe: str = "",
    ) -> bytes:
        values = {
            "to": to_header(*to),
            "subject": subject_header(subject),
            "date": _now(int(time.time())),
            "id": message_id.encode("ascii"),
            "unsubscribe": unsubscribe.encode("ascii"),
            "text": quoted_printable(text),
            "html": quoted_printable(html),
        }
        return b"".join(values[p] if isinstance(p, str) else p for p in self.pieces)


@lru_cache(maxsize=1)  # the same second for the messages sent in it
def _now(second: int) -> bytes:
    return formatdate(second, localtime=True).encode("ascii")


def to_header(name: str, address: str) -> bytes:
    """The « To » line of one recipient. A name of a few words fits in one encoded word
    (`formataddr`, 10 µs); a long one is folded by the header registry (0.4 ms)."""
    name = " ".join(name.split())
    line = "To: " + formataddr((name, address), charset="utf-8") + "\r\n"
    if len(line) <= POLICY.max_line_length + 2 and line.isascii():
        return line.encode("ascii")
    return _folded("To", str(Address(name, addr_spec=address)))


@lru_cache(maxsize=4096)  # subjects repeat: a few salutations, a few communes per campaign
def subject_header(subject: str) -> bytes:
    return _folded("Subject", " ".join(subject.split()))


def _folded(name: str, value: str) -> bytes:
    return POLICY.header_factory(name, value).fold(policy=POLICY).encode("ascii")


def quoted_printable(text: str) -> bytes:
    """A body as `EmailMessage.set_content(text, cte="quoted-printable")` writes it. The
    standard library's encoder works line by line, each line on its own, so each line can be
    encoded apart (`_quoted_line`)."""
    lines = text.encode("utf-8").splitlines()
    return b"\r\n".join(map(_quoted_line, lines)) + b"\r\n"


# The widest line `binascii.b2a_qp` writes without a soft break.
_B2A_WIDTH = 76


def _quoted_line(line: bytes) -> bytes:
    # `binascii.b2a_qp` (in C) writes a line as `quoprimime.body_encode` (in Python, 10 to 40
    # times slower) does when it needs no soft break and is not a lone « . » (which b2a_qp
    # alone encodes): the lines a campaign does not repeat (the commune, its figures, the
    # links) are mostly of that kind. tests/campaigns/test_compose.py compares the two.
    if len(line) <= _B2A_WIDTH and line != b".":
        encoded = binascii.b2a_qp(line, istext=True)
        if len(encoded) <= _B2A_WIDTH:
            return encoded
    return _library_line(line)


@lru_cache(maxsize=8192)
def _library_line(line: bytes) -> bytes:
    # The encoder takes bytes as a str of the same code points (set_content does the same).
    encoded = quoprimime.body_encode(line.decode("latin-1"), POLICY.max_line_length, "\r\n")
    return encoded.encode("ascii")
