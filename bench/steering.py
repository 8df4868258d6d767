"""Benchmark: the map's data and the REST API, with the national data.

    .venv/bin/python bench/steering.py [--no-sqlite] [--no-postgres]

Each backend runs in a fresh database with the bundled national data (`load-data`), through
Django's test client (the whole view, no network):
- map: what the browser fetches for all communes — the shapes (/carte/communes.topojson,
  gzipped) plus one indicator's values (/carte/donnees.json) — for each of the five indicators:
  sizes as sent (and the values gzipped, as a compressing proxy would send them), the time of the
  pair p50/p95 over 20 rounds, and the first computation of each indicator in a process apart.
  Goal (issue 11): <= 300 ms and <= 2 MB compressed. Baseline: the map page itself (HTML).
- api: the list endpoints with a national user's token, 40 calls each (filters and offsets
  varying), p50/p95. Goal (issue 11): p95 <= 100 ms on PostgreSQL. Baseline: /api/v1/regions.
"""

import gzip
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
INDICATORS = ["nouveau-maire", "taux-hlm", "sru", "contacte", "evenement"]
DEPARTEMENTS = ["59", "33", "13", "69", "75", "2A", "974", "01", "62", "35"]


def child(database_url: str) -> dict:
    import os

    from throwaway import django_with_national_data, logged_in_client, percentiles

    os.environ.setdefault("API_RATE_LIMIT", "10000000/min")  # one user makes every call
    load_seconds = django_with_national_data(database_url)
    from django.contrib.auth import get_user_model

    from mandature.api.models import ApiToken

    client = logged_in_client()
    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    headers = {"Authorization": f"Bearer {ApiToken.issue(user, 'bench')[1]}"}

    def timed_get(url, **extra):
        started = time.perf_counter()
        response = client.get(url, **extra)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return elapsed, response

    first = {}
    for key in INDICATORS:  # each indicator computed once in this process
        first[key] = timed_get(f"/carte/donnees.json?indicateur={key}")[0]
    shape_ms, shapes = timed_get("/carte/communes.topojson", HTTP_ACCEPT_ENCODING="gzip")
    shapes_bytes = len(shapes.content)
    maps = {}
    for key in INDICATORS:
        rounds, sizes = [], []
        for _ in range(20):
            a, _shapes = timed_get("/carte/communes.topojson", HTTP_ACCEPT_ENCODING="gzip")
            b, values = timed_get(f"/carte/donnees.json?indicateur={key}")
            rounds.append(a + b)
            sizes = [len(values.content), len(gzip.compress(values.content))]
        maps[key] = {"time": percentiles(rounds), "values_bytes": sizes[0], "values_gzip": sizes[1]}
    page = percentiles([timed_get("/carte/")[0] for _ in range(20)])

    lists = {
        "communes": [f"/api/v1/communes?departement={d}&limit=100" for d in DEPARTEMENTS]
        + [f"/api/v1/communes?limit=100&offset={o}" for o in range(0, 30000, 1000)],
        "officials": [f"/api/v1/officials?departement={d}&limit=100" for d in DEPARTEMENTS]
        + [f"/api/v1/officials?limit=100&offset={o}" for o in range(0, 30000, 1000)],
        "changes": [f"/api/v1/changes?type=new-mayor&departement={d}" for d in DEPARTEMENTS]
        + [f"/api/v1/changes?limit=100&offset={o}" for o in range(0, 30000, 1000)],
        "housing": [f"/api/v1/housing?departement={d}&limit=100" for d in DEPARTEMENTS]
        + [f"/api/v1/housing?limit=100&offset={o}" for o in range(0, 30000, 1000)],
        "epci": [f"/api/v1/epci?departement={d}" for d in DEPARTEMENTS] * 4,
        "snapshots": ["/api/v1/snapshots"] * 40,
        "interactions": ["/api/v1/interactions"] * 40,
        "contacts": ["/api/v1/contacts"] * 40,
        "events": ["/api/v1/events"] * 40,
    }
    api = {}
    for name, urls in lists.items():
        timed_get(urls[0], headers=headers)  # warm
        api[name] = percentiles([timed_get(url, headers=headers)[0] for url in urls[:40]])
    baseline = percentiles([timed_get("/api/v1/regions", headers=headers)[0] for _ in range(40)])
    return {
        "load_seconds": load_seconds,
        "first": first,
        "shapes_bytes": shapes_bytes,
        "shape_ms": shape_ms,
        "maps": maps,
        "page": page,
        "api": api,
        "baseline": baseline,
    }


def report(name: str, t: dict) -> None:
    print(f"\n{name}: national data loaded in {t['load_seconds']:.0f} s")
    shapes = t["shapes_bytes"]
    print(f"  map shapes (all communes, gzipped TopoJSON): {shapes / 1e6:.2f} MB")
    page = t["page"]["p95"]
    for key, m in t["maps"].items():
        total = shapes + m["values_bytes"]
        time_ok = m["time"]["p95"] <= 300 and total <= 2_000_000
        print(
            f"  {key:14} shapes + values: {total / 1e6:.2f} MB as sent "
            f"({(shapes + m['values_gzip']) / 1e6:.2f} MB if the values are gzipped too), "
            f"p50 {m['time']['p50']:.1f} ms, p95 {m['time']['p95']:.1f} ms "
            f"(goal <= 300 ms and <= 2 MB: {'met' if time_ok else 'NOT met'}); "
            f"first computation {t['first'][key]:.0f} ms; ratio to the map page "
            f"{m['time']['p95'] / page:.1f}"
        )
    b = t["baseline"]["p95"]
    print(f"  API baseline /api/v1/regions p95 {b:.1f} ms")
    for key, a in t["api"].items():
        print(
            f"  API {key:13} p50 {a['p50']:.1f} ms, p95 {a['p95']:.1f} ms "
            f"(goal <= 100 ms: {'met' if a['p95'] <= 100 else 'NOT met'}), "
            f"ratio {a['p95'] / b:.1f}"
        )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from throwaway import bench_main

    bench_main(__file__, child, report, "mandature_bench_steering")


if __name__ == "__main__":
    main()
