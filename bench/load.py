"""Benchmark: the production server under load, with PostgreSQL and the national data.

    .venv/bin/python bench/load.py [--database URL] [--seconds 60] [--no-pages]

The server is started as `deploy/systemd/mandature-web.service` starts it (its gunicorn command
line, read from the unit; the environment of `deploy/mandature.env.example` with a local
database, HTTPS=1 behind a proxy — wrk sends the proxy's `X-Forwarded-Proto: https` — and
LOG_LEVEL=INFO, one JSON line per request to a file), with a task worker beside it. The database
is a throwaway PostgreSQL database (BENCH_POSTGRES_URL's server) filled by `mandature load-data`,
or, with --database, an existing database holding the national data (left as it was but for
the bench's users, event and answers).

In that database, users as the movement has them: a federation's chargé de mission (all of
France) and the chargés of three regional associations (Hauts-de-France, Nouvelle-Aquitaine,
Auvergne-Rhône-Alpes), each logged in (one session each); an event with 2,000 invitees.

`wrk` (Debian) on 127.0.0.1, 50 connections for --seconds (60 by default, bounded by a
timeout), each request drawn at random, as users spread over the main pages:
  home 15 % (for a user of a région, « Mon territoire », where the home page sends them: wrk
  does not follow redirections), search 20 % (realistic queries: names whole or begun, without
  accents, codes, postcodes), a commune's page 20 % and its brief 15 % (1,000 communes: the 300
  largest and 700 drawn at random, inside the user's territory), « Mon territoire » 15 % (each
  user's), an invitee's personal page 15 % (one in five of them posts an answer, with its CSRF
  cookie and token, as a browser does). The logged-in requests take a random user's session.
Before it, 10 s of the same load warm the server up (not counted: a server that has been
running). Then the same mix again, each connection pausing between two requests (a user reading
the page: 1 s on average, drawn from an exponential law, wrk's `delay`), which measures the
latency at a given load instead of at the server's capacity. Baseline in the same run: the
privacy notice page (logged in) for 10 s. Then, unless --no-pages, each page alone for 10 s,
without pauses, to see which one costs what. The server's log gives the time spent in Django by
page in the mix and in the paced run (the pages' own cost, without the wait for a worker).
Goal (issue 12): 0 errors (answers >= 400, connection errors, timeouts of 5 s) and p95 <= 100 ms.
"""

import json
import os
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SECRET_KEY = "bench-load-" + "k" * 50
CSRF = "BenchMarkCsrfSecret0123456789abc"  # 32 characters: a valid unmasked CSRF secret
REGIONS = ["32", "75", "84"]  # Hauts-de-France, Nouvelle-Aquitaine, Auvergne-Rhône-Alpes
INVITEES = 2000
CONNECTIONS = 50  # issue 12: 50 concurrent connections
THINK_MS = 1000  # the paced run: each connection pauses 1 s on average between two requests
MIX = [
    ("home", 15),
    ("search", 20),
    ("commune", 20),
    ("brief", 15),
    ("territory", 15),
    ("invitation", 15),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, var_dir: str, port: int, front: int) -> dict:
    """deploy/mandature.env.example, with this machine's database and address."""
    env = dict(os.environ)
    for line in (ROOT / "deploy/mandature.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip().strip('"')
    origin = f"https://127.0.0.1:{front}"
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"{origin},https://127.0.0.1:{port}",
        SITE_URL=origin,
        MANDATURE_VAR_DIR=var_dir,
        EMAIL_URL=f"file://{var_dir}/mails",
        DEBUG="0",
        # one address sends the whole load: the per-address limits are lifted for the bench
        RATE_LIMIT_PUBLIC="100000000/min",
        RATE_LIMIT_LOGIN="100000000/min",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def unit_command(port: int) -> list[str]:
    """The gunicorn command line of the systemd unit, bound to this port."""
    unit = (ROOT / "deploy/systemd/mandature-web.service").read_text()
    found = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", unit, re.MULTILINE)
    words = shlex.split(found.group(1).replace("\\\n", " "))
    words[0] = str(ROOT / ".venv/bin" / Path(words[0]).name)
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    return words


# ---------------------------------------------------------------- setup (child, with Django)


def search_queries(rng: random.Random, count: int = 300) -> list[str]:
    from mandature.core.text import fold
    from mandature.territories.models import Commune, Epci

    communes = list(
        Commune.objects.filter(is_current=True)
        .order_by("-population")
        .values_list("name", "code", "postal_codes")
    )
    epcis = list(Epci.objects.filter(is_current=True).values_list("name", flat=True))
    queries = []
    for i in range(count):
        name, code, postal = rng.choice(communes[:2000] if i % 2 else communes)
        form = i % 7
        if form == 0:
            queries.append(name)
        elif form == 1:
            queries.append(fold(name))
        elif form == 2:
            queries.append(name[: rng.randint(3, 6)])
        elif form == 3 and postal:
            queries.append(postal[0])
        elif form == 4:
            queries.append(code)
        elif form == 5:
            queries.append(rng.choice(epcis)[:12])
        else:
            queries.append(name.split("-")[0][:8].lower())
    return queries


def setup(database_url: str) -> dict:
    """Users and their sessions, an event with its invitees, the paths to request."""
    os.environ.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="mandature.settings",
    )
    import django

    django.setup()
    from urllib.parse import quote

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from mandature.events.models import Event, Invitation, Session
    from mandature.events.services import invitation_token, name_key
    from mandature.movement.accounts import create_account
    from mandature.movement.models import Organisation
    from mandature.movement.scope import profile_scope
    from mandature.movement.seed import seed_organisations
    from mandature.territories.models import Commune

    rng = random.Random(12)
    seed_organisations()
    User = get_user_model()
    accounts = [(Organisation.objects.get(kind="federation", short_name="FOPH"), "france")]
    accounts += [
        (Organisation.objects.get(kind="association", regions=code), f"ar{code}")
        for code in REGIONS
    ]
    users = []
    for organisation, tag in accounts:
        email = f"bench-{tag}@charge.test"
        user = User.objects.filter(email=email).first() or create_account(
            email, "Bench", tag.upper(), organisation, "charge", password="Bench-mark-2026"
        )
        client = Client()
        client.force_login(user, backend="mandature.movement.auth.EmailBackend")
        scope = profile_scope(user.profile)
        communes = Commune.objects.filter(is_current=True)
        if not scope.national:
            communes = communes.filter(departement__region__in=scope.regions)
        codes = list(communes.order_by("-population").values_list("code", flat=True))
        chosen = codes[:300] + rng.sample(codes[300:], 700)
        # the home page sends a user of a région to « Mon territoire » (302): wrk does not follow
        # redirections, so such a user asks for the page a browser would end on
        home = reverse("web:home") if scope.national else reverse("web:my-territory")
        users.append(
            {"session": client.cookies["sessionid"].value, "communes": chosen, "home": home}
        )
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=40)
    event = Event.objects.create(
        title="Rencontre des nouveaux maires (bench)", kind="day", address="Lille Grand Palais"
    )
    session = Session.objects.create(
        event=event, title="Matinée", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                event=event,
                name=f"Élu·e {n}",
                email=f"elu{n}@mairie.test",
                search_name=name_key(f"Elu {n}"),
            )
            for n in range(INVITEES)
        ]
    )
    invitations = Invitation.objects.filter(event=event).order_by("pk")
    return {
        "users": users,
        "search": [f"{reverse('web:search')}?q={quote(q)}" for q in search_queries(rng)],
        "territory": reverse("web:my-territory"),
        "privacy": reverse("web:privacy"),
        "invitations": [reverse("web:rsvp", args=[invitation_token(i)]) for i in invitations],
        "session_pk": session.pk,
    }


# ---------------------------------------------------------------- load (wrk)

LUA = r"""
local setup_ = %(setup)s
local weights = %(weights)s
local csrf = "%(csrf)s"
local origin = "%(origin)s"
local think = %(think)d
local total = 0
for _, w in ipairs(weights) do total = total + w[2] end
local counter = 0
math.randomseed(os.time() + math.floor(os.clock() * 1000000))

local function pick(list) return list[math.random(#list)] end

local function logged(path, user)
  return wrk.format("GET", path, {["Cookie"] = "sessionid=" .. user.session,
                                  ["X-Forwarded-Proto"] = "https"})
end

request = function()
  counter = counter + 1
  local r = math.random() * total
  local kind
  for _, w in ipairs(weights) do
    r = r - w[2]
    if r <= 0 then kind = w[1] break end
  end
  kind = kind or weights[#weights][1]
  local user = pick(setup_.users)
  if kind == "home" then return logged(user.home, user)
  elseif kind == "search" then return logged(pick(setup_.search), user)
  elseif kind == "commune" then return logged("/communes/" .. pick(user.communes) .. "/", user)
  elseif kind == "brief" then return logged("/communes/" .. pick(user.communes) .. "/fiche", user)
  elseif kind == "territory" then return logged(setup_.territory, user)
  elseif kind == "privacy" then return logged(setup_.privacy, user)
  end
  local path = pick(setup_.invitations)
  if counter %% 5 == 0 then
    local body = "csrfmiddlewaretoken=" .. csrf .. "&answer=yes&sessions=" .. setup_.session_pk
    return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. csrf, ["Origin"] = origin, ["X-Forwarded-Proto"] = "https"},
      body)
  end
  return wrk.format("GET", path, {["X-Forwarded-Proto"] = "https"})
end

if think > 0 then
  -- a user reading the page: a pause drawn from an exponential law of mean `think` ms
  delay = function()
    return math.floor(-think * math.log(1 - math.random()))
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\nRESULT {"requests": %%d, "seconds": %%.1f, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "p50": %%.2f, "p95": %%.2f, "p99": %%.2f, "max": %%.2f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def lua_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a Lua string (ASCII paths)


def wrk(base: str, paths: dict, weights: list, seconds: int, tmp: str, think: int = 0) -> dict:
    """wrk on `base` (http://127.0.0.1:PORT for gunicorn, https:// for nginx)."""
    script = Path(tmp) / "load.lua"
    script.write_text(
        LUA
        % {
            "setup": lua_value(paths),
            "csrf": CSRF,
            "think": think,
            "weights": lua_value([list(w) for w in weights]),
            "origin": base.replace("http://", "https://"),
        }
    )
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"{base}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    found = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if not found:
        raise SystemExit(f"wrk: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return json.loads(found[0].removeprefix("RESULT "))


def nginx_config(tmp: Path, port: int, upstream: int) -> Path:
    """deploy/nginx-mandature.conf's HTTPS server (a self-signed certificate instead of Let's
    Encrypt's) on this port, in front of gunicorn's, in a configuration of its own."""
    source = (ROOT / "deploy/nginx-mandature.conf").read_text()
    log_format = source[source.index("log_format") : source.index(";", source.index("log_format"))]
    https = source[source.index("server {", source.index("listen 443") - 200) :]
    https = re.sub(r"listen 443 ssl[^;]*;", f"listen 127.0.0.1:{port} ssl;", https)
    https = re.sub(r"/etc/letsencrypt/live/[^/]+/", f"{tmp}/", https)
    https = re.sub(r"access_log [^;]*;", f"access_log {tmp}/access.log mandature;", https)
    https = https.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{upstream}")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp / "privkey.pem"),
            "-out",
            str(tmp / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    temp_paths = "\n".join(
        f"    {name}_temp_path {tmp}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"worker_processes auto;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n{temp_paths}\n    {log_format};\n"
        f"{https}\n}}\n"
    )
    return conf


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("the server stopped at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer in 60 s")


def run(database_url: str, seconds: int, pages: bool) -> dict:
    with tempfile.TemporaryDirectory() as var_dir:
        port, port_front = free_port(), free_port()
        env = server_environment(database_url, var_dir, port, port_front)
        done = subprocess.run(
            [str(ROOT / ".venv/bin/mandature"), "collectstatic", "--noinput", "--verbosity", "0"],
            env=env,
            cwd=ROOT,
        )
        if done.returncode:
            raise SystemExit("collectstatic failed")
        setup_out = subprocess.run(
            [sys.executable, __file__, "--setup", database_url],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if setup_out.returncode:
            raise SystemExit(setup_out.stderr[-3000:])
        paths = json.loads(setup_out.stdout.strip().splitlines()[-1])
        log_path = Path(var_dir) / "server.log"
        command = unit_command(port)
        with open(log_path, "w") as log:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            worker = subprocess.Popen(
                [str(ROOT / ".venv/bin/mandature"), "worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        front, base = None, f"http://127.0.0.1:{port}"
        if shutil.which("nginx"):  # as in production (docs/deployment.md): nginx in front
            conf = nginx_config(Path(var_dir), port_front, port)
            front = subprocess.Popen(
                ["nginx", "-p", var_dir, "-c", str(conf), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        results = {
            "command": " ".join(["gunicorn", *command[1:]]),
            "pages": {},
            "nginx": front is not None,
        }
        try:
            wait_for(port, server)
            if front is not None:
                wait_for(port_front, front)
                base = f"https://127.0.0.1:{port_front}"
            wrk(base, paths, MIX, 10, var_dir)  # warm-up
            results["baseline"] = wrk(base, paths, [("privacy", 1)], 10, var_dir)
            marks = [len(log_path.read_text().splitlines())]
            results["mix"] = wrk(base, paths, MIX, seconds, var_dir)
            marks.append(len(log_path.read_text().splitlines()))
            results["paced"] = wrk(base, paths, MIX, seconds, var_dir, think=THINK_MS)
            marks.append(len(log_path.read_text().splitlines()))
            if pages:
                for kind, _weight in MIX:
                    results["pages"][kind] = wrk(base, paths, [(kind, 1)], 10, var_dir)
        finally:
            for process in (server, worker, front):
                if process is None:
                    continue
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
        lines = log_path.read_text().splitlines()
        results["log_lines"] = len(lines)
        results["log_problems"] = [x for x in lines if '"level": "INFO"' not in x][-20:]
        results["statuses"] = statuses(lines, paths)
        results["server_mix"] = server_times(lines[marks[0] : marks[1]], paths)
        results["server_paced"] = server_times(lines[marks[1] : marks[2]], paths)
        return results


def requests_logged(lines: list[str], paths: dict) -> Iterator[tuple[str, dict]]:
    """(page, record) of each request in the server's log."""
    invitation = paths["invitations"][0].rsplit("/", 2)[0]
    for line in lines:
        if not line.startswith("{") or '"status"' not in line:
            continue
        record = json.loads(line)
        path = record.get("path", "")
        kind = (
            "brief"
            if path.endswith("/fiche")
            else "commune"
            if path.startswith("/communes/")
            else "search"
            if path.startswith("/recherche")
            else "territory"
            if path.startswith(paths["territory"])
            else "privacy"
            if path == paths["privacy"]
            else "invitation"
            if path.startswith(invitation)
            else "home"
            if path == "/"
            else "other"
        )
        yield kind, record


def statuses(lines: list[str], paths: dict) -> dict:
    """Answers by page and status, from the server's request log (what wrk does not tell)."""
    from collections import Counter

    counted: Counter = Counter()
    for kind, record in requests_logged(lines, paths):
        counted[f"{kind} {record.get('method')} {record.get('status')}"] += 1
    return dict(sorted(counted.items()))


def server_times(lines: list[str], paths: dict) -> dict:
    """Time spent in Django by page (the server's log), median and p95 in ms: the pages' own
    cost under that load, without the waiting in front of the workers."""
    import statistics

    times: dict = {}
    for kind, record in requests_logged(lines, paths):
        times.setdefault(kind, []).append(float(record.get("duration_ms", 0)))
    return {
        kind: (statistics.median(t), statistics.quantiles(t, n=20)[-1] if len(t) > 1 else t[0])
        for kind, t in sorted(times.items())
    }


def report(r: dict, seconds: int) -> None:
    front = "nginx (HTTPS, deploy/nginx-mandature.conf) in front of " if r["nginx"] else ""
    print(f"server: {front}{r['command']} (LOG_LEVEL=INFO)")
    if not r["nginx"]:
        print("  nginx not installed (apt-get install nginx): wrk on gunicorn directly, whose")
        print("  workers then wait on the paused connections (the paced run means little)")

    def line(name: str, t: dict, base: dict | None = None) -> str:
        errors = t["status_errors"] + t["socket_errors"]
        text = (
            f"{name:<34} {t['requests'] / t['seconds']:7.0f}/s  p50 {t['p50']:7.1f} ms  "
            f"p95 {t['p95']:7.1f} ms  p99 {t['p99']:7.1f} ms  errors {errors}"
        )
        if base:
            text += f"  (p95 ×{t['p95'] / base['p95']:.1f} the baseline)"
        return text

    base = r["baseline"]
    print(line("baseline: privacy notice, 10 s", base))
    mix = r["mix"]
    print(line(f"mix of the main pages, {seconds} s", mix, base))
    paced = r["paced"]
    print(line(f"the same, {THINK_MS / 1000:.0f} s pauses, {seconds} s", paced, base))
    for kind, t in r["pages"].items():
        print(line(f"  {kind} alone, 10 s", t, base))
    for name, t in (("without pauses", mix), ("with pauses", paced)):
        errors = t["status_errors"] + t["socket_errors"]
        print(
            f"goal (issue 12), {name}: 0 errors — {'met' if errors == 0 else 'NOT met'}; "
            f"p95 <= 100 ms — {'met' if t['p95'] <= 100 else 'NOT met'} ({t['p95']:.1f} ms)"
        )
    # Little's law: 50 connections that never pause wait 50 / throughput on average.
    needed = CONNECTIONS / 0.1
    print(
        f"without pauses, a mean latency of 100 ms needs {needed:.0f} pages/s with "
        f"{CONNECTIONS} connections (Little's law); measured: the mix "
        f"{mix['requests'] / mix['seconds']:.0f}/s, the privacy notice alone "
        f"{base['requests'] / base['seconds']:.0f}/s"
    )
    print(
        "answers by page (server log): " + ", ".join(f"{k}: {n}" for k, n in r["statuses"].items())
    )
    for name in ("mix", "paced"):
        print(
            f"time in Django by page, {name} (server log, median / p95 ms): "
            + ", ".join(f"{k} {m:.0f} / {p:.0f}" for k, (m, p) in r[f"server_{name}"].items())
        )
    print(f"server log: {r['log_lines']} lines")
    for x in r["log_problems"]:
        print("  " + x[:300])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--setup":
        print(json.dumps(setup(sys.argv[2])))
        return
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an existing PostgreSQL database with national data")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-pages", action="store_true", help="only the mix")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if args.database:
        results = run(args.database, args.seconds, not args.no_pages)
    else:
        from throwaway import postgres_database

        with postgres_database("mandature_bench_load") as url:
            env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY)
            env.pop("DJANGO_SETTINGS_MODULE", None)
            started = time.perf_counter()
            for step in (["migrate", "--noinput", "--verbosity", "0"], ["load-data"]):
                subprocess.run(
                    [str(ROOT / ".venv/bin/mandature"), *step],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            print(f"national data loaded in {time.perf_counter() - started:.0f} s")
            results = run(url, args.seconds, not args.no_pages)
    report(results, args.seconds)


if __name__ == "__main__":
    main()
