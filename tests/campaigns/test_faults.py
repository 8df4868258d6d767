"""Faults during a campaign, with a real worker process (`mandature worker`) and a real SMTP
server: the server goes down in the middle and comes back; the worker is killed (SIGKILL) and
restarted. Either way the campaign ends and every recipient received exactly one message."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from mandature.campaigns.compose import FIELDS
from mandature.campaigns.models import Campaign, Recipient
from tests.conftest import SmtpSink, free_port, start_smtp

pytestmark = [pytest.mark.flushes, pytest.mark.django_db(transaction=True)]
COUNT = 400


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


HOST = socket.gethostname()[:50]


def start_worker(port: int) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "mandature.settings",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CAMPAIGN_RETRY_SECONDS": "1",
        "CAMPAIGN_POLL_SECONDS": "1",
        "SITE_URL": "http://testserver",
    }
    mandature = os.path.join(os.path.dirname(sys.executable), "mandature")
    return subprocess.Popen(
        [mandature, "worker", "--verbosity", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def sending_campaign(rate: int) -> Campaign:
    """A campaign already launched (recipients frozen), waiting for a worker."""
    campaign = Campaign.objects.create(
        name="Félicitations",
        channel="email",
        subject="Félicitations, {formule_appel}",
        body="{formule_appel},\n\nfélicitations pour votre élection à {commune}.",
        rate_per_minute=rate,
        status=Campaign.Status.SENDING,
        launched_at=timezone.now(),
        prepared_at=timezone.now(),
    )
    values = dict.fromkeys(FIELDS, "x") | {"formule_appel": "Madame la Maire"}
    Recipient.objects.bulk_create(
        Recipient(
            campaign=campaign,
            name=f"Élue {n}",
            email=f"maire-{n:05d}@mairies.test",
            values=values | {"commune": f"Commune {n}"},
        )
        for n in range(COUNT)
    )
    return campaign


def wait_for(condition, seconds: float, what: str, worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"le travailleur s'est arrêté : {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    pytest.fail(f"délai dépassé : {what}")


def assert_exactly_once(sink: SmtpSink, campaign: Campaign):
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    counts = Counter(m["To"].addresses[0].addr_spec for m in sink.messages)
    assert len(counts) == COUNT
    assert max(counts.values()) == 1, [a for a, n in counts.items() if n > 1][:5]
    assert campaign.recipients.filter(status="sent").count() == COUNT


class GoingDown(SmtpSink):
    """Accepts messages; once `down` is set, answers 421 to the next transaction (a server
    closing for maintenance) and records that it did."""

    def __init__(self):
        super().__init__()
        self.down = False
        self.refused = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.down:
            self.refused += 1
            return "421 4.3.2 Service en maintenance, fermeture"
        envelope.mail_from = address
        return "250 OK"


def test_smtp_server_stops_in_the_middle_and_comes_back():
    campaign = sending_campaign(rate=12_000)
    sink, port = GoingDown(), free_port()
    controller, _ = start_smtp(sink, port)
    worker = start_worker(port)
    try:
        wait_for(lambda: len(sink.messages) >= COUNT // 3, 60, "premiers messages", worker)
        sink.down = True
        wait_for(lambda: sink.refused, 30, "refus du serveur", worker)
        controller.stop()  # the server is gone: connections are refused
        middle = len(sink.messages)
        assert middle < COUNT
        time.sleep(2.5)
        campaign.refresh_from_db()
        assert campaign.status == "sending" and "nouvel essai" in campaign.last_error
        sink.down = False
        controller, _ = start_smtp(sink, port)
        wait_for(
            lambda: Campaign.objects.get(pk=campaign.pk).status == "done",
            90,
            "fin de la campagne",
            worker,
        )
        assert len(sink.messages) > middle
        assert_exactly_once(sink, campaign)
    finally:
        worker.kill()
        worker.wait()
        controller.stop()


def test_worker_killed_in_the_middle_and_restarted(smtp_sink, settings):
    campaign = sending_campaign(rate=12_000)
    port = settings.EMAIL_PORT
    worker = start_worker(port)
    try:
        wait_for(lambda: len(smtp_sink.messages) >= COUNT // 3, 60, "premiers messages", worker)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        dead = worker.pid
        time.sleep(0.5)  # a « . » written just before the kill still reaches the server
        killed_at = len(smtp_sink.messages)
        time.sleep(1)
        assert len(smtp_sink.messages) == killed_at < COUNT  # nothing moves while it is dead
        campaign.refresh_from_db()
        assert campaign.status == "sending" and campaign.lease_owner  # the dead worker's lease
        worker = start_worker(port)  # takes the lease of the dead process over at once
        wait_for(
            lambda: Campaign.objects.get(pk=campaign.pk).status == "done",
            90,
            "fin de la campagne",
            worker,
        )
        assert_exactly_once(smtp_sink, campaign)
        # the dead worker's task does not stay « en cours » for ever on /journal/taches/: the
        # next worker marked it failed, saying why
        from django_tasks_db.models import DBTaskResult

        from mandature.core.workers import WORKER_LOST

        left = [t for t in DBTaskResult.objects.all() if t.worker_ids[-1:] == [f"{HOST}:{dead}"]]
        assert "RUNNING" not in {t.status for t in left}
        assert [t.exception_class_path for t in left if t.status == "FAILED"] == [WORKER_LOST]
    finally:
        worker.kill()
        worker.wait()
