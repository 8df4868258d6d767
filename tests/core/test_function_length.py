"""No function longer than 60 lines in the ingest code (issue 23): the RNE's files."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 60
FILES = [
    "mandature/core/ingest/engine.py",
    "mandature/officials/sources/rne.py",
    "mandature/officials/sources/rne_values.py",
    "mandature/officials/sources/rne_columns.py",
    "mandature/officials/importer.py",
    "mandature/officials/writer.py",
    "mandature/officials/search_index.py",
]


@pytest.mark.parametrize("path", FILES)
def test_no_function_longer_than_60_lines(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    too_long = [
        f"{path}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1} lignes"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > LIMIT
    ]
    assert not too_long, too_long
