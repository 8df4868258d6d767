"""Mail building shared by the apps that write to people (campaigns, events): who a message comes
from (`Identity`) and the message as sent (`build_message`, headers in RFC 2047,
quoted-printable bodies, `List-Unsubscribe`)."""

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from email.utils import formatdate, parseaddr
from functools import lru_cache

from django.conf import settings


@dataclass
class Identity:
    """Who the messages of a campaign or of an event come from."""

    from_header: str
    envelope_from: str
    reply_to: str
    name: str

    @classmethod
    def of(cls, organisation) -> "Identity":
        default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        name = default_name
        address = default_address
        reply_to = ""
        if organisation is not None:
            name = organisation.sender_name or organisation.name
            address = organisation.sender_email or default_address
            reply_to = organisation.reply_to or organisation.email
        return cls(address_header(name, address), address, reply_to, name)


@lru_cache(maxsize=4096)  # subjects and names repeat
def _encode_header(value: str) -> str:
    """An unstructured header (RFC 2047): as is when plain ASCII, else « B » encoded words of
    at most 45 bytes of text each (75 characters), cut between characters, folded."""
    value = " ".join(value.split())
    if value.isascii() and len(value) < 900:
        return value
    words, chunk, size = [], [], 0
    for char in value:
        length = len(char.encode("utf-8"))
        if size + length > 45:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += length
    words.append("".join(chunk))
    return "\r\n ".join(
        "=?utf-8?b?" + base64.b64encode(word.encode("utf-8")).decode("ascii") + "?="
        for word in words
    )


_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+")


def address_header(name: str, address: str) -> str:
    """« Nom <adresse> »: the name as atoms, a quoted string or encoded words."""
    name = " ".join(name.split())
    if not name:
        return address
    if _ATEXT.fullmatch(name):
        return f"{name} <{address}>"
    if name.isascii():
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + f'" <{address}>'
    return f"{_encode_header(name)} <{address}>"


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


def build_message(
    *,
    identity: Identity,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    unsubscribe: str | None,
) -> bytes:
    """The message as sent: multipart/alternative (plain text first, then HTML), UTF-8 in
    quoted-printable. Written directly (a campaign builds tens of thousands); the test suite
    reads every message back with the standard library's parser."""
    boundary = f"=_mandature_{uuid.uuid4().hex}"  # « =_ » never occurs in quoted-printable
    headers = [
        ("From", identity.from_header),
        ("To", address_header(to_name, to_address)),
        ("Subject", _encode_header(subject)),
        ("Date", formatdate(localtime=True)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
    ]
    if identity.reply_to:
        headers.append(("Reply-To", identity.reply_to))
    if unsubscribe:  # RFC 2369 and RFC 8058 (one click, by POST, without a page to visit)
        headers.append(("List-Unsubscribe", f"<{unsubscribe}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        headers.append(("Precedence", "bulk"))
        headers.append(("Auto-Submitted", "auto-generated"))
    headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8")
    part = (
        "--{b}\r\nContent-Type: text/{kind}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return b"".join(
        [
            head,
            b"\r\n",
            part.format(b=boundary, kind="plain").encode(),
            _qp(text),
            b"\r\n",
            part.format(b=boundary, kind="html").encode(),
            _qp(html_document(html)),
            b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
    )


def html_document(body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#222">\n'
        f"{body}</body></html>\n"
    )
