"""Benchmark: the sender's CPU per campaign message, which the rest of the machine disturbs
less than a throughput (`bench/mailing.py` measures the whole campaign).

    .venv/bin/python bench/mail_cpu.py [--messages 4000] [--rounds 3]

Writes N messages like a campaign's (the skeleton filled per recipient: a commune's name and
figures in the paragraphs, so that most lines are new) and sends them over one connection to an
SMTP sink on 127.0.0.1 (aiosmtpd, in its own process), through `core.smtp.Connection` with the
final « . » held as a campaign holds it. Baseline, in the same run: the same messages sent by
`smtplib.SMTP.sendmail` alone. Figures: CPU microseconds of this process per message
(`time.process_time`), best of the rounds; the ratio is ours over the baseline's.
"""

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings.test")

SINK = """
import sys, time
from aiosmtpd.controller import Controller
class Accept:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
Controller(Accept(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
time.sleep(3600)
"""
BODY = (
    "Madame la Maire,\n\nAu nom de l'Association régionale Hlm, je vous adresse mes sincères "
    "félicitations pour votre élection à la tête de **{commune}**.\n\nVotre commune compte {n} "
    "logements sociaux, soit 12,3 % des logements. Elle n'est pas soumise à l'obligation.\n\n"
    "Vous trouverez la fiche de {commune} : https://mandature.example/fiche/{code}/\n\n"
    "Je vous prie d'agréer, Madame la Maire, l'expression de ma haute considération.\n"
)


class Hold:
    def start(self) -> None:
        pass

    def finish(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def messages(count: int) -> tuple[list[bytes], float]:
    from mandature.core.mail import Identity, Skeleton

    identity = Identity("ne-pas-repondre@mandature.example", "ar@hlm.example", "AR Hlm")
    skeleton = Skeleton(identity, unsubscribe=True)
    started = time.process_time()
    written = []
    for i in range(count):
        text = BODY.format(commune=f"Commune {i}", n=i * 7, code=f"{i:05d}")
        written.append(
            skeleton.fill(
                to=(f"Marie Dupont {i}", f"maire{i}@commune{i}.example"),
                subject="Félicitations, Madame la Maire",
                text=text,
                html="<p>" + text.replace("\n\n", "</p>\n<p>") + "</p>",
                message_id=f"<campagne-1-{i}@mandature.example>",
                unsubscribe=f"https://mandature.example/desinscription/{i}/",
            )
        )
    return written, time.process_time() - started


def ours(port: int, written: list[bytes]) -> float:
    from django.test.utils import override_settings

    from mandature.core import smtp

    with override_settings(
        EMAIL_BACKEND=smtp.SMTP_BACKEND,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
    ):
        connection = smtp.Connection()
        started = time.process_time()
        for i, data in enumerate(written):
            code, _ = connection.send(
                "ne-pas-repondre@mandature.example", [f"maire{i}@commune{i}.example"], data, Hold()
            )
            assert code == 250
        spent = time.process_time() - started
        connection.quit()
    return spent


def baseline(port: int, written: list[bytes]) -> float:
    with smtplib.SMTP("127.0.0.1", port) as conn:
        started = time.process_time()
        for i, data in enumerate(written):
            conn.sendmail(
                "ne-pas-repondre@mandature.example", [f"maire{i}@commune{i}.example"], data
            )
        return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    import django

    django.setup()
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)])
    time.sleep(1.5)
    try:
        best = {"fill": 1e9, "send": 1e9, "baseline": 1e9}
        for _ in range(options.rounds):
            written, fill = messages(options.messages)
            best["fill"] = min(best["fill"], fill)
            best["send"] = min(best["send"], ours(port, written))
            best["baseline"] = min(best["baseline"], baseline(port, written))
    finally:
        sink.kill()
    per = {name: 1e6 * value / options.messages for name, value in best.items()}
    print(f"{options.messages} messages, best of {options.rounds} rounds, CPU of the sender:")
    print(f"  writing (skeleton filled)       {per['fill']:7.1f} µs/message")
    print(f"  sending (core.smtp.Connection)  {per['send']:7.1f} µs/message")
    print(f"  baseline (smtplib.sendmail)     {per['baseline']:7.1f} µs/message")
    print(f"  ratio sending / baseline        {per['send'] / per['baseline']:7.2f}×")


if __name__ == "__main__":
    main()
