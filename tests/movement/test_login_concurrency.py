"""Guessing in parallel: wrong passwords sent at the same moment, through real requests on
separate database connections (threads), get no more attempts than one after the other: each
attempt is counted before the password is checked. Meant for PostgreSQL (row lock of the
count); on SQLite write transactions are IMMEDIATE and the same holds."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from mandature.core.models import AuditLog
from mandature.movement.models import LoginAddress

pytestmark = [pytest.mark.flushes, pytest.mark.django_db(transaction=True)]

REQUESTS = 8


def test_parallel_wrong_passwords_get_no_more_attempts(settings):
    get_user_model().objects.create_user(
        "gaston.guette@foph.test", email="gaston.guette@foph.test", password="Le-bon-2026"
    )
    barrier = threading.Barrier(REQUESTS)
    statuses: list[int] = []

    def guess(n):
        try:
            client = Client()
            barrier.wait()
            response = client.post(
                "/connexion/", {"email": "gaston.guette@foph.test", "password": f"essai-{n}"}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * REQUESTS
    refused = AuditLog.objects.filter(action="connexion refusée")
    assert refused.filter(detail__reason="mot de passe").count() == settings.LOGIN_MAX_FAILURES
    assert refused.filter(detail__reason="connexion suspendue").count() == (
        REQUESTS - settings.LOGIN_MAX_FAILURES
    )
    assert LoginAddress.objects.get(address="127.0.0.1").locked_until is not None
