"""Benchmark: an email campaign to every mayor of France, and a 1,000-letter postal campaign.

    .venv/bin/python bench/mailing.py [--no-sqlite] [--no-postgres]

Each backend runs in a fresh database with the bundled national data (`load-data`). Every
mayor in office gets a contact card with an email address; a national campaign « all the
mayors » is launched (the recipients and their merge values are frozen: timed), then a real
task worker (`mandature worker`) sends it to an SMTP sink on 127.0.0.1 (aiosmtpd, in its own
process). Timed: from starting the worker to the campaign's end; the sink counts the messages
and the distinct recipients (exactly one each).
Baseline, in the same run: the same number of one pre-built message sent by smtplib over one
connection to the same kind of sink (the cost of SMTP itself on this machine).
Letters: a postal campaign cut to 1,000 mayors, PDF and printer's CSV built (timed), against
the Typst compilation of the same letters alone.
Goals (issue 8): 35,000 emails in <= 60 s; 1,000 letters in <= 30 s.
"""

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BODY = """{formule_appel},

Au nom de {expediteur}, je vous adresse mes sincères félicitations pour votre élection à la tête \
de **{commune}**.

Votre commune compte {logements_sociaux} logements sociaux, soit {taux_logements_sociaux} des \
logements. {situation_sru}

Vous trouverez la fiche de votre commune, avec les réponses aux douze questions que se posent \
les maires, à cette adresse : [fiche de {commune}]({lien_fiche}).

Je vous prie d'agréer, {formule_appel}, l'expression de ma haute considération.
"""


# --- the SMTP sink, in its own process ----------------------------------------------------------
def sink(port: int, out: str) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self):
            self.messages = 0
            self.recipients = set()

        async def handle_DATA(self, server, session, envelope):
            self.messages += 1
            self.recipients.update(envelope.rcpt_tos)
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()

    def stop(*_):
        controller.stop()
        Path(out).write_text(
            json.dumps({"messages": handler.messages, "distinct": len(handler.recipients)})
        )
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    Path(out + ".ready").write_text("1")
    while True:
        time.sleep(3600)


class Sink:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.out = tempfile.mktemp(suffix=".json")
        self.process = subprocess.Popen(  # not holding the child's stdout: a crash shows
            [sys.executable, __file__, "--sink", str(self.port), self.out],
            stdout=subprocess.DEVNULL,
        )
        while not Path(self.out + ".ready").exists():
            time.sleep(0.05)

    def stop(self) -> dict:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()
        return json.loads(Path(self.out).read_text())


# --- the benchmark, in a child process with its own database -------------------------------------
def child(database_url: str) -> dict:
    from throwaway import django_with_national_data

    timings = {"load_data": django_with_national_data(database_url)}
    from django.db import connection

    from mandature.campaigns.letters import build, letters_data
    from mandature.campaigns.models import Campaign, Recipient, Segment
    from mandature.campaigns.services import launch, prepare
    from mandature.movement.accounts import create_account
    from mandature.movement.models import Organisation
    from mandature.movement.scope import scope_of
    from mandature.officials.enums import SnapshotKind
    from mandature.officials.models import SnapshotEntry, latest_snapshot
    from mandature.relations.models import Contact

    snapshot = latest_snapshot(SnapshotKind.MAIRES)
    persons = list(
        SnapshotEntry.objects.filter(snapshot=snapshot).values_list("person_id", "commune_id")
    )
    Contact.objects.bulk_create(
        [Contact(person_id=p, email=f"maire-{c}-{p}@mairies.test") for p, c in persons],
        batch_size=5000,
    )
    union = Organisation.objects.get(kind="union")
    union.sender_name, union.reply_to = "Union sociale pour l'habitat", "elus@ush.test"
    union.save()
    user = create_account(
        "bench-campagne@ush.test", "Bench", "Mark", union, "admin", password="Bench-mark-2026"
    )
    segment = Segment.objects.create(
        name="Tous les maires", organisation=union, filters={"function": "maire"}
    )
    campaign = Campaign.objects.create(
        name="Félicitations aux maires",
        channel="email",
        segment=segment,
        organisation=union,
        subject="Félicitations, {formule_appel}",
        body=BODY,
        rate_per_minute=0,
        created_by=user,
    )
    from django_tasks_db.models import DBTaskResult

    started = time.perf_counter()
    launch(campaign, user, scope_of(user))  # the web request: checks, then enqueues
    timings["launch"] = time.perf_counter() - started
    started = time.perf_counter()
    prepare(campaign)  # what the task does first: the recipients and their merge values
    timings["prepare"] = time.perf_counter() - started
    timings["recipients"] = campaign.recipients.filter(status="queued").count()

    sink_server = Sink()
    env = os.environ | {
        "EMAIL_URL": f"smtp://127.0.0.1:{sink_server.port}",
        "DATABASE_URL": database_url,
        "CAMPAIGN_POLL_SECONDS": "1",
    }
    mandature = str(Path(sys.executable).parent / "mandature")
    started = time.perf_counter()
    worker = subprocess.Popen([mandature, "worker", "--verbosity", "0"], env=env)
    done = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DONE)
    while not done.exists():  # one connection kept (autocommit): no new backend each time
        time.sleep(0.2)
    timings["send"] = time.perf_counter() - started
    worker.terminate()
    worker.wait()
    timings["sink"] = sink_server.stop()
    timings["sent"] = campaign.recipients.filter(status="sent").count()
    timings["interactions"] = campaign.recipients.exclude(interaction=None).count()

    # Baseline: one pre-built message, as many times, over one smtplib connection.
    baseline_sink = Sink()
    message = b"From: a@b.test\r\nTo: c@d.test\r\nSubject: x\r\n\r\n" + (b"x" * 76 + b"\r\n") * 26
    started = time.perf_counter()
    try:
        with smtplib.SMTP("127.0.0.1", baseline_sink.port) as smtp:
            for n in range(timings["sent"]):
                smtp.sendmail("a@b.test", [f"r{n}@d.test"], message)
        timings["baseline"] = time.perf_counter() - started
    finally:
        baseline_sink.stop()

    # Letters: 1,000 mayors.
    letters = Campaign.objects.create(
        name="Courrier aux maires",
        channel="letter",
        segment=segment,
        organisation=union,
        subject="Votre élection à la tête de {commune}",
        body=BODY,
        created_by=user,
    )
    launch(letters, user, scope_of(user))
    DBTaskResult.objects.all().delete()  # built here, not by a worker
    letters.refresh_from_db()
    prepare(letters)
    keep = list(
        letters.recipients.filter(status="queued")
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    letters.recipients.exclude(pk__in=keep).delete()
    started = time.perf_counter()
    result = build(Campaign.objects.select_related("organisation").get(pk=letters.pk))
    timings["letters"] = time.perf_counter() - started
    # Baseline: Typst alone on the same letters, in a fresh process (no cache of this one).
    data = json.dumps(letters_data(letters, list(letters.recipients.order_by("pk"))))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(data)
    done = subprocess.run(
        [sys.executable, __file__, "--typst", handle.name],
        capture_output=True,
        text=True,
        check=True,
    )
    timings["letters_baseline"] = float(done.stdout.strip())
    os.unlink(handle.name)
    timings["letters_count"], timings["letters_pages"] = result["letters"], result["pages"]
    timings["letters_sent"] = Recipient.objects.filter(campaign=letters, status="sent").count()
    timings["backend"] = connection.vendor
    return timings


def report(name: str, t: dict) -> None:
    n, send, base = t["sent"], t["send"], t["baseline"]
    print(f"\n== {name} (data {t['load_data']:.0f} s)")
    print(
        f"  launch (the request: checks, electoral period) {t['launch']:.1f} s; the task then "
        f"freezes {t['recipients']:,} recipients with their merge values in {t['prepare']:.1f} s"
    )
    print(
        f"  emails: {n:,} sent in {send:.1f} s = {n / send:,.0f}/s by one worker "
        f"(goal 35,000 in <= 60 s); the sink got {t['sink']['messages']:,} messages for "
        f"{t['sink']['distinct']:,} distinct recipients; {t['interactions']:,} interactions"
    )
    print(
        f"  baseline: as many copies of one pre-built message by smtplib over one connection "
        f"in {base:.1f} s ({n / base:,.0f}/s); campaign = {send / base:.2f}x baseline"
    )
    print(
        f"  letters: {t['letters_count']:,} letters ({t['letters_pages']:,} pages), PDF and "
        f"printer's CSV in {t['letters']:.1f} s (goal <= 30 s); baseline, one Typst "
        f"compilation of the same letters in a fresh process: {t['letters_baseline']:.1f} s "
        f"({t['letters'] / t['letters_baseline']:.2f}x)"
    )


def typst_alone(path: str) -> None:
    """Seconds to compile the letters of a JSON file with a new Typst compiler."""
    import typst

    template = ROOT / "mandature" / "campaigns" / "typst" / "letters.typ"
    data = Path(path).read_text()
    started = time.perf_counter()
    typst.Compiler(str(template)).compile(sys_inputs={"data": data})
    print(time.perf_counter() - started)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--typst":
        typst_alone(sys.argv[2])
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--sink":
        sink(int(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
        return
    from throwaway import each_backend

    each_backend(__file__, report, "mandature_bench_mailing")


if __name__ == "__main__":
    main()
