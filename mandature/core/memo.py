"""Memos: what pages read again and again, read once.

- `per_request(name, compute)`: once per request (the request middleware opens and closes the
  memo); outside a request (commands, tasks, tests calling services) every call computes.
- `national(name, compute)`: a value derived from the national data alone (territories, RNE
  snapshots, housing and SRU files), kept in the process until an import changes that data.
  Whether it changed is one small query a request (`national_key`), so a page shows an import
  as soon as it is committed, in every process.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.db import connection

_local = threading.local()
# Two pools, each the most recently used first out: values about all of France (few), and
# values about one commune (a commune's team on its page and brief: about 25 KiB each, so at
# most about 60 MiB a process), so that visits to many communes do not push the first out.
_POOLS: "dict[str, OrderedDict[Any, tuple[tuple, Any]]]" = {
    "france": OrderedDict(),
    "commune": OrderedDict(),
}
_KEPT = {"france": 4000, "commune": 2000}
_lock = threading.Lock()


def begin_request() -> None:
    _local.values = {}


def end_request() -> None:
    _local.values = None


def per_request(name: Any, compute: Callable[[], Any]) -> Any:
    values = getattr(_local, "values", None)
    if values is None:
        return compute()
    if name not in values:
        values[name] = compute()
    return values[name]


# The tables whose rows mark an import of national data: (table, time column), registered by the
# app that owns each (core's import runs here, the RNE snapshots by officials), so that core
# names no other app's table.
_NATIONAL_TABLES: list[tuple[str, str]] = []


def track_national(model, time_field: str) -> None:
    """Count `model`'s rows, its last identifier and its last `time_field` in `national_key`:
    a row added there is an import of national data. Called from the app's `ready()`."""
    entry = (model._meta.db_table, model._meta.get_field(time_field).column)
    if entry not in _NATIONAL_TABLES:
        _NATIONAL_TABLES.append(entry)


def national_key() -> tuple:
    """Changes with every import of national data (a file loaded, a snapshot added): counts,
    last identifiers and times, so that a rolled-back identifier reused (SQLite) still shows."""

    def read() -> tuple:
        quote = connection.ops.quote_name
        columns = []
        for table, time_column in _NATIONAL_TABLES:
            table = quote(table)
            columns += [
                f"(SELECT COUNT(*) FROM {table})",
                f"(SELECT MAX(id) FROM {table})",
                f"(SELECT MAX({quote(time_column)}) FROM {table})",
            ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(columns))
            return tuple(str(value) for value in cursor.fetchone())

    return per_request("national-key", read)


def national(name: Any, compute: Callable[[], Any], pool: str = "france") -> Any:
    """`compute()`, kept in this process for as long as the national data stays the same. The
    value is shared by every request of the process: treat it as read-only. `pool`: "commune"
    for a value about one commune."""
    key = national_key()
    kept = _POOLS[pool]
    with _lock:
        found = kept.get(name)
        if found is not None and found[0] == key:
            kept.move_to_end(name)
            return found[1]
    value = compute()
    # Kept even inside a transaction: were it undone, the key (counts, last identifiers and
    # times) read after it would differ, and the value be computed again.
    with _lock:
        kept[name] = (key, value)
        kept.move_to_end(name)
        while len(kept) > _KEPT[pool]:
            kept.popitem(last=False)
    return value
