"""Sending an email campaign: at most one message per recipient, even across a crash.

How « exactly once » is kept (see docs/campaigns.md):
- one task at a time works on a campaign (a lease: worker id and heartbeat in the campaign row;
  a lease whose process is dead, or whose heartbeat is older than CAMPAIGN_LEASE_SECONDS, is
  taken over);
- for each recipient the message goes through SMTP up to its last line; then the recipient is
  marked sent in the database (UPDATE … WHERE status = 'queued', committed: a second sender
  would find nothing to update and drop its copy); only then is the final « . » sent, the moment
  the server takes the message. Killed before the commit, the worker leaves an unfinished
  transaction that the server throws away, and the recipient is still queued; killed after, the
  message is delivered and marked sent;
- the server's answer to the final « . » decides: 250 keeps « sent », 5xx marks it failed with
  the server's reason, 4xx or a lost connection puts it back in the queue (RFC 5321: a message
  the server has not acknowledged is sent again).

An unreachable server pauses the campaign (next_attempt_at, growing back-off); the worker's
supervisor (`mandature worker`) wakes it when the time has come.
"""

import logging
import os
import select
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property, lru_cache

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from psycopg import pq

from mandature.core.mail import Identity, Skeleton, html_document
from mandature.core.smtp import (
    Connection,
    ConnectionLost,
    Outage,
    describe,
    hand_to_backend,
    send_one,
    uses_smtp,
)
from mandature.relations.enums import InteractionKind, Source
from mandature.relations.models import Interaction

from .addresses import blocked, mark_invalid, person_unsubscribed
from .bounces import code_of, describe_status, is_hard, split_code
from .compose import Compiled, compile_template, subject_for
from .models import Campaign, InvalidAddress, Recipient
from .services import LaunchError, prepare
from .tasks import send_campaign

log = logging.getLogger("mandature.campaigns")

BATCH = 200  # recipients read at once; the heartbeat and the timeline are written per batch


def lease_seconds() -> int:
    return getattr(settings, "CAMPAIGN_LEASE_SECONDS", 60)


def retry_seconds() -> float:
    return getattr(settings, "CAMPAIGN_RETRY_SECONDS", 60)


def max_attempts() -> int:
    return getattr(settings, "CAMPAIGN_MAX_ATTEMPTS", 5)


def backoff(attempt: int) -> timedelta:
    """1, 2, 4, 8… times CAMPAIGN_RETRY_SECONDS, at most an hour."""
    return timedelta(seconds=min(retry_seconds() * 2 ** max(attempt - 1, 0), 3600))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


# --- the lease --------------------------------------------------------------------------------
def _stale_q(now) -> Q:
    return Q(lease_owner="") | Q(lease_heartbeat__lt=now - timedelta(seconds=lease_seconds()))


def acquire(campaign_id: int, owner: str) -> bool:
    now = timezone.now()
    taken = Campaign.objects.filter(_stale_q(now), pk=campaign_id, status=Campaign.Status.SENDING)
    return bool(taken.update(lease_owner=owner, lease_heartbeat=now, enqueued_at=None))


def heartbeat(campaign_id: int, owner: str) -> bool:
    """False when the lease was lost (taken over after a long stall) or the campaign stopped."""
    return bool(
        Campaign.objects.filter(
            pk=campaign_id, lease_owner=owner, status=Campaign.Status.SENDING
        ).update(lease_heartbeat=timezone.now())
    )


def release(campaign_id: int, owner: str, **fields) -> None:
    Campaign.objects.filter(pk=campaign_id, lease_owner=owner).update(
        lease_owner="", lease_heartbeat=None, **fields
    )


def release_dead_leases() -> int:
    """Leases held by processes of this machine that no longer exist (a worker killed with
    SIGKILL): freed at once rather than after CAMPAIGN_LEASE_SECONDS."""
    host = socket.gethostname()
    freed = 0
    for campaign_id, owner in Campaign.objects.exclude(lease_owner="").values_list(
        "pk", "lease_owner"
    ):
        owner_host, _, rest = owner.partition(":")
        pid = int(rest.partition(":")[0] or 0)
        if owner_host != host or not pid or _alive(pid):
            continue
        freed += Campaign.objects.filter(pk=campaign_id, lease_owner=owner).update(
            lease_owner="", lease_heartbeat=None
        )
    return freed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wake_due() -> list[int]:
    """Enqueue a sending task for every campaign that is sending, has no live task and whose
    pause (after an outage or for retries) is over. Run by the worker's supervisor."""
    release_dead_leases()
    now = timezone.now()
    due = (
        Campaign.objects.filter(_stale_q(now), status=Campaign.Status.SENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=now - timedelta(seconds=lease_seconds()))
        )
    )
    woken = []
    for campaign_id in due.values_list("pk", flat=True):
        if Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
            enqueued_at=now
        ):
            send_campaign.enqueue(campaign_id)
            woken.append(campaign_id)
    return woken


# --- messages ---------------------------------------------------------------------------------
def unsubscribe_token(recipient_id: int) -> str:
    return signing.Signer(salt="unsubscribe").sign(str(recipient_id))


def unsubscribe_recipient(token: str) -> int | None:
    try:
        return int(signing.Signer(salt="unsubscribe").unsign(token))
    except (signing.BadSignature, ValueError):
        return None


@lru_cache(maxsize=1)
def _unsubscribe_pattern() -> tuple[str, str]:
    head, _, tail = reverse("web:unsubscribe", args=["JETON"]).partition("JETON")
    return settings.SITE_URL + head, tail


def unsubscribe_url(recipient_id: int) -> str:
    head, tail = _unsubscribe_pattern()
    return head + unsubscribe_token(recipient_id) + tail


def message_id(campaign_id: int, recipient_id: int, identity: Identity) -> str:
    return f"<campagne-{campaign_id}-{recipient_id}@{identity.domain}>"


@dataclass
class Prepared:
    campaign: Campaign
    compiled: Compiled
    identity: Identity

    skeleton: Skeleton

    @classmethod
    def of(cls, campaign: Campaign) -> "Prepared":
        """Written before the first message: writing the skeleton takes a few milliseconds,
        which would delay the first message past its slot of the pace."""
        identity = Identity.of(campaign.organisation)
        return cls(
            campaign,
            compile_template(campaign.subject, campaign.body, email=True),
            identity,
            Skeleton(identity, unsubscribe=True),
        )

    @cached_property
    def test_skeleton(self) -> Skeleton:
        return Skeleton(self.identity, unsubscribe=False)

    def message(self, recipient: Recipient, *, to: str | None = None, test: bool = False) -> bytes:
        """The recipient's message as sent; a test goes to `to` without unsubscribe link."""
        values = dict(recipient.values)
        unsubscribe = "" if test else unsubscribe_url(recipient.pk)
        values["lien_desinscription"] = unsubscribe or settings.SITE_URL + "/desinscription/…"
        rendered = self.compiled.render(values)
        skeleton = self.test_skeleton if test else self.skeleton
        return skeleton.fill(
            to=("", to) if test else (values.get("_to") or recipient.name, recipient.email),
            subject=f"[ESSAI] {rendered.subject}" if test else rendered.subject,
            text=rendered.text,
            html=html_document(rendered.html),
            message_id=(
                f"<essai-{uuid.uuid4().hex}@mandature.localhost>"
                if test or not recipient.pk
                else message_id(self.campaign.pk, recipient.pk, self.identity)
            ),
            unsubscribe=unsubscribe,
        )


class Aborted(Exception):
    """Another sender already sent this recipient's message: ours is dropped unfinished."""


# --- the sending task ---------------------------------------------------------------------------
@dataclass
class Pace:
    """At most `per_minute` messages a minute, evenly spread."""

    per_minute: int
    next_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self) -> None:
        if not self.per_minute:
            return
        with self.lock:  # each lane takes the next slot
            now = time.monotonic()
            slot = max(self.next_at, now)
            self.next_at = slot + 60.0 / self.per_minute
        if slot > now:
            time.sleep(slot - now)


def _fast_commits() -> None:
    """On PostgreSQL the per-message commit does not wait for the disk: a killed worker loses
    nothing (the server has it); only a crash of the database server itself could lose the
    last fraction of a second of statuses."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def connections_per_campaign() -> int:
    return max(1, getattr(settings, "CAMPAIGN_CONNECTIONS", 4))


class Lane:
    """One SMTP connection and the recipients it sends, in its own thread (and so its own
    database connection): while one waits for the server's answer, another works."""

    def __init__(self, prepared: Prepared, pace: Pace, stop: threading.Event):
        self.prepared, self.pace, self.stop = prepared, pace, stop
        self.smtp: Connection | None = None

    def send(self, recipients: list[Recipient], threaded: bool) -> int:
        sent = 0
        try:
            if threaded:
                _fast_commits()
            for recipient in recipients:
                if self.stop.is_set():
                    break
                self.pace.wait()
                if self.smtp is None:
                    self.smtp = Connection()  # raises Outage
                sent += _deliver_smtp(self.smtp, self.prepared, recipient)
                if not self.smtp.open:
                    self.smtp = None
        except Outage:
            self.stop.set()
            raise
        finally:
            if threaded:
                connection.close()  # this thread's database connection
        return sent

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.quit()
            self.smtp = None


def run(campaign_id: int, owner: str | None = None) -> str:
    """Send what is due in a campaign; returns a summary. Called by the task worker."""
    owner = owner or worker_id()
    if not acquire(campaign_id, owner):
        return "campagne déjà prise par un autre travailleur, ou pas en cours d'envoi"
    lanes: list[Lane] = []
    pool = None
    try:
        _fast_commits()
        campaign = Campaign.objects.select_related("organisation", "launched_by").get(
            pk=campaign_id
        )
        if campaign.prepared_at is None:
            try:
                prepare(campaign)
            except LaunchError as error:  # the segment was deleted meanwhile
                Campaign.objects.filter(pk=campaign_id).update(
                    status=Campaign.Status.CANCELLED,
                    last_error=str(error),
                    finished_at=timezone.now(),
                )
                return str(error)
        prepared = Prepared.of(campaign)
        write_interactions(campaign)  # those a killed worker had not written
        pace = Pace(campaign.rate_per_minute)
        use_smtp = uses_smtp()
        # Lanes in threads need committed data: inside a transaction (tests) one lane works.
        threaded = use_smtp and not connection.in_atomic_block and connections_per_campaign() > 1
        stop = threading.Event()
        lanes = [
            Lane(prepared, pace, stop) for _ in range(connections_per_campaign() if threaded else 1)
        ]
        if threaded:
            pool = ThreadPoolExecutor(len(lanes), thread_name_prefix="smtp")
        # A batch lasts about ten seconds at most when paced: the heartbeat stays fresh.
        per_batch = BATCH * len(lanes)
        if campaign.rate_per_minute:
            per_batch = max(len(lanes), min(per_batch, campaign.rate_per_minute // 6))
        sent = 0
        while True:
            if not heartbeat(campaign_id, owner):
                return f"{sent} messages envoyés ; envoi interrompu (campagne arrêtée)"
            now = timezone.now()
            batch = list(
                Recipient.objects.filter(campaign_id=campaign_id, status=Recipient.Status.QUEUED)
                .exclude(route=Recipient.Route.LETTER)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .order_by("pk")[:per_batch]
            )
            if not batch:
                break
            _skip_opted_out(batch)
            todo = [r for r in batch if r.status == Recipient.Status.QUEUED]
            if not use_smtp:
                for recipient in todo:
                    pace.wait()
                    sent += _deliver_backend(prepared, recipient)
            elif pool is None:
                sent += lanes[0].send(todo, threaded=False)
            else:
                futures = [
                    pool.submit(lane.send, todo[i :: len(lanes)], True)
                    for i, lane in enumerate(lanes)
                ]
                outage = None
                for future in futures:
                    try:
                        sent += future.result()
                    except Outage as error:
                        outage = outage or error
                if outage is not None:
                    raise outage
            write_interactions(campaign)
        return _finish(campaign_id, owner, sent)
    except Outage as error:
        campaign = Campaign.objects.get(pk=campaign_id)
        outages = campaign.outages + 1
        wait = backoff(outages)
        release(
            campaign_id,
            owner,
            outages=outages,
            next_attempt_at=timezone.now() + wait,
            last_error=f"{error} ; nouvel essai dans {int(wait.total_seconds())} s",
        )
        log.warning("campagne %s : %s", campaign_id, error)
        return f"en pause : {error}"
    finally:
        for lane in lanes:
            lane.close()
        if pool is not None:
            pool.shutdown()
        release(campaign_id, owner)


def _finish(campaign_id: int, owner: str, sent: int) -> str:
    waiting = Recipient.objects.filter(
        campaign_id=campaign_id, status=Recipient.Status.QUEUED
    ).exclude(route=Recipient.Route.LETTER)
    next_attempt = waiting.aggregate(at=Min("next_attempt_at"))["at"]
    if waiting.exists():
        release(campaign_id, owner, next_attempt_at=next_attempt, outages=0, last_error="")
        return f"{sent} messages envoyés ; nouvel essai pour les autres à {next_attempt:%H:%M:%S}"
    Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.DONE,
        finished_at=timezone.now(),
        next_attempt_at=None,
        outages=0,
        last_error="",
    )
    return f"{sent} messages envoyés ; campagne terminée"


def _skip_opted_out(batch: list[Recipient]) -> None:
    """Someone may unsubscribe, or an address bounce for good (a mairie's address shared by
    several recipients), while the campaign runs: checked again before each batch."""
    addresses = blocked(r.email for r in batch)
    persons = person_unsubscribed(r.person_id for r in batch)
    for recipient in batch:
        block = persons.get(recipient.person_id) or addresses.get(recipient.email.lower())
        if block is None:
            continue
        Recipient.objects.filter(pk=recipient.pk, status=Recipient.Status.QUEUED).update(
            status=Recipient.Status.SKIPPED, reason=block.text
        )
        recipient.status = Recipient.Status.SKIPPED


_MARK_SENT = (
    f"UPDATE {Recipient._meta.db_table} SET status = %s, sent_at = %s, reason = '', "
    "attempts = attempts + 1 WHERE id = %s AND status = %s"
)


def _mark_sent(recipient: Recipient) -> None:
    """The one write per message (plain SQL: the ORM would cost more than the SMTP exchange);
    committed at once (autocommit). Raises Aborted when another sender was first."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT, [Recipient.Status.SENT, now, recipient.pk, Recipient.Status.QUEUED]
        )
        if cursor.rowcount != 1:
            raise Aborted


_PG_MARK_SENT = (
    f"UPDATE {Recipient._meta.db_table} SET status = $1, sent_at = $2, reason = '', "
    "attempts = attempts + 1 WHERE id = $3 AND status = $4"
).encode()


class Mark:
    """Marks a recipient sent around the final « . » of its message: start() just before the
    « . » is written, finish() just after.

    SQLite runs in the worker's process: start() commits, and a worker killed before it leaves
    the recipient queued. PostgreSQL is a server: a worker killed while its UPDATE travels would
    leave the recipient marked sent with the « . » never written (the server commits a statement
    whose client has gone). So start() only sends the UPDATE (libpq, without waiting), the « . »
    follows at once, and finish() reads the answer: the window is a few microseconds, not a
    round trip to the server."""

    def __init__(self, recipient: Recipient):
        self.recipient = recipient
        self.pending = False  # an answer of PostgreSQL to read
        self.started = False  # the recipient is (being) marked sent

    def start(self) -> None:
        if connection.vendor != "postgresql":
            _mark_sent(self.recipient)  # raises Aborted
            self.started = True
            return
        connection.ensure_connection()
        pgconn = connection.connection.pgconn
        pgconn.send_query_params(
            _PG_MARK_SENT,
            [
                b"sent",
                timezone.now().isoformat().encode(),
                str(self.recipient.pk).encode(),
                b"queued",
            ],
        )
        while pgconn.flush():
            select.select([], [pgconn.socket], [], 1.0)
        self.pending = self.started = True

    def finish(self) -> None:
        if not self.pending:
            return

        self.pending = False
        pgconn = connection.connection.pgconn
        pgconn.consume_input()
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [], 1.0)
            pgconn.consume_input()
        result, rows = pgconn.get_result(), 0
        while result is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                message = (result.error_message or b"").decode("utf-8", "replace")
                raise RuntimeError(f"marque « envoyé » refusée par PostgreSQL : {message}")
            rows += int(result.command_tuples or 0)
            result = pgconn.get_result()
        if rows != 1:  # only when a lease was taken over from a stalled worker
            log.warning("destinataire %s : message envoyé par deux travailleurs", self.recipient.pk)


def _retry_or_fail(recipient: Recipient, reason: str) -> None:
    attempts = recipient.attempts + 1
    rows = Recipient.objects.filter(pk=recipient.pk)
    if attempts >= max_attempts():
        rows.update(
            status=Recipient.Status.FAILED,
            attempts=attempts,
            reason=f"{reason} (après {attempts} essais)",
            sent_at=None,
        )
    else:
        rows.update(
            status=Recipient.Status.QUEUED,
            attempts=attempts,
            sent_at=None,
            reason=f"{reason} ; nouvel essai prévu",
            next_attempt_at=timezone.now() + backoff(attempts),
        )


def _fail(recipient: Recipient, reason: str) -> None:
    Recipient.objects.filter(pk=recipient.pk).update(
        status=Recipient.Status.FAILED,
        reason=reason,
        attempts=recipient.attempts + 1,
        sent_at=None,
    )


def _deliver_smtp(smtp: Connection, prepared: Prepared, recipient: Recipient) -> int:
    data = prepared.message(recipient)
    mark = Mark(recipient)
    try:
        code, reply = smtp.send(prepared.identity.envelope_from, [recipient.email], data, mark)
    except Aborted:
        smtp.close()
        return 0
    except ConnectionLost as error:
        if mark.started:  # the server never acknowledged it: it goes again (RFC 5321)
            _retry_or_fail(recipient, f"connexion perdue : {error}")
        raise Outage(f"connexion au serveur SMTP perdue ({error})") from error
    if code == 250:
        return 1
    reason = f"refusé par le serveur SMTP : {code} {reply}"
    if 400 <= code < 500:
        if code == 421:
            smtp.close()
        _retry_or_fail(recipient, reason)
        if code == 421:
            raise Outage(f"le serveur SMTP ferme la connexion ({code} {reply})")
    else:
        _refused(recipient, code, reply)
    return 0


def _refused(recipient: Recipient, code: int, reply: str) -> None:
    """A permanent refusal: the recipient failed; when it says the address itself is dead (a
    hard bounce, `bounces.is_hard`), the address is marked invalid for the next campaigns."""
    _, enhanced = split_code(f"{code} {reply}")
    reason = f"refusé par le serveur SMTP : {code} {reply}"
    if is_hard(code, enhanced):
        mark_invalid(
            recipient.email,
            code=code_of(code, enhanced),
            reason=f"{code} {reply}",
            source=InvalidAddress.Source.SMTP,
            recipient=recipient,
        )
        what = describe_status(code_of(code, enhanced)) or "refus définitif"
        reason = f"adresse rejetée définitivement ({what}) : {code} {reply}"
    _fail(recipient, reason)


def _deliver_backend(prepared: Prepared, recipient: Recipient) -> int:
    """Any other email backend (console in development, a file): Django hands it on."""
    data = prepared.message(recipient)
    try:
        _mark_sent(recipient)
    except Aborted:
        return 0
    try:
        hand_to_backend(data, prepared.identity.envelope_from)
    except Exception as error:  # the backend's own errors, whatever they are
        _retry_or_fail(recipient, f"envoi impossible : {describe(error)}")
        raise Outage(f"envoi impossible ({describe(error)})") from error
    return 1


def write_interactions(campaign: Campaign) -> int:
    """One interaction on the official's timeline per message sent (or letter printed),
    written once: the recipient keeps the interaction's id, in the same transaction."""
    kind = InteractionKind.EMAIL if campaign.is_email else InteractionKind.LETTER
    written = 0
    while True:
        with transaction.atomic():
            rows = list(
                Recipient.objects.filter(
                    campaign=campaign, status=Recipient.Status.SENT, interaction__isnull=True
                ).order_by("pk")[:1000]
            )
            if not rows:
                return written
            interactions = Interaction.objects.bulk_create(
                [
                    Interaction(
                        kind=kind,
                        date=timezone.localdate(r.sent_at),
                        commune_id=r.commune_id,
                        epci_id=r.epci_id,
                        organisation_id=campaign.organisation_id,
                        summary=(
                            f"Campagne « {campaign.name} » : "
                            f"{subject_for(campaign.subject, r.values)}"
                        ),
                        source=Source.CAMPAIGN,
                        created_by_id=campaign.launched_by_id,
                    )
                    for r in rows
                ]
            )
            through = Interaction.persons.through
            through.objects.bulk_create(
                [
                    through(interaction_id=i.pk, person_id=r.person_id)
                    for r, i in zip(rows, interactions, strict=True)
                    if r.person_id
                ]
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Recipient._meta.db_table} SET interaction_id = %s WHERE id = %s",
                    [(i.pk, r.pk) for r, i in zip(rows, interactions, strict=True)],
                )
            written += len(rows)


def send_test(campaign: Campaign, recipient: Recipient, to: str) -> None:
    """The message of one recipient, sent to the user (« [ESSAI] » in the subject, no
    unsubscribe link, nothing recorded). Raises Outage when the server cannot be reached."""
    prepared = Prepared.of(campaign)
    data = prepared.message(recipient, to=to, test=True)
    send_one(data, prepared.identity.envelope_from, [to])
