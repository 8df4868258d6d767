"""A throwaway PostgreSQL database for a benchmark run, dropped afterwards."""

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """Yield the URL of a fresh database on the server of BENCH_POSTGRES_URL."""
    import psycopg

    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def logged_in_client(role: str = "charge", federation: str = "FOPH", **kwargs):
    """A test client logged in as a federation's chargé de mission (all of France): every page
    needs a login. Call after django.setup() and load-data."""
    from django.test import Client

    from mandature.movement.accounts import create_account
    from mandature.movement.models import Organisation
    from mandature.movement.seed import seed_organisations

    seed_organisations()
    organisation = Organisation.objects.get(kind="federation", short_name=federation)
    email = f"bench-{role}@{federation.lower()}.test"
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(email=email).first() or create_account(
        email, "Bench", "Mark", organisation, role, password="Bench-mark-2026"
    )
    client = Client(**kwargs)
    client.force_login(user, backend="mandature.movement.auth.EmailBackend")
    return client


def django_migrated(database_url: str) -> None:
    """In a benchmark's child process: Django on that database, migrated, static files
    collected, without the national data (for benchmarks that make their own)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    # A fixed key: a server started by the benchmark checks the links the child signed.
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def percentiles(latencies: list[float]) -> dict:
    import statistics

    return {"p50": statistics.median(latencies), "p95": statistics.quantiles(latencies, n=20)[-1]}


def measure(client, urls: list[str], warm: int = 3) -> dict:
    """p50 and p95 (ms) of GET on each URL through Django's test client, after `warm` views
    (caches filled once a process, as on a server that has been running)."""
    import time

    for url in urls[:warm]:
        client.get(url)
    latencies = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return percentiles(latencies)


def django_with_national_data(database_url: str) -> float:
    """In a benchmark's child process: Django on that database, migrated, static files
    collected (pages link the CSS), the bundled national data loaded. Returns the seconds
    `load-data` took."""
    import time

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("load_data", verbosity=0, stdout=quiet)
    return time.perf_counter() - started


def run_child(script: str, *args: str) -> dict:
    """Run `script --child ARGS…` in a fresh interpreter (its own Django, its own database) and
    return the JSON it printed last; its error output when it fails."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, script, "--child", *args],
        capture_output=True,
        text=True,
        cwd=Path(script).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def each_backend(script: str, report, database_name: str) -> None:
    """The benchmark's child on SQLite (a temporary file), then on a throwaway PostgreSQL
    database, unless the command line says --no-sqlite or --no-postgres."""
    import sys
    import tempfile

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if "--no-sqlite" not in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            report("SQLite", run_child(script, f"sqlite:///{tmp}/bench.sqlite3"))
    if "--no-postgres" not in sys.argv:
        with postgres_database(database_name) as url:
            report("PostgreSQL", run_child(script, url))


def bench_main(script: str, child, report, database_name: str) -> None:
    """A benchmark's entry point: as `--child URL`, run on that database and print the figures
    as JSON; otherwise run the child on each backend and report."""
    import json
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
        return
    each_backend(script, report, database_name)
