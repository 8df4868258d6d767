"""The brief as a PDF, by Typst (about 20 ms a brief; see docs/benchmarks.md)."""

import json
from functools import lru_cache
from pathlib import Path

import typst

TEMPLATE = Path(__file__).parent / "typst" / "brief.typ"


@lru_cache(maxsize=1)
def _compiler() -> "typst.Compiler":
    """One compiler per process: fonts and the template are loaded once."""
    return typst.Compiler(str(TEMPLATE))


def render_pdf(data: dict) -> bytes:
    return _compiler().compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
