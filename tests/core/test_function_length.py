"""No function of the ingest code longer than 60 lines (issue 23): the official formats, their
importers and loaders, the framework's records and engine modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 60
# The framework, every official format (any app's sources/), and what imports or syncs them.
INGEST_FILES = sorted(
    str(path.relative_to(ROOT))
    for pattern in ("mandature/core/ingest/*.py", "mandature/*/sources/*.py")
    for path in ROOT.glob(pattern)
) + [
    "mandature/territories/loader.py",
    "mandature/housing/importer.py",
    "mandature/movement/importer.py",
    "mandature/directory/hours.py",
    "mandature/directory/values.py",
    "mandature/directory/loader.py",
    "mandature/directory/services.py",
    "mandature/directory/management/commands/sync_annuaire.py",
    "mandature/officials/importer.py",
    "mandature/officials/writer.py",
    "mandature/officials/identity.py",
    "mandature/officials/merging.py",
    "mandature/officials/search_index.py",
]


@pytest.mark.parametrize("path", INGEST_FILES)
def test_no_function_is_longer_than_60_lines(path):
    tree = ast.parse((ROOT / path).read_text())
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_LINES
    ]
    assert not long, long
