"""Benchmark: events — the check-in lookup with 5,000 registrants, and the invitation page
(where invitees register) under 50 concurrent users for 60 seconds.

    .venv/bin/python bench/events.py [--no-sqlite] [--no-postgres]  (BENCH_LOAD_SECONDS=60)

Each backend runs in a fresh database (migrated; no national data needed): one event, a
session without limit, 5,000 invitations each with a registration and a badge code.
- Lookup: 300 searches of the check-in page's JSON endpoint through Django's test client (whole
  view, no network), one in three by badge code, the others by a name fragment. Baseline in the
  same run: the counts fragment of the same page. Goal (issue 9): p95 <= 50 ms.
- Load: gunicorn (4 workers, production settings, DEBUG off) on 127.0.0.1 and `wrk` (Debian)
  with 50 connections for BENCH_LOAD_SECONDS (60 by default, bounded by a timeout): each request
  opens a random invitee's personal page, one in five posts an answer (with a CSRF cookie and
  token, as a browser does). Baseline in the same run: the privacy notice page, 10 seconds.
  Goal (issue 9): 0 errors (non-2xx/3xx answers, connection errors and timeouts of 5 s).
"""

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REGISTRANTS = 5000
FIRST = [
    "Anne",
    "Bruno",
    "Chloé",
    "David",
    "Élise",
    "François",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Julien",
    "Karine",
    "Luc",
    "Marie",
    "Nicolas",
    "Océane",
    "Pierre",
    "Rémi",
    "Sophie",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
]
CSRF = "BenchMarkCsrfSecret0123456789abc"  # 32 characters: a valid unmasked CSRF secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_event():
    from datetime import timedelta

    from django.utils import timezone

    from mandature.events.models import Event, Invitation, Registration, Session
    from mandature.events.services import name_key

    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        title="Congrès Hlm : session des nouveaux maires",
        kind="congress",
        address="Lille Grand Palais",
    )
    session = Session.objects.create(
        event=event, title="Session plénière", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    rng = random.Random(9)
    invitations = []
    for n in range(REGISTRANTS):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{n}"
        invitations.append(
            Invitation(
                event=event,
                name=name,
                email=f"elu{n}@mairie.test",
                answer="yes",
                search_name=name_key(name),
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    invitations = list(Invitation.objects.filter(event=event).order_by("pk"))
    Registration.objects.bulk_create(
        [Registration(invitation=i, session=session, status="confirmed") for i in invitations],
        batch_size=1000,
    )
    return event, session, invitations


LUA = """
local paths = {%(paths)s}
local session = "%(session)s"
local csrf = "%(csrf)s"
local post_every = %(post_every)d
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  if post_every > 0 and counter %% post_every == 0 then
    local body = "csrfmiddlewaretoken=" .. csrf .. "&answer=yes&sessions=" .. session
    return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded",
                                     ["Cookie"] = "csrftoken=" .. csrf}, body)
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %%d, "seconds": %%.1f, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "p50": %%.2f, "p95": %%.2f, "p99": %%.2f}\\n', summary.requests,
    summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk(port: int, script: Path, seconds: int, path: str = "/") -> dict:
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c50",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    found = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if not found:
        raise SystemExit(f"wrk: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    line = found[0]
    return json.loads(line.removeprefix("RESULT "))


def load(database_url: str, event, session, invitations, seconds: int) -> dict:
    from django.urls import reverse

    from mandature.events.services import invitation_token

    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
    # one address sends the whole load: the per-address rate limits are lifted for the bench
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        RATE_LIMIT_PUBLIC="10000000/min",
        RATE_LIMIT_LOGIN="10000000/min",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "mandature.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        paths = [reverse("web:rsvp", args=[invitation_token(i)]) for i in invitations[:1000]]
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "answers.lua"
            script.write_text(
                LUA
                % {
                    "paths": ", ".join(f'"{p}"' for p in paths),
                    "session": session.pk,
                    "csrf": CSRF,
                    "post_every": 5,
                }
            )
            plain = Path(tmp) / "plain.lua"
            plain.write_text(
                LUA
                % {
                    "paths": f'"{reverse("web:privacy")}"',
                    "session": "",
                    "csrf": CSRF,
                    "post_every": 0,
                }
            )
            baseline = wrk(port, plain, 10)
            result = wrk(port, script, seconds)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.seek(0)
        errors = log.read()
        log.close()
        os.unlink(log.name)
    return {"baseline": baseline, "answers": result, "server_log": errors[-2000:]}


def child(database_url: str) -> dict:
    from throwaway import django_migrated, logged_in_client, measure

    django_migrated(database_url)
    from mandature.events.models import Registration

    started = time.perf_counter()
    event, session, invitations = make_event()
    setup_seconds = time.perf_counter() - started
    client = logged_in_client()
    from mandature.movement.models import Organisation

    event.organisation = Organisation.objects.get(kind="federation", short_name="FOPH")
    event.save()
    rng = random.Random(3)
    codes = list(Registration.objects.values_list("code", flat=True))
    base = f"/evenements/{event.pk}/accueil/"
    queries = []
    for n in range(300):
        if n % 3 == 0:
            queries.append(f"{base}recherche.json?q={rng.choice(codes)}")
        else:
            queries.append(f"{base}recherche.json?q={rng.choice(LAST)[:5]}+{rng.choice(FIRST)[:3]}")
    lookup = measure(client, queries, warm=5)
    baseline = measure(client, [f"{base}compteurs/"] * 100, warm=5)
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    loaded = (
        load(database_url, event, session, invitations, seconds) if shutil.which("wrk") else None
    )
    return {
        "setup_seconds": setup_seconds,
        "lookup": lookup,
        "baseline": baseline,
        "load": loaded,
        "seconds": seconds,
    }


def report(name: str, t: dict) -> None:
    lookup, base = t["lookup"], t["baseline"]
    print(f"\n{name}: {REGISTRANTS} registrants made in {t['setup_seconds']:.1f} s")
    print(
        f"  check-in lookup: p50 {lookup['p50']:.1f} ms, p95 {lookup['p95']:.1f} ms "
        f"(goal <= 50 ms: {'met' if lookup['p95'] <= 50 else 'NOT met'}); "
        f"baseline counts fragment p95 {base['p95']:.1f} ms, ratio "
        f"{lookup['p95'] / base['p95']:.1f}"
    )
    loaded = t["load"]
    if loaded is None:
        print("  load: wrk not installed (apt-get install wrk)")
        return
    a, b = loaded["answers"], loaded["baseline"]
    if loaded["server_log"].strip():
        print("  server log (end):\n" + loaded["server_log"])
    errors = a["status_errors"] + a["socket_errors"]
    print(
        f"  invitation page, 50 connections for {a['seconds']:.0f} s: {a['requests']} requests "
        f"({a['requests'] / a['seconds']:.0f}/s), p50 {a['p50']:.1f} ms, p95 {a['p95']:.1f} ms, "
        f"p99 {a['p99']:.1f} ms, errors {errors} (goal 0: {'met' if errors == 0 else 'NOT met'})"
    )
    print(
        f"  baseline privacy page, 10 s: {b['requests'] / b['seconds']:.0f}/s, p95 "
        f"{b['p95']:.1f} ms, errors {b['status_errors'] + b['socket_errors']}; "
        f"p95 ratio {a['p95'] / b['p95']:.1f}"
    )


def main() -> None:
    from throwaway import bench_main

    bench_main(__file__, child, report, "mandature_bench_events")


if __name__ == "__main__":
    main()
