"""Benchmark: commune briefs — PDFs per second (single process and batch), the web page's
latency, and the PDF engine comparison (Typst against WeasyPrint).

    .venv/bin/python bench/briefs.py [--no-postgres] [--all] [--region 84]

Each backend runs in a fresh database loaded with all the bundled data (`load-data`).
Baselines, measured in the same run: Typst compiling a one-line document (the engine's fixed
cost), and the latency of a trivial page of the same site (`/departements/`).
WeasyPrint is measured when installed (`pip install weasyprint`, not a dependency of
Mandature): it renders the brief's web page, the same content.
`--all` also produces the 34,969 briefs of France (about ten minutes).
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


def child(database_url: str, region: str, everything: bool) -> dict:
    from throwaway import django_with_national_data

    load_seconds = django_with_national_data(database_url)
    import typst

    from mandature.briefs.batch import run_batch, select
    from mandature.briefs.pdf import render_pdf
    from mandature.briefs.services import Shared, build_brief
    from mandature.territories.models import Commune

    timings = {"load_data": load_seconds}

    rng = random.Random(2026)
    codes = rng.sample(list(Commune.objects.current().values_list("code", flat=True)), 200)
    communes = list(
        Commune.objects.select_related("departement", "region", "epci").filter(code__in=codes)
    )

    # Typst's fixed cost: a one-line document, compiled the same way.
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.typ"
        hello.write_text('#set page(paper: "a4")\nBonjour #sys.inputs.name')
        compiler = typst.Compiler(str(hello))
        compiler.compile(sys_inputs={"name": "x"})
        started = time.perf_counter()
        for index in range(200):
            compiler.compile(sys_inputs={"name": f"commune {index}"})
        timings["typst_baseline_ms"] = (time.perf_counter() - started) / 200 * 1000

    shared = Shared.load(batch=True)
    build_brief(communes[0], shared)
    started = time.perf_counter()
    briefs = [build_brief(c, shared) for c in communes]
    timings["build_ms"] = (time.perf_counter() - started) / len(communes) * 1000
    render_pdf(briefs[0].data)
    started = time.perf_counter()
    for brief in briefs:
        render_pdf(brief.data)
    timings["typst_ms"] = (time.perf_counter() - started) / len(briefs) * 1000
    timings["single_pdf_per_s"] = 1000 / (timings["build_ms"] + timings["typst_ms"])

    from throwaway import logged_in_client

    client = logged_in_client()
    for path in ("/departements/", f"/communes/{codes[0]}/fiche"):
        client.get(path)
    latencies, base = [], []
    for code in codes:
        started = time.perf_counter()
        response = client.get(f"/communes/{code}/fiche")
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, code
        started = time.perf_counter()
        client.get("/departements/")
        base.append((time.perf_counter() - started) * 1000)
    timings["page_p50"] = statistics.median(latencies)
    timings["page_p95"] = statistics.quantiles(latencies, n=20)[-1]
    timings["base_p95"] = statistics.quantiles(base, n=20)[-1]

    try:
        import weasyprint
    except ImportError:
        timings["weasyprint_ms"] = None
    else:
        pages = [client.get(f"/communes/{c}/fiche").content.decode() for c in codes[:20]]
        weasyprint.HTML(string=pages[0], base_url="http://testserver/").write_pdf()
        started = time.perf_counter()
        for html in pages:
            weasyprint.HTML(string=html, base_url="http://testserver/").write_pdf()
        timings["weasyprint_ms"] = (time.perf_counter() - started) / len(pages) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        selection = select("region", region)
        result = run_batch(selection, Path(tmp) / "fiches")
        timings["batch"] = {
            "label": selection.label,
            "count": result.built,
            "seconds": result.seconds,
        }
        again = run_batch(selection, Path(tmp) / "fiches")
        timings["batch_again_s"] = again.seconds
        if everything:
            result = run_batch(select("france"), Path(tmp) / "france")
            timings["france"] = {"count": result.built, "seconds": result.seconds}
    return timings


def run_child(url: str, region: str, everything: bool) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, region, "1" if everything else "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, t: dict) -> None:
    batch = t["batch"]
    rate = batch["count"] / batch["seconds"]
    print(f"\n== {name} (data loaded in {t['load_data']:.0f} s)")
    print(f"  Typst, one-line document (baseline)   : {t['typst_baseline_ms']:6.1f} ms")
    print(f"  brief data (queries, texts, charts)   : {t['build_ms']:6.1f} ms")
    print(
        f"  brief PDF with Typst                  : {t['typst_ms']:6.1f} ms "
        f"({t['typst_ms'] / t['typst_baseline_ms']:.1f}x baseline)"
    )
    if t["weasyprint_ms"] is not None:
        print(
            f"  brief PDF with WeasyPrint (web page)  : {t['weasyprint_ms']:6.1f} ms "
            f"({t['weasyprint_ms'] / t['typst_ms']:.1f}x Typst)"
        )
    print(f"  single process                        : {t['single_pdf_per_s']:6.1f} PDF/s")
    print(
        f"  batch, {batch['label']} ({batch['count']} briefs): {batch['seconds']:6.1f} s, "
        f"{rate:.1f} PDF/s (goal >= 60); unchanged again: {t['batch_again_s']:.1f} s"
    )
    if "france" in t:
        france = t["france"]
        print(
            f"  batch, France ({france['count']} briefs): {france['seconds']:.0f} s, "
            f"{france['count'] / france['seconds']:.1f} PDF/s (goal <= 600 s)"
        )
    print(
        f"  GET /communes/<code>/fiche p50 / p95  : {t['page_p50']:6.1f} / {t['page_p95']:.1f} ms "
        f"(goal p95 <= 100 ms on PostgreSQL); /departements/ p95 {t['base_p95']:.1f} ms"
    )


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], sys.argv[4] == "1")))
        return
    region = sys.argv[sys.argv.index("--region") + 1] if "--region" in sys.argv else "84"
    everything = "--all" in sys.argv
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", run_child(f"sqlite:///{tmp}/bench.sqlite3", region, everything))
    if "--no-postgres" in sys.argv:
        return
    from throwaway import postgres_database

    with postgres_database("mandature_bench_briefs") as url:
        report("PostgreSQL", run_child(url, region, everything))


if __name__ == "__main__":
    main()
