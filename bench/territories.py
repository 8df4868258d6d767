"""Benchmark: territory load (SQLite, PostgreSQL) and search latency over 200 realistic queries.

    .venv/bin/python bench/territories.py [--no-postgres]

Each backend runs in a fresh database (a temporary SQLite file; a throwaway PostgreSQL database
on the server of BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). Baselines,
measured in the same run: reading and validating the files alone, and a raw executemany of the
commune rows into a bare table.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child(database_url: str) -> dict:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from mandature.territories.loader import load_territories
    from mandature.territories.models import Commune
    from mandature.territories.search import search
    from mandature.territories.sources.cog import read_territories

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages link the CSS
    geo = settings.DATA_DIR / "geo"
    started = time.perf_counter()
    territories = read_territories(geo)
    read_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (code varchar(5), name varchar(200), pop integer)")
        rows = [(c.code, c.name, c.population) for c in territories.communes]
        cursor.executemany("INSERT INTO bench_raw VALUES (%s, %s, %s)", rows)
        cursor.execute("DROP TABLE bench_raw")
    raw_insert_seconds = time.perf_counter() - started

    started = time.perf_counter()
    result = load_territories(geo)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = load_territories(geo)
    reload_seconds = time.perf_counter() - started
    assert again.skipped and Commune.objects.current().count() == 34_969

    queries = realistic_queries(territories)
    for query in queries[:20]:  # warm-up
        search(query)
    function_ms, http_ms = [], []
    from throwaway import logged_in_client

    client = logged_in_client(HTTP_HOST="localhost")
    for query in queries:
        started = time.perf_counter()
        search(query)
        function_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        response = client.get("/recherche", {"q": query}, headers={"HX-Request": "true"})
        http_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "read_seconds": read_seconds,
        "raw_insert_seconds": raw_insert_seconds,
        "load_seconds": load_seconds,
        "reload_seconds": reload_seconds,
        "communes": result.counts["communes"],
        "queries": len(queries),
        "search_p50_ms": percentile(function_ms, 50),
        "search_p95_ms": percentile(function_ms, 95),
        "http_p50_ms": percentile(http_ms, 50),
        "http_p95_ms": percentile(http_ms, 95),
    }


def realistic_queries(territories, count: int = 200) -> list[str]:
    """What people type: names whole or begun, without accents or hyphens, codes, EPCI."""
    from mandature.core.text import fold

    rng = random.Random(2026)
    communes = sorted(territories.communes, key=lambda c: -(c.population or 0))
    big, any_commune = communes[:2000], communes
    queries = []
    for i in range(count):
        commune = rng.choice(big if i % 2 else any_commune)
        form = i % 8
        if form == 0:
            queries.append(commune.name)
        elif form == 1:
            queries.append(fold(commune.name))
        elif form == 2:
            queries.append(commune.name[: rng.randint(3, 6)])
        elif form == 3:
            queries.append(fold(commune.name).replace(" ", ""))
        elif form == 4 and commune.postal_codes:
            queries.append(commune.postal_codes[0])
        elif form == 5:
            queries.append(commune.code)
        elif form == 6:
            queries.append(rng.choice(territories.epcis).name[:12])
        else:
            queries.append(commune.name.split("-")[0][:8].lower())
    return queries


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def run_child(database_url: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", database_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, r: dict) -> None:
    print(f"\n== {name}")
    print(f"  read + validate files (baseline 1) : {r['read_seconds']:.2f} s")
    print(f"  raw executemany of communes (baseline 2) : {r['raw_insert_seconds']:.2f} s")
    ratio = r["load_seconds"] / (r["read_seconds"] + r["raw_insert_seconds"])
    print(f"  full territory load : {r['load_seconds']:.2f} s ({ratio:.1f}x baselines 1+2)")
    print(f"  second load (already loaded, skipped) : {r['reload_seconds']:.2f} s")
    print(
        f"  search() over {r['queries']} queries : p50 {r['search_p50_ms']:.1f} ms, "
        f"p95 {r['search_p95_ms']:.1f} ms"
    )
    print(
        f"  GET /recherche (as-you-type) : p50 {r['http_p50_ms']:.1f} ms, "
        f"p95 {r['http_p95_ms']:.1f} ms (goal on SQLite: p95 <= 30 ms)"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
        return
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", run_child(f"sqlite:///{tmp}/bench.sqlite3"))
    if "--no-postgres" in sys.argv:
        return
    from throwaway import postgres_database

    with postgres_database("mandature_bench") as url:
        report("PostgreSQL", run_child(url))


if __name__ == "__main__":
    main()
