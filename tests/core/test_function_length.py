"""No function of the ingest code longer than 60 lines (issue 23). Each list names the files
one piece of work owns; the lead merges them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 60

DIRECTORY = [  # issue 24: the mairie directory, and what it added to core/ingest
    "mandature/core/ingest/records.py",
    "mandature/directory/hours.py",
    "mandature/directory/values.py",
    "mandature/directory/loader.py",
    "mandature/directory/services.py",
    "mandature/directory/sources/__init__.py",
    "mandature/directory/sources/data_france.py",
    "mandature/directory/sources/annuaire.py",
    "mandature/directory/management/commands/sync_annuaire.py",
]


def too_long(path: str) -> list[str]:
    tree = ast.parse((ROOT / path).read_text())
    return [
        f"{path}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lignes)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > LIMIT
    ]


@pytest.mark.parametrize("path", DIRECTORY)
def test_no_function_over_60_lines(path):
    assert too_long(path) == []
