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
