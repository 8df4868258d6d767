"""The index behind the search of officials by name: a range on the match key
(« dupont|marie|… ») in binary order, on PostgreSQL whatever the database's collation.

A bulk import of many new persons drops it and builds it again once at the end: sorting
half a million keys once costs less than keeping the index in order row by row.
"""

from contextlib import contextmanager

from django.db import connection

NAME = "officials_person_search"
REBUILD_ABOVE = 50_000  # new persons in one import


def create(schema_connection=None) -> None:
    conn = schema_connection or connection
    collate = ' COLLATE "C"' if conn.vendor == "postgresql" else ""
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON officials_person (match_key{collate})"
        )


def drop(schema_connection=None) -> None:
    with (schema_connection or connection).cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {NAME}")


@contextmanager
def rebuilt_after(new_persons: int):
    """Inside an import's transaction: without the index while many persons are written."""
    if new_persons < REBUILD_ABOVE:
        yield
        return
    drop()
    yield
    create()
