"""One Typst compiler per template and process: fonts and the template are loaded once
(the personal-data PDF, the electoral-period note, campaign letters, badges, survey reports).
The commune brief has its own (briefs/pdf.py: its data in files, for Typst's cache)."""

from functools import lru_cache
from pathlib import Path

import typst


@lru_cache(maxsize=8)
def compiler(template: Path) -> "typst.Compiler":
    return typst.Compiler(str(template))
