"""One Typst compiler per template and process: fonts and the template are loaded once
(briefs, the personal-data PDF, the electoral-period note, campaign letters). Imports nothing
of Django: the brief batches' worker processes use it."""

from functools import lru_cache
from pathlib import Path

import typst


@lru_cache(maxsize=8)
def compiler(template: Path) -> "typst.Compiler":
    return typst.Compiler(str(template))
