"""Sending mail: `smtplib` over a connection kept for many messages (`Connection`), the final
« . » of a message held back until the caller has recorded it (`Hold`), and Django's other
email backends (console in development, a file, the test outbox) when SMTP is not configured
(`hand_to_backend`). Campaigns, test sends and event emails all go through here."""

import contextlib
import re
import smtplib
import socket
import ssl
from email import message_from_bytes
from email.message import EmailMessage
from typing import Protocol

from django.conf import settings
from django.core import mail as django_mail

from .mail import POLICY

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def uses_smtp() -> bool:
    return settings.EMAIL_BACKEND == SMTP_BACKEND


class Outage(Exception):
    """The server cannot be reached or refuses the sender: whoever sends waits."""


class ConnectionLost(Exception):
    pass


class Hold(Protocol):
    """Called around the final « . » of a message: `start` just before it is written (it may
    raise to drop the message unfinished), `finish` just after."""

    def start(self) -> None: ...

    def finish(self) -> None: ...


class _HeldDot:
    """smtplib writes a message and its final « . » in one `send`; this cuts that write in
    two and runs the hold between them. Everything else (MAIL, RCPT, DATA, dot-stuffing, the
    replies) is smtplib's own."""

    hold: Hold | None = None
    held = False

    def send(self, s):
        hold = self.hold
        if hold is None or not isinstance(s, bytes) or not s.endswith(b"\r\n.\r\n"):
            return super().send(s)
        self.hold = None
        super().send(s[:-3])
        hold.start()
        self.held = True
        super().send(b".\r\n")
        hold.finish()
        return None


class _SMTP(_HeldDot, smtplib.SMTP):
    pass


class _SMTP_SSL(_HeldDot, smtplib.SMTP_SSL):
    pass


class Connection:
    """One SMTP connection to the configured server, for as many messages as it lasts."""

    def __init__(self):
        host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
        try:
            self.conn = self._open(host, port)
            # The final « . » goes in its own small packet after the caller's commit: without
            # this, Nagle's algorithm would hold it until the server's delayed ACK (40 ms).
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn.ehlo_or_helo_if_needed()
            if settings.EMAIL_HOST_USER:
                self.conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            self.size = self.conn.does_esmtp and self.conn.has_extn("size")
        except (OSError, smtplib.SMTPException) as error:
            raise Outage(f"serveur SMTP {host}:{port} injoignable ({describe(error)})") from error

    @staticmethod
    def _open(host: str, port: int) -> smtplib.SMTP:
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
        if settings.EMAIL_USE_SSL:
            return _SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        conn = _SMTP(host, port, timeout=timeout)
        if settings.EMAIL_USE_TLS:
            conn.starttls(context=ssl.create_default_context())
        return conn

    @property
    def open(self) -> bool:
        return self.conn.sock is not None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()

    def quit(self) -> None:
        try:
            self.conn.quit()
        except (OSError, smtplib.SMTPException):
            self.close()

    def send(
        self, sender: str, recipients: list[str], data: bytes, hold: Hold | None = None
    ) -> tuple[int, str]:
        """(code, text) of the server's answer to the message; a refused recipient comes back
        as its RCPT answer. Raises Outage when the sender is refused, ConnectionLost when the
        connection drops (after `hold.finish()`: a database answer must not stay unread)."""
        self.conn.hold, self.conn.held = hold, False
        try:
            self._transfer(sender, recipients, data)
        except smtplib.SMTPSenderRefused as error:
            raise Outage(
                f"le serveur refuse l'expéditeur {sender} : {error.smtp_code} "
                f"{_text(error.smtp_error)}"
            ) from error
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return code, _text(reply)
        except smtplib.SMTPDataError as error:
            return error.smtp_code, _text(error.smtp_error)
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self.close()
            if hold is not None:
                hold.finish()
            raise ConnectionLost(describe(error)) from error
        finally:
            self.conn.hold = None
        if hold is not None and not self.conn.held:  # smtplib no longer writes it in one piece
            raise RuntimeError("le « . » final n'a pas été retenu : envoi non enregistré")
        return 250, ""

    def _transfer(self, sender: str, recipients: list[str], data: bytes) -> None:
        """MAIL, RCPT and DATA as `smtplib.SMTP.sendmail` sends them and with its exceptions,
        but with addresses already checked written as they are: `sendmail` parses the sender
        and each recipient again for every message (`email.utils.parseaddr`, about a third of
        the sender's CPU for a campaign's message). Other addresses go through `sendmail`."""
        conn = self.conn
        if not all(map(_PLAIN_ADDRESS.fullmatch, (sender, *recipients))):
            conn.sendmail(sender, recipients, data)
            return
        size = f" size={len(data)}" if self.size else ""
        code, reply = conn.docmd("mail", f"FROM:<{sender}>{size}")
        if code != 250:
            self._abort(code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for address in recipients:
            code, reply = conn.docmd("rcpt", f"TO:<{address}>")
            if code not in (250, 251):
                refused[address] = (code, reply)
            if code == 421:
                conn.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            self._abort(0)
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = conn.data(data)  # dot-stuffing, and the final « . » (held)
        if code != 250:
            self._abort(code)
            raise smtplib.SMTPDataError(code, reply)

    def _abort(self, code: int) -> None:
        if code == 421:  # the server closes the connection
            self.conn.close()
        else:  # as `sendmail` does, a server already gone is not an error here
            with contextlib.suppress(smtplib.SMTPServerDisconnected):
                self.conn.rset()


# An address checked when it was stored, that SMTP takes as it is: printable ASCII, no space,
# no angle bracket, one « @ ».
_PLAIN_ADDRESS = re.compile(r"[!-;=?A-~]+@[!-;=?A-~]+")


def _text(reply: bytes) -> str:
    return reply.decode("utf-8", "replace").replace("\n", " ")


def describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def send_one(data: bytes, sender: str, recipients: list[str]) -> None:
    """One message (an event's email, a test send) on a connection of its own. Raises Outage
    when the server cannot be reached or refuses it."""
    if not uses_smtp():
        hand_to_backend(data, sender)
        return
    connection = Connection()
    try:
        code, reply = connection.send(sender, recipients, data)
    except ConnectionLost as error:
        raise Outage(f"connexion au serveur SMTP perdue ({error})") from error
    finally:
        connection.quit()
    if code != 250:
        raise Outage(f"refusé par le serveur SMTP : {code} {reply}")


def send_message(message: EmailMessage) -> None:
    """A message built by `compose`, from its From address to its To addresses."""
    recipients = [address.addr_spec for address in message["To"].addresses]
    send_one(message.as_bytes(), message["From"].addresses[0].addr_spec, recipients)


class _Written(django_mail.EmailMessage):
    """A message written by the standard library, handed to one of Django's backends: they
    read `message()` (console, file) or keep the object (the test outbox)."""

    def __init__(self, message: EmailMessage, sender: str):
        text = message.get_body(("plain",))
        super().__init__(
            subject=str(message["Subject"]),
            body=text.get_content() if text is not None else "",
            from_email=sender,
            to=[address.addr_spec for address in message["To"].addresses],
        )
        self.attachments = [
            (part.get_filename(), part.get_content(), part["Content-Type"])
            for part in message.iter_attachments()
        ]
        self.written = message

    def message(self):
        return self.written


def hand_to_backend(data: bytes, sender: str) -> None:
    """The configured backend when it is not SMTP (console, file, the test outbox)."""
    message = message_from_bytes(data, policy=POLICY)
    django_mail.get_connection().send_messages([_Written(message, sender)])
