"""/healthz: the database and the task worker, for the monitoring (no login, no personal data)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from mandature.core.models import WorkerBeat
from mandature.ops.management.commands.worker import beat_loop

pytestmark = pytest.mark.django_db


class OneTurn:
    """A stop event that lets the worker's loop run once."""

    def __init__(self):
        self.asked = 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.asked > 1

    def wait(self, seconds) -> bool:
        return self.is_set()


def test_healthz_says_503_until_a_worker_beats_then_200(anonymous, monkeypatch):
    from mandature.ops.management.commands import worker

    monkeypatch.setattr(worker, "connection", type("Kept", (), {"close": lambda self: None})())
    response = anonymous.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503 and body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "alive": 0, "last_seen": None}
    beat_loop(OneTurn(), 0)  # one turn of the worker's heartbeat
    response = anonymous.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["ok"] is True and body["worker"]["alive"] == 1
    assert response["Cache-Control"] == "no-store"


def test_a_silent_worker_is_taken_for_dead(anonymous):
    WorkerBeat.objects.create(
        name="autre-machine:1234", seen_at=timezone.now() - timedelta(minutes=5)
    )
    body = json.loads(anonymous.get("/healthz").content)
    assert body["worker"]["ok"] is False and body["worker"]["last_seen"]


def test_favicon_is_served_without_login(anonymous):
    response = anonymous.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00" and b"PNG" in response.content[:40]
