"""The brief as a PDF, by Typst (its speed: docs/benchmarks.md).

Typst gets a brief's data as files beside the template, not as `sys_inputs`: a change of
`sys_inputs` makes Typst lay out the whole document again, while with the template and its
inputs unchanged its cache keeps, from one brief to the next, the layout of all the parts that
are the same (headings, questions, the national figures, a région's contact): a brief costs
about a fifth less. So each process compiles in a folder of its own (a copy of the template,
`data.json`, `edition.txt`), one brief at a time.
"""

import atexit
import json
import multiprocessing.util
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import typst

TEMPLATE = Path(__file__).parent / "typst" / "brief.typ"

_lock = threading.Lock()
_workspace: "tuple[int, Path, typst.Compiler] | None" = None


def _compiler() -> "tuple[Path, typst.Compiler]":
    """This process's folder and compiler (a forked process makes its own)."""
    global _workspace
    if (
        _workspace is None
        or _workspace[0] != os.getpid()
        # a long-lived web worker's folder may be swept by a cleaner of old temporary files
        or not (_workspace[1] / TEMPLATE.name).exists()
    ):
        folder = Path(tempfile.mkdtemp(prefix="mandature-fiche-"))
        # removed when the process ends: atexit for the web and task workers, a finaliser for
        # a batch's worker processes (multiprocessing ends them without running atexit)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        multiprocessing.util.Finalize(
            None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=0
        )
        shutil.copyfile(TEMPLATE, folder / TEMPLATE.name)
        _workspace = (os.getpid(), folder, typst.Compiler(str(folder / TEMPLATE.name)))
    return _workspace[1], _workspace[2]


def compile_brief(data_json: str, generated_on: str) -> bytes:
    """The PDF of a brief: its data as JSON text (without or with its edition date) and the
    edition date as it is printed (« 4 décembre 2026 »)."""
    with _lock:
        folder, compiler = _compiler()
        (folder / "data.json").write_text(data_json, encoding="utf-8")
        (folder / "edition.txt").write_text(generated_on, encoding="utf-8")
        return compiler.compile()


def render_pdf(data: dict) -> bytes:
    return compile_brief(json.dumps(data, ensure_ascii=False), data.get("generated_on", ""))


def write_pdfs(jobs: list[tuple[str, str, str]]) -> list[str]:
    """write_pdf() for several briefs: one message to a worker process instead of many."""
    return [write_pdf(job) for job in jobs]


def write_pdf(job: tuple[str, str, str]) -> str:
    """Compile a brief (file name, data as JSON text, edition date) into the file named; used
    by the batch's worker processes, which import nothing but this module and Typst. Written
    atomically."""
    target, data, generated_on = Path(job[0]), job[1], job[2]
    pdf = compile_brief(data, generated_on)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pdf)
    tmp.replace(target)
    return job[0]


def start_worker() -> None:
    """Batch workers leave interruptions to the coordinator (Ctrl-C, the task worker's SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
