"""Upgrading keeps the data: a database made by the first release (officials whose contact
details were typed on the RNE's persons) migrated to today's schema, on a fresh database of the
suite's engine, in a child process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def fresh_database_url(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'first-release.sqlite3'}"
        return
    import psycopg

    from mandature.ops.backup import Database

    server = Database.configured().url
    name = "mandature_upgrade_test"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.django_db
def test_migrating_from_the_first_release_keeps_what_people_typed(fresh_database_url):
    env = dict(
        os.environ, DATABASE_URL=fresh_database_url, DJANGO_SETTINGS_MODULE="mandature.settings"
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "first_release.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["persons"] == ["DESLANDES", "MARTIN"]
    assert result["commune"] == "Lille" and result["mandate_commune"] == "59350"
    assert result["contact"] == [
        "cabinet@lille.test",
        "03 20 49 50 00",
        "Monsieur le Maire",
        "Place Augustin-Laurent, 59000 Lille",
    ]
    assert result["notes"] == ["Rendez-vous pris en mai.", "Très attentif au logement des jeunes."]
    assert result["plain_has_contact"] is False and result["pending"] == 0
