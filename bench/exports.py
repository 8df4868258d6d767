"""Benchmark: the export of a national segment (every mayor of France, ~35,000 rows) as XLSX
and CSV, through the whole view, before and after issue 22 (streamed CSV, XLSX in constant
memory).

    .venv/bin/python bench/exports.py [--postgres]    (BENCH_RUNS=3)

A fresh SQLite database (PostgreSQL with --postgres, on BENCH_POSTGRES_URL) with the bundled
national data (`load-data`); every mayor in office gets a contact card (email, phone, postal
address, salutation), so that every column is filled. A federation's chargé de mission exports
the segment « all the mayors » (GET /segments/<pk>/export.xlsx and .csv, the body read to its
end as a browser would). Each measure runs in a fresh process (its peak memory, ru_maxrss, is
its own; the first comparison of the two latest mayors files is made in each, as in a web
worker that never exported before).
Baseline, in the same run: the previous implementation (every member built as model objects,
the whole file built in memory by openpyxl or the csv module: a copy of it below) through the
same view, and the segment's evaluation alone (what the page of the segment computes). « content »
is a digest of the CSV bytes or of the XLSX cells' values: the same before and after.
Goal (issue 22): the national XLSX well under gunicorn's 30 s timeout, in constant memory.
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def old_export_response(header, rows, fmt, filename, sheet="Données"):
    """The export before issue 22: every row in a list, the whole file in memory."""
    import csv
    import io

    from django.http import HttpResponse
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from mandature.core.text import spreadsheet_safe

    rows = list(rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[spreadsheet_safe(value) for value in row] for row in rows])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv")
    else:
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet[:31])
        ws.append(header)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            ws.append(cells)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def old_export_rows(filters, scope):
    """The segment's rows before issue 22: every member built as model objects (evaluate)."""
    from mandature.campaigns.segments import evaluate

    result = evaluate(filters, scope)
    rows = []
    for member in result.members:
        entry, contact = member.entry, member.contact
        commune = entry.commune
        rows.append(
            [
                contact.salutation if contact else "",
                entry.person.first_name,
                entry.person.last_name,
                entry.person.sex,
                entry.function or entry.mandate.get_kind_display(),
                commune.name if commune else "",
                commune.code if commune else "",
                commune.departement_id if commune else (entry.mandate.departement_id or ""),
                entry.mandate.epci.name if entry.mandate.epci_id else "",
                member.status,
                contact.email if contact else "",
                contact.phone if contact else "",
                contact.postal_address if contact else "",
                result.as_of.data_date.isoformat(),
            ]
        )
    return rows


def prepare(database_url: str) -> dict:
    from throwaway import django_with_national_data

    load = django_with_national_data(database_url)
    from mandature.campaigns.models import Segment
    from mandature.movement.models import Organisation
    from mandature.officials.enums import SnapshotKind
    from mandature.officials.models import SnapshotEntry, latest_snapshot
    from mandature.relations.models import Contact

    snapshot = latest_snapshot(SnapshotKind.MAIRES)
    persons = SnapshotEntry.objects.filter(snapshot=snapshot).values_list("person_id", "commune_id")
    Contact.objects.bulk_create(
        [
            Contact(
                person_id=p,
                email=f"maire-{c}@mairies.test",
                phone="03 20 49 50 00",
                salutation="Madame la Maire",
                postal_address=f"Mairie\n1 place de l'Hôtel de Ville\n{c} Commune",
            )
            for p, c in persons
        ],
        batch_size=5000,
    )
    federation = Organisation.objects.get(kind="federation", short_name="FOPH")
    segment = Segment.objects.create(
        name="Tous les maires", organisation=federation, filters={"function": "maire"}
    )
    return {"load_data": load, "segment": segment.pk, "mayors": len(persons)}


def measure(database_url: str, segment: int, variant: str) -> dict:
    """One export in this fresh process: `variant` is before-xlsx, after-xlsx, before-csv,
    after-csv or evaluate (the segment's evaluation alone)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from throwaway import logged_in_client

    client = logged_in_client()
    started = time.perf_counter()
    if variant == "evaluate":
        from django.contrib.auth import get_user_model

        from mandature.campaigns.models import Segment
        from mandature.campaigns.segments import evaluate
        from mandature.movement.scope import scope_of

        user = get_user_model().objects.get(email="bench-charge@foph.test")
        started = time.perf_counter()
        rows = evaluate(Segment.objects.get(pk=segment).filters, scope_of(user)).count
        size, digest = 0, ""
    else:
        when, fmt = variant.split("-")
        if when == "before":
            from mandature.web.views import campaigns

            campaigns.export_response = old_export_response
            campaigns.export_rows = old_export_rows
        response = client.get(f"/segments/{segment}/export.{fmt}")
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        size = len(body)
        import hashlib

        digest = hashlib.sha256(body).hexdigest()[:12]
        if fmt == "csv":
            import csv
            import io

            rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
            rows -= 1
        else:
            from io import BytesIO

            from openpyxl import load_workbook

            seconds = time.perf_counter() - started
            book = load_workbook(BytesIO(body), read_only=True)
            rows = sum(1 for _ in book.active.iter_rows(values_only=True)) - 1
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            cells = hashlib.sha256(repr(list(book.active.iter_rows(values_only=True))).encode())
            return {
                "seconds": seconds,
                "peak_mb": peak,
                "rows": rows,
                "bytes": size,
                "digest": cells.hexdigest()[:12],
            }
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "rows": rows, "bytes": size, "digest": digest}


VARIANTS = ["evaluate", "before-csv", "after-csv", "before-xlsx", "after-xlsx"]


def main() -> None:
    from throwaway import postgres_database, run_child

    script = str(Path(__file__).resolve())
    if "--child" in sys.argv:
        args = sys.argv[sys.argv.index("--child") + 1 :]
        if args[0] == "prepare":
            print(json.dumps(prepare(args[1])))
        else:
            print(json.dumps(measure(args[1], int(args[2]), args[3])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if "--postgres" in sys.argv:
            context = postgres_database("bench_exports")
        else:
            from contextlib import nullcontext

            context = nullcontext(f"sqlite:///{tmp}/bench.sqlite3")
        with context as url:
            ready = run_child(script, "prepare", url)
            print(f"data loaded in {ready['load_data']:.0f} s; {ready['mayors']:,} mayors")
            runs = int(os.environ.get("BENCH_RUNS", "3"))
            print(f"{runs} runs of each, in a fresh process each: best / worst")
            for variant in VARIANTS:
                found = [
                    run_child(script, "measure", url, str(ready["segment"]), variant)
                    for _ in range(runs)
                ]
                seconds = sorted(t["seconds"] for t in found)
                peaks = sorted(t["peak_mb"] for t in found)
                t = found[0]
                print(
                    f"  {variant:12} {seconds[0]:5.1f} / {seconds[-1]:5.1f} s   peak "
                    f"{peaks[0]:4.0f} / {peaks[-1]:4.0f} MB   {t['rows']:,} rows   "
                    f"{t['bytes'] / 1e6:.1f} MB   content {t['digest'] or '-'}"
                )


if __name__ == "__main__":
    main()
