"""Fast bulk inserts: COPY on PostgreSQL, INSERTs of 100 rows on SQLite, inside the caller's
transaction."""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import chain, islice

from django.db import connection


def next_id(table: str) -> int:
    """The first free id of a table; callers hold a lock so that nobody else inserts meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # our own names
        return cursor.fetchone()[0] + 1


def lock_tables(*tables: str) -> None:
    """Serialise imports: on PostgreSQL an exclusive lock (reads go on); SQLite's IMMEDIATE
    transactions already allow one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in the order of columns); returns how many."""
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            count = _insert_sqlite(cursor, table, columns, rows)
    return count


# SQLite: one INSERT of up to 100 rows at a time (within the 999 variables of the oldest
# SQLite builds) instead of one per row. Each statement costs its own set-up and, on the
# AUTOINCREMENT tables Django makes, an update of sqlite_sequence (docs/benchmarks.md,
# bench/import_rne.py's floor).
ROWS_PER_STATEMENT = 100
SQLITE_VARIABLES = 999


def _insert_sqlite(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per = max(1, min(ROWS_PER_STATEMENT, SQLITE_VARIABLES // len(columns)))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # our own names
    many = head + ", ".join([one] * per)
    flat = chain.from_iterable
    count = 0
    remaining = iter(rows)
    while batch := list(islice(remaining, per * 200)):  # only the last batch has a remainder
        full = len(batch) - len(batch) % per
        if full:
            cursor.executemany(many, [tuple(flat(batch[i : i + per])) for i in range(0, full, per)])
        if full < len(batch):
            cursor.executemany(head + one, batch[full:])
        count += len(batch)
    return count


def reset_sequence(table: str) -> None:
    """After inserts with explicit ids, PostgreSQL's identity must move past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """Rows of a raw query: much faster than the ORM for hundreds of thousands of rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class DateColumn:
    """Dates from raw queries: date objects on PostgreSQL, ISO strings on SQLite; cached."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, value):
        if value is None:
            return None
        found = self.cache.get(value)
        if found is None:
            found = self.cache[value] = (
                date.fromisoformat(value) if isinstance(value, str) else value
            )
        return found


_ARRAY_TYPES = {int: "bigint[]", str: "text[]", date: "date[]"}


def in_list(column: str, values: Sequence) -> tuple[str, list]:
    """`column IN (…)` for many values: one array parameter on PostgreSQL (tens of thousands of
    placeholders cost more to bind than the query costs to run), placeholders on SQLite."""
    if connection.vendor == "postgresql":
        # A semi-join, not `= ANY(%s)`: without statistics (a table just bulk-loaded) the planner
        # may filter an index scan by the array, comparing each row with every value.
        values = list(values)
        array_type = _ARRAY_TYPES.get(type(values[0]), "text[]") if values else "text[]"
        return f"{column} IN (SELECT unnest(%s::{array_type}))", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL; autovacuum would do it
    minutes later, and the next import's queries need them now)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


REBUILD_ABOVE = 50_000  # rows written at once, and at least twice as many as the table holds


@contextmanager
def indexes_rebuilt(table: str, new_rows: int) -> Iterator[None]:
    """Inside the caller's transaction: a bulk write of many rows, at least twice as many as
    the table holds (a first national import, not the next file of the same kind), goes
    without the table's secondary indexes, which are built again once at the end: sorting
    half a million keys once costs much less than keeping four indexes in order row by row
    (`bench/import_rne.py`, docs/benchmarks.md). A rollback or a killed process brings them
    back with everything else. On PostgreSQL the table cannot be read meanwhile (its indexes
    are being dropped): only worth it for a large first load. SQLite keeps the unique
    constraints of its CREATE TABLE."""
    if new_rows < REBUILD_ABOVE or new_rows < 2 * _row_count(table):
        yield
        return
    drop, create = _secondary_indexes(table)
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)


def _row_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # our own names
        return cursor.fetchone()[0]


def _secondary_indexes(table: str) -> tuple[list[str], list[str]]:
    """The statements dropping the indexes of a table but its primary key, and those making
    them again (constraints as constraints)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, "
                "pg_get_constraintdef(c.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid "
                "AND c.conrelid = x.indrelid AND c.contype IN ('u', 'x') "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
                [table],
            )
            drop, create = [], []
            for index, definition, constraint, constraint_definition in cursor.fetchall():
                if constraint:
                    drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                    create.append(
                        f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_definition}'
                    )
                else:
                    drop.append(f'DROP INDEX "{index}"')
                    create.append(definition)
            return drop, create
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        )
        rows = cursor.fetchall()
    return [f'DROP INDEX "{name}"' for name, _sql in rows], [sql for _name, sql in rows]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused during a bulk job, then back as it was. Half a
    million rows are millions of long-lived objects, which every collection of the oldest
    generation walks again and again while they pile up (`bench/import_rne.py`,
    docs/benchmarks.md). The job's objects are
    freed by their reference counts; the few cycles wait for the collector's return."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


FAST_INSERT_ABOVE = 5_000  # rows created at once: below, bulk_create costs no more


def insert_objects(model, objects: list) -> int:
    """Unsaved model instances inserted through `insert_rows` (the engine's fast path), their
    values prepared by the model's own fields (defaults, dates, JSON), without primary key
    when it is automatic."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or not f.auto_created]
    for instance in objects:
        for f in fields:  # pre_save fills auto_now dates, as save() would
            f.pre_save(instance, add=True)
    rows = (
        tuple(f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields)
        for instance in objects
    )
    return insert_rows(model._meta.db_table, [f.column for f in fields], rows)
