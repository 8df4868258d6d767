"""The brief as a PDF, by Typst (about 20 ms a brief; see docs/benchmarks.md)."""

import json
import os
import signal
from pathlib import Path

from mandature.core.typst_compiler import compiler

TEMPLATE = Path(__file__).parent / "typst" / "brief.typ"


def render_pdf(data: dict) -> bytes:
    return compiler(TEMPLATE).compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})


def write_pdfs(jobs: list[tuple[str, str, str]]) -> list[str]:
    """write_pdf() for several briefs: one message to a worker process instead of many."""
    return [write_pdf(job) for job in jobs]


def write_pdf(job: tuple[str, str, str]) -> str:
    """Compile a brief (file name, data as JSON text, edition date) into the file named; used
    by the batch's worker processes, which import nothing but this module and Typst. Written
    atomically."""
    target, data, generated_on = Path(job[0]), job[1], job[2]
    pdf = compiler(TEMPLATE).compile(sys_inputs={"data": data, "generated_on": generated_on})
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pdf)
    tmp.replace(target)
    return job[0]


def start_worker() -> None:
    """Batch workers leave interruptions to the coordinator (Ctrl-C, the task worker's SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
